-- Message extensions (get_key_values, set_key_values and their group
-- forms). A *_msg_exts row exists for each stored message sent with
-- SupportMessageExtension 1: its version (latest_seq), the version of its
-- last clear (clear_seq), and when the message expires (unix ms), after
-- which the purge deletes the row and its pairs. *_msg_ext_kvs hold the
-- pairs; a deleted pair keeps its key with value '' and the version of the
-- delete. A one-to-one message is named by its two accounts in byte order
-- and its MsgKey, a group message by its group's seq and its MsgSeq.
CREATE TABLE c2c_msg_exts (
	app_id     BIGINT NOT NULL,
	peer_lo    TEXT NOT NULL,
	peer_hi    TEXT NOT NULL,
	msg_key    TEXT NOT NULL,
	latest_seq BIGINT NOT NULL DEFAULT 0,
	clear_seq  BIGINT NOT NULL DEFAULT 0,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (app_id, peer_lo, peer_hi, msg_key)
);
CREATE INDEX c2c_msg_exts_expiry ON c2c_msg_exts (expires_at);
CREATE TABLE c2c_msg_ext_kvs (
	app_id  BIGINT NOT NULL,
	peer_lo TEXT NOT NULL,
	peer_hi TEXT NOT NULL,
	msg_key TEXT NOT NULL,
	ext_key TEXT NOT NULL,
	value   TEXT NOT NULL,
	seq     BIGINT NOT NULL,
	PRIMARY KEY (app_id, peer_lo, peer_hi, msg_key, ext_key)
);
CREATE TABLE group_msg_exts (
	app_id     BIGINT NOT NULL,
	group_seq  BIGINT NOT NULL,
	msg_seq    BIGINT NOT NULL,
	latest_seq BIGINT NOT NULL DEFAULT 0,
	clear_seq  BIGINT NOT NULL DEFAULT 0,
	expires_at BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, msg_seq)
);
CREATE INDEX group_msg_exts_expiry ON group_msg_exts (expires_at);
CREATE TABLE group_msg_ext_kvs (
	app_id    BIGINT NOT NULL,
	group_seq BIGINT NOT NULL,
	msg_seq   BIGINT NOT NULL,
	ext_key   TEXT NOT NULL,
	value     TEXT NOT NULL,
	seq       BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, msg_seq, ext_key)
);

