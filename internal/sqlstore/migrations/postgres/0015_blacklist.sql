-- Blocklists (sns black_list_*): user_id has black_id in its blocklist.
-- black_seq is black_list_get's CurrentSequence: it moves once per call
-- that changed the user's blocklist. account_delete removes the rows of
-- the user and the rows naming the user (the second index).
CREATE TABLE blacklist (
	app_id   BIGINT NOT NULL,
	user_id  TEXT NOT NULL,
	black_id TEXT COLLATE "C" NOT NULL, -- byte order, as on SQLite
	add_time BIGINT NOT NULL, -- unix s (AddBlackTimeStamp)
	pos      BIGINT NOT NULL, -- the order of adding, from sns_users.black_pos
	PRIMARY KEY (app_id, user_id, black_id)
);
CREATE INDEX blacklist_by_black ON blacklist (app_id, black_id);
CREATE INDEX blacklist_by_pos ON blacklist (app_id, user_id, pos);

ALTER TABLE sns_users ADD COLUMN black_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE sns_users ADD COLUMN black_pos BIGINT NOT NULL DEFAULT 0;
