-- Group counters (get_group_counter, update_group_counter,
-- delete_group_counter): at most 20 per group, each a key and its 64-bit
-- value, pos the place its key was first set in. Keyed by the group's seq;
-- a dismissal deletes them.
CREATE TABLE group_counters (
	app_id      INTEGER NOT NULL,
	group_seq   INTEGER NOT NULL,
	counter_key TEXT NOT NULL,
	value       INTEGER NOT NULL,
	pos         INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq, counter_key)
) WITHOUT ROWID;

-- Planner statistics (see 0006): a few counters in some groups.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('group_counters', 'group_counters', '100000 50000 8 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
