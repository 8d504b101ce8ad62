-- get_list reads one account's one-to-one conversations newest first, a
-- page at a time, in this index's order; the pinned ones (at most 50)
-- from the small partial index.
CREATE INDEX conversations_list ON conversations (app_id, owner, type, msg_time DESC, peer);
CREATE INDEX conversations_pinned ON conversations (app_id, owner, type, msg_time DESC, peer) WHERE pinned > 0;
-- A dismissal deletes what accounts changed about the group's conversation.
CREATE INDEX conversations_group ON conversations (app_id, peer) WHERE type = 2;

-- Planner statistics (see 0006): an account has up to thousands of
-- conversations and few pinned ones; few rows are group conversations.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('conversations', 'conversations_list', '10000000 5000000 1000 900 2 1'),
	('conversations', 'conversations_pinned', '100000 50000 5 4 2 1'),
	('conversations', 'conversations_group', '100000 50000 20');
ANALYZE sqlite_schema; -- this connection's planner reads them now
