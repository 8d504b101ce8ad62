-- Group mutes (forbid_send_msg) that no member row holds: those of accounts
-- that left a group while muted (Tencent keeps a muted member muted when it
-- leaves and joins again, trtc.io/document/34951; a join takes the row back
-- into the new member row), and every mute in an AVChatRoom, which keeps no
-- member rows. mute_until is unix seconds, as group_members.mute_until. A
-- dismissal deletes the group's rows, an account's deletion its own, and the
-- purge those whose mute has run out (group_outside_mutes_ended).
CREATE TABLE group_outside_mutes (
	app_id     BIGINT NOT NULL,
	group_seq  BIGINT NOT NULL,
	user_id    TEXT NOT NULL,
	mute_until BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, user_id)
);
CREATE INDEX group_outside_mutes_ended ON group_outside_mutes (mute_until);
