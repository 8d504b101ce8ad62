-- get_list reads one account's one-to-one conversations newest first, a
-- page at a time, in this index's order; the pinned ones (at most 50)
-- from the small partial index.
CREATE INDEX conversations_list ON conversations (app_id, owner, type, msg_time DESC, peer);
CREATE INDEX conversations_pinned ON conversations (app_id, owner, type, msg_time DESC, peer) WHERE pinned > 0;
-- A dismissal deletes what accounts changed about the group's conversation.
CREATE INDEX conversations_group ON conversations (app_id, peer) WHERE type = 2;
