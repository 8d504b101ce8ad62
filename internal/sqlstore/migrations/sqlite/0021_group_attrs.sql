-- Group custom attributes (get_group_attr, modify_group_attr,
-- set_group_attr, clear_group_attr, delete_group_attr): at most 16 per
-- group, each a key and its value (a JSON string, so that any text, NUL
-- included, is stored alike on both databases), pos the place its key was
-- first set in. Keyed by the group's seq; a dismissal deletes them.
CREATE TABLE group_attrs (
	app_id    INTEGER NOT NULL,
	group_seq INTEGER NOT NULL,
	attr_key  TEXT NOT NULL,
	value     TEXT NOT NULL,
	pos       INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq, attr_key)
) WITHOUT ROWID;

-- Planner statistics (see 0006): a few attributes in some groups.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('group_attrs', 'group_attrs', '100000 50000 8 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
