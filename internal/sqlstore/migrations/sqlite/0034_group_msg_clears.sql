-- clear_group_msg's marks: a group's messages up to cleared_seq are
-- cleared for its members' clients, which no longer pull them; the admin's
-- group_msg_get_simple still reads them, as on Tencent. Keyed by the group's
-- seq; a dismissal deletes the row.
CREATE TABLE group_msg_clears (
	app_id      INTEGER NOT NULL,
	group_seq   INTEGER NOT NULL,
	cleared_seq INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq)
) WITHOUT ROWID;

-- Planner statistics (see 0006): a mark in some groups.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('group_msg_clears', 'group_msg_clears', '10000 5000 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
