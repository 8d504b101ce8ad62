-- Relationship chain (sns): friends and friend lists, per user.
-- account_delete removes a user's rows of all four tables and the rows of
-- other users that name the user as a friend.

-- Per-user sequences. list_seq is the CurrentSequence of the sns group_*
-- commands, std_seq and custom_seq are friend_get's StandardSequence and
-- CustomSequence; list_pos is the last list position handed out (lists are
-- listed in creation order). A user without a row has them all at 0.
CREATE TABLE sns_users (
	app_id     BIGINT NOT NULL,
	user_id    TEXT NOT NULL,
	list_seq   BIGINT NOT NULL DEFAULT 0,
	std_seq    BIGINT NOT NULL DEFAULT 0,
	custom_seq BIGINT NOT NULL DEFAULT 0,
	list_pos   BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (app_id, user_id)
);

-- One-way friend rows: user_id has friend_id in its friend list; a two-way
-- friendship is two rows. The primary key is friend_get's order; the second
-- index finds the rows naming a user, for account_delete.
CREATE TABLE friends (
	app_id      BIGINT NOT NULL,
	user_id     TEXT NOT NULL,
	friend_id   TEXT COLLATE "C" NOT NULL, -- byte order, as on SQLite
	remark      TEXT NOT NULL DEFAULT '',
	remark_time BIGINT NOT NULL DEFAULT 0, -- unix s
	add_source  TEXT NOT NULL,
	add_wording TEXT NOT NULL DEFAULT '',
	add_time    BIGINT NOT NULL, -- unix s (Tag_SNS_IM_AddTime)
	custom      TEXT NOT NULL DEFAULT '[]', -- JSON [{"Tag":..,"Value":..}]
	PRIMARY KEY (app_id, user_id, friend_id)
);
CREATE INDEX friends_by_friend ON friends (app_id, friend_id);

-- A user's friend lists; names are unique per user.
CREATE TABLE friend_lists (
	app_id  BIGINT NOT NULL,
	user_id TEXT NOT NULL,
	name    TEXT NOT NULL,
	pos     BIGINT NOT NULL, -- creation order, from sns_users.list_pos
	PRIMARY KEY (app_id, user_id, name)
);

-- Which friend is in which list. Only friends are members: removing a
-- friend or a list removes its rows here.
CREATE TABLE friend_list_members (
	app_id    BIGINT NOT NULL,
	user_id   TEXT NOT NULL,
	name      TEXT NOT NULL,
	friend_id TEXT COLLATE "C" NOT NULL,
	PRIMARY KEY (app_id, user_id, name, friend_id)
);
CREATE INDEX friend_list_members_by_friend ON friend_list_members (app_id, user_id, friend_id);
CREATE INDEX friend_list_members_by_peer ON friend_list_members (app_id, friend_id);
