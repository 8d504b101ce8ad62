-- Group custom attributes (get_group_attr, modify_group_attr,
-- set_group_attr, clear_group_attr, delete_group_attr): at most 16 per
-- group, each a key and its value (a JSON string, so that any text, NUL
-- included, is stored alike on both databases), pos the place its key was
-- first set in. Keyed by the group's seq; a dismissal deletes them.
CREATE TABLE group_attrs (
	app_id    BIGINT NOT NULL,
	group_seq BIGINT NOT NULL,
	attr_key  TEXT NOT NULL,
	value     TEXT NOT NULL,
	pos       BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, attr_key)
);
