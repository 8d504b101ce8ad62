-- AVChatRoom bans (ban_group_member, unban_group_member,
-- get_group_ban_member): an account kept out of a live room until
-- banned_until (unix seconds), with the Description the ban gave. An
-- AVChatRoom keeps no member rows, so a ban is a row of its own. A
-- dismissal deletes the group's rows, an account's deletion its own, and the
-- purge those whose ban has run out (group_bans_ended).
CREATE TABLE group_bans (
	app_id       BIGINT NOT NULL,
	group_seq    BIGINT NOT NULL,
	user_id      TEXT NOT NULL,
	banned_until BIGINT NOT NULL,
	description  TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (app_id, group_seq, user_id)
);
CREATE INDEX group_bans_ended ON group_bans (banned_until);
