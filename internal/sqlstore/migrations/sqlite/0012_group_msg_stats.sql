-- Planner statistics for group_msgs (see 0006): an app holds about half the
-- rows, a group about a thousand, and a Random repeats rarely within a group.
-- With them SQLite reads one group's history by its primary key's range and
-- a de-duplication by group_msgs_random, however large the table grows.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('group_msgs', 'sqlite_autoindex_group_msgs_1', '10000000 5000000 1000 1'),
	('group_msgs', 'group_msgs_random', '10000000 5000000 1000 1'),
	('group_msgs', 'group_msgs_expiry', '10000000 1');
ANALYZE sqlite_schema; -- loads the new rows into the planner
