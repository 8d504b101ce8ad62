-- Planner statistics (see 0006) for the indexes of migration 0010, so that
-- SQLite reads a conversation's history through c2c_msgs_conv and finds a
-- duplicate through c2c_msgs_dedup however many messages the app holds. Rows
-- of these tables already present are replaced, so that a later migration
-- may set its own figures for them the same way.
DELETE FROM sqlite_stat1 WHERE tbl IN ('c2c_msgs', 'group_msgs', 'conversations');
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('c2c_msgs', 'c2c_msgs_conv', '10000000 5000000 5000 500 2 1 1'),
	('c2c_msgs', 'c2c_msgs_dedup', '10000000 5000000 1000 1'),
	('c2c_msgs', 'c2c_msgs_expiry', '10000000 2'),
	('group_msgs', 'group_msgs_random', '10000000 5000000 1000 1'),
	('group_msgs', 'group_msgs_expiry', '10000000 2'),
	('conversations', 'conversations_by_time', '1000000 500000 20 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
