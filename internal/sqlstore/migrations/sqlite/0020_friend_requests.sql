-- Pending friend requests (sns friend_add to a peer whose AllowType is
-- AllowType_Type_NeedConfirm): user_id asked to add peer_id. One row a
-- pair; a repeated request replaces it. account_delete removes the rows of
-- the user and the rows naming the user (the second index).
CREATE TABLE friend_requests (
	app_id      INTEGER NOT NULL,
	user_id     TEXT NOT NULL,
	peer_id     TEXT NOT NULL,
	both_ways   INTEGER NOT NULL, -- 1 for Add_Type_Both
	remark      TEXT NOT NULL,
	list_name   TEXT NOT NULL, -- "" for none
	add_source  TEXT NOT NULL,
	add_wording TEXT NOT NULL,
	add_time    INTEGER NOT NULL, -- unix s of the latest request
	PRIMARY KEY (app_id, user_id, peer_id)
) WITHOUT ROWID;
CREATE INDEX friend_requests_by_peer ON friend_requests (app_id, peer_id);

-- Planner statistics, in the proportions of 0006: an app holds half the
-- rows, a user a few pending requests either way.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('friend_requests', 'friend_requests', '100000 50000 5 1'),
	('friend_requests', 'friend_requests_by_peer', '100000 50000 5');
ANALYZE sqlite_schema; -- this connection's planner reads them now
