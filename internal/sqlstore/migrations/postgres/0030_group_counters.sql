-- Group counters (get_group_counter, update_group_counter,
-- delete_group_counter): at most 20 per group, each a key and its 64-bit
-- value, pos the place its key was first set in. Keyed by the group's seq;
-- a dismissal deletes them.
CREATE TABLE group_counters (
	app_id      BIGINT NOT NULL,
	group_seq   BIGINT NOT NULL,
	counter_key TEXT NOT NULL,
	value       BIGINT NOT NULL,
	pos         BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, counter_key)
);
