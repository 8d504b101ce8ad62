-- get_list reads one account's one-to-one conversations newest first, a
-- page at a time, from the end of this index; the pinned ones (at most 50)
-- from the small partial index.
CREATE INDEX conversations_list ON conversations (app_id, owner, type, msg_time, peer);
CREATE INDEX conversations_pinned ON conversations (app_id, owner, type, peer) WHERE pinned > 0;
-- A dismissal deletes what accounts changed about the group's conversation.
CREATE INDEX conversations_group ON conversations (app_id, peer) WHERE type = 2;
