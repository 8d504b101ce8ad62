-- Follows (the follow service): user_id follows follow_id since
-- follow_time (unix s). follows_by_target reads a user's followers.
CREATE TABLE follows (
	app_id      INTEGER NOT NULL,
	user_id     TEXT NOT NULL,
	follow_id   TEXT NOT NULL,
	follow_time INTEGER NOT NULL,
	PRIMARY KEY (app_id, user_id, follow_id)
) WITHOUT ROWID;
CREATE INDEX follows_by_target ON follows (app_id, follow_id, user_id);

-- Planner statistics (see 0006): a few follows of some users.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('follows', 'follows', '100000 20000 5 1'),
	('follows', 'follows_by_target', '100000 20000 5 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
