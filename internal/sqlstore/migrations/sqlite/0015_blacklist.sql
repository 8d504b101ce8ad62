-- Blocklists (sns black_list_*): user_id has black_id in its blocklist.
-- black_seq is black_list_get's CurrentSequence: it moves once per call
-- that changed the user's blocklist. account_delete removes the rows of
-- the user and the rows naming the user (the second index).
CREATE TABLE blacklist (
	app_id   INTEGER NOT NULL,
	user_id  TEXT NOT NULL,
	black_id TEXT NOT NULL,
	add_time INTEGER NOT NULL, -- unix s (AddBlackTimeStamp)
	pos      INTEGER NOT NULL, -- the order of adding, from sns_users.black_pos
	PRIMARY KEY (app_id, user_id, black_id)
) WITHOUT ROWID;
CREATE INDEX blacklist_by_black ON blacklist (app_id, black_id);
CREATE INDEX blacklist_by_pos ON blacklist (app_id, user_id, pos);

ALTER TABLE sns_users ADD COLUMN black_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sns_users ADD COLUMN black_pos INTEGER NOT NULL DEFAULT 0;

-- Planner statistics, in the proportions of 0006: an app holds half the
-- rows, a user a few dozen.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('blacklist', 'blacklist', '1000000 500000 20 1'),
	('blacklist', 'blacklist_by_black', '1000000 500000 20'),
	('blacklist', 'blacklist_by_pos', '1000000 500000 20 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
