-- Messages and conversations.
--
-- One row per one-to-one message, read by both of its accounts: peer_lo and
-- peer_hi are the two accounts in byte order, so a conversation's history is
-- one range of c2c_msgs_conv whichever side asks. Times on the wire are unix
-- seconds (MsgTime, MsgTimeStamp); created_at and expires_at are unix ms.
CREATE TABLE c2c_msgs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT, -- storage order; orders messages of one second and seq
	app_id      INTEGER NOT NULL,
	peer_lo     TEXT NOT NULL,
	peer_hi     TEXT NOT NULL,
	from_user   TEXT NOT NULL,
	to_user     TEXT NOT NULL,
	msg_seq     INTEGER NOT NULL,  -- MsgSeq: the sender's, or random
	msg_random  INTEGER NOT NULL,  -- MsgRandom
	msg_time    INTEGER NOT NULL,  -- MsgTime / MsgTimeStamp, unix s
	body        TEXT NOT NULL,     -- MsgBody, compact JSON as sent
	cloud_data  TEXT NOT NULL DEFAULT '', -- CloudCustomData
	push_info   TEXT NOT NULL DEFAULT '', -- OfflinePushInfo, compact JSON; '' if none
	flag_bits   INTEGER NOT NULL DEFAULT 0, -- MsgFlagBits: 8 once recalled
	hide_from   INTEGER NOT NULL DEFAULT 0, -- 1: not in the sender's history (SyncOtherMachine 2)
	unread      INTEGER NOT NULL DEFAULT 1, -- 0: not counted as unread (NoUnread, imported history)
	content_crc INTEGER NOT NULL,  -- CRC-32 of body and cloud_data, for de-duplication
	created_at  INTEGER NOT NULL,
	expires_at  INTEGER NOT NULL   -- the purge deletes the row from then on
);
CREATE INDEX c2c_msgs_conv ON c2c_msgs (app_id, peer_lo, peer_hi, msg_time, msg_seq, id);
CREATE INDEX c2c_msgs_dedup ON c2c_msgs (app_id, from_user, msg_random);
CREATE INDEX c2c_msgs_expiry ON c2c_msgs (expires_at);

-- Group messages, keyed by the group's storage seq like its members: a
-- dismissed group's messages are unreachable from the commit on and the
-- reaper deletes them.
CREATE TABLE group_msgs (
	app_id     INTEGER NOT NULL,
	group_seq  INTEGER NOT NULL, -- im_groups.seq
	msg_seq    INTEGER NOT NULL, -- MsgSeq in the group, from 1
	from_user  TEXT NOT NULL,
	random     INTEGER NOT NULL, -- Random
	msg_time   INTEGER NOT NULL, -- unix s
	priority   INTEGER NOT NULL, -- MsgPriority: 1 High, 2 Normal, 3 Low, 4 Lowest
	body       TEXT NOT NULL,    -- MsgBody, compact JSON as sent
	cloud_data TEXT NOT NULL DEFAULT '',
	push_info  TEXT NOT NULL DEFAULT '',
	flag_bits  INTEGER NOT NULL DEFAULT 0, -- 8 once recalled
	deleted    INTEGER NOT NULL DEFAULT 0, -- 1: deleted, read back as a place holder (IsPlaceMsg)
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	PRIMARY KEY (app_id, group_seq, msg_seq)
);
CREATE INDEX group_msgs_random ON group_msgs (app_id, group_seq, random);
CREATE INDEX group_msgs_expiry ON group_msgs (expires_at);

-- A group's message counters (NextMsgSeq, LastMsgTime in get_group_info).
ALTER TABLE im_groups ADD COLUMN next_msg_seq INTEGER NOT NULL DEFAULT 1;
ALTER TABLE im_groups ADD COLUMN last_msg_time INTEGER NOT NULL DEFAULT 0; -- unix s, 0 before the first message

-- An account's conversations. A one-to-one conversation has a row per side,
-- written with each message. A group conversation is the account's
-- membership and the group's last_msg_time; a row here (type 2) only holds
-- what the account changed about it (pinned, deleted).
CREATE TABLE conversations (
	app_id    INTEGER NOT NULL,
	owner     TEXT NOT NULL,
	type      INTEGER NOT NULL,  -- 1 C2C, 2 group
	peer      TEXT NOT NULL,     -- To_Account or GroupId
	msg_time  INTEGER NOT NULL DEFAULT 0, -- unix s of the last message (C2C)
	unread    INTEGER NOT NULL DEFAULT 0, -- the peer's messages not read (C2C)
	read_time INTEGER NOT NULL DEFAULT 0, -- unix s: the peer's messages up to it are read
	clear_id  INTEGER NOT NULL DEFAULT 0, -- c2c_msgs.id up to which history is cleared for owner
	pinned    INTEGER NOT NULL DEFAULT 0, -- unix ms it was pinned, 0 if not
	deleted   INTEGER NOT NULL DEFAULT 0, -- unix s it was deleted; shown again after a later message
	PRIMARY KEY (app_id, owner, type, peer)
) WITHOUT ROWID;
CREATE INDEX conversations_by_time ON conversations (app_id, owner, msg_time);

-- Planner statistics for the new indexes, in the proportions of 0006: an
-- app holds half the rows, and each further column narrows as real data
-- does (a conversation of a thousand messages, a group of a thousand).
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('c2c_msgs', 'c2c_msgs_conv', '10000000 5000000 1000 1000 2 1 1'),
	('c2c_msgs', 'c2c_msgs_dedup', '10000000 5000000 500 1'),
	('c2c_msgs', 'c2c_msgs_expiry', '10000000 10'),
	('group_msgs', 'sqlite_autoindex_group_msgs_1', '10000000 5000000 1000 1'),
	('group_msgs', 'group_msgs_random', '10000000 5000000 1000 1'),
	('group_msgs', 'group_msgs_expiry', '10000000 10'),
	('conversations', 'conversations', '1000000 500000 50 25 1'),
	('conversations', 'conversations_by_time', '1000000 500000 50 2');
ANALYZE sqlite_schema; -- this connection's planner reads them now
