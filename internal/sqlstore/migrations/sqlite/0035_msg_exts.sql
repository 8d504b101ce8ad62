-- Message extensions (get_key_values, set_key_values and their group
-- forms). A *_msg_exts row exists for each stored message sent with
-- SupportMessageExtension 1: its version (latest_seq), the version of its
-- last clear (clear_seq), and when the message expires (unix ms), after
-- which the purge deletes the row and its pairs. *_msg_ext_kvs hold the
-- pairs; a deleted pair keeps its key with value '' and the version of the
-- delete. A one-to-one message is named by its two accounts in byte order
-- and its MsgKey, a group message by its group's seq and its MsgSeq.
CREATE TABLE c2c_msg_exts (
	app_id     INTEGER NOT NULL,
	peer_lo    TEXT NOT NULL,
	peer_hi    TEXT NOT NULL,
	msg_key    TEXT NOT NULL,
	latest_seq INTEGER NOT NULL DEFAULT 0,
	clear_seq  INTEGER NOT NULL DEFAULT 0,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (app_id, peer_lo, peer_hi, msg_key)
) WITHOUT ROWID;
CREATE INDEX c2c_msg_exts_expiry ON c2c_msg_exts (expires_at);
CREATE TABLE c2c_msg_ext_kvs (
	app_id  INTEGER NOT NULL,
	peer_lo TEXT NOT NULL,
	peer_hi TEXT NOT NULL,
	msg_key TEXT NOT NULL,
	ext_key TEXT NOT NULL,
	value   TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	PRIMARY KEY (app_id, peer_lo, peer_hi, msg_key, ext_key)
) WITHOUT ROWID;
CREATE TABLE group_msg_exts (
	app_id     INTEGER NOT NULL,
	group_seq  INTEGER NOT NULL,
	msg_seq    INTEGER NOT NULL,
	latest_seq INTEGER NOT NULL DEFAULT 0,
	clear_seq  INTEGER NOT NULL DEFAULT 0,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq, msg_seq)
) WITHOUT ROWID;
CREATE INDEX group_msg_exts_expiry ON group_msg_exts (expires_at);
CREATE TABLE group_msg_ext_kvs (
	app_id    INTEGER NOT NULL,
	group_seq INTEGER NOT NULL,
	msg_seq   INTEGER NOT NULL,
	ext_key   TEXT NOT NULL,
	value     TEXT NOT NULL,
	seq       INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq, msg_seq, ext_key)
) WITHOUT ROWID;

-- Planner statistics (see 0006): few messages carry extensions, each a few
-- pairs.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('c2c_msg_exts', 'c2c_msg_exts', '100000 50000 10 10 1'),
	('c2c_msg_exts', 'c2c_msg_exts_expiry', '100000 2'),
	('c2c_msg_ext_kvs', 'c2c_msg_ext_kvs', '1000000 500000 100 100 10 1'),
	('group_msg_exts', 'group_msg_exts', '100000 50000 10 1'),
	('group_msg_exts', 'group_msg_exts_expiry', '100000 2'),
	('group_msg_ext_kvs', 'group_msg_ext_kvs', '1000000 500000 100 10 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
