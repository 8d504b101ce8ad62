-- Group mutes (forbid_send_msg) that no member row holds: those of accounts
-- that left a group while muted (Tencent keeps a muted member muted when it
-- leaves and joins again, trtc.io/document/34951; a join takes the row back
-- into the new member row), and every mute in an AVChatRoom, which keeps no
-- member rows. mute_until is unix seconds, as group_members.mute_until. A
-- dismissal deletes the group's rows, an account's deletion its own, and the
-- purge those whose mute has run out (group_outside_mutes_ended).
CREATE TABLE group_outside_mutes (
	app_id     INTEGER NOT NULL,
	group_seq  INTEGER NOT NULL,
	user_id    TEXT NOT NULL,
	mute_until INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq, user_id)
) WITHOUT ROWID;
CREATE INDEX group_outside_mutes_ended ON group_outside_mutes (mute_until);

-- Planner statistics (see 0006): a few muted leavers in some groups.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('group_outside_mutes', 'group_outside_mutes', '10000 5000 4 1'),
	('group_outside_mutes', 'group_outside_mutes_ended', '10000 2');
ANALYZE sqlite_schema; -- this connection's planner reads them now
