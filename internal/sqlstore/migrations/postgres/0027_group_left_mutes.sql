-- The mutes of members who left a group (delete_group_member) while muted:
-- Tencent keeps a muted member muted when it leaves and joins again
-- (forbid_send_msg, trtc.io/document/34951). mute_until is unix seconds,
-- as group_members.mute_until. A join takes its row back into the member
-- row; a dismissal deletes the group's rows, an account's deletion its own.
CREATE TABLE group_left_mutes (
	app_id     BIGINT NOT NULL,
	group_seq  BIGINT NOT NULL,
	user_id    TEXT NOT NULL,
	mute_until BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, user_id)
);
