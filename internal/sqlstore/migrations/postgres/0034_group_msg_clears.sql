-- clear_group_msg's marks: a group's messages up to cleared_seq are
-- cleared for its members' clients, which no longer pull them; the admin's
-- group_msg_get_simple still reads them, as on Tencent. Keyed by the group's
-- seq; a dismissal deletes the row.
CREATE TABLE group_msg_clears (
	app_id      BIGINT NOT NULL,
	group_seq   BIGINT NOT NULL,
	cleared_seq BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq)
);
