-- Pending friend requests (sns friend_add to a peer whose AllowType is
-- AllowType_Type_NeedConfirm): user_id asked to add peer_id. One row a
-- pair; a repeated request replaces it. account_delete removes the rows of
-- the user and the rows naming the user (the second index).
CREATE TABLE friend_requests (
	app_id      BIGINT NOT NULL,
	user_id     TEXT COLLATE "C" NOT NULL, -- byte order, as on SQLite
	peer_id     TEXT COLLATE "C" NOT NULL,
	both_ways   BIGINT NOT NULL, -- 1 for Add_Type_Both
	remark      TEXT NOT NULL,
	list_name   TEXT NOT NULL, -- "" for none
	add_source  TEXT NOT NULL,
	add_wording TEXT NOT NULL,
	add_time    BIGINT NOT NULL, -- unix s of the latest request
	PRIMARY KEY (app_id, user_id, peer_id)
);
CREATE INDEX friend_requests_by_peer ON friend_requests (app_id, peer_id);
