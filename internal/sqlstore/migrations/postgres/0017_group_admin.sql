-- Group administration. A member's unread message count, as
-- set_unread_msg_num or import_group_member set it (get_joined_group_list
-- shows it as SelfInfo.UnreadMsgNum).
ALTER TABLE group_members ADD COLUMN unread_msg_num BIGINT NOT NULL DEFAULT 0;

-- The global mute of an account (openconfigsvr setnospeaking): the periods
-- set, in seconds, and when each ends (unix seconds). A period of
-- 4294967295 ends in 136 years, which is Tencent's "for ever". A row goes
-- with its account (account_delete).
CREATE TABLE no_speaking (
	app_id      BIGINT NOT NULL,
	user_id     TEXT NOT NULL,
	c2c_secs    BIGINT NOT NULL DEFAULT 0,
	c2c_until   BIGINT NOT NULL DEFAULT 0,
	group_secs  BIGINT NOT NULL DEFAULT 0,
	group_until BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (app_id, user_id)
);
