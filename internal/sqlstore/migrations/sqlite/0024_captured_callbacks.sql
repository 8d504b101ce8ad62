-- Callbacks captured instead of sent (callback URL "internal", timd_capture):
-- each as the sender would have sent it. seq is per app, in commit order:
-- capture_seqs hands it out under a row lock, so a reader that has seen seq
-- n never later finds a smaller one committed.
CREATE TABLE captured_callbacks (
	app_id      INTEGER NOT NULL,
	seq         INTEGER NOT NULL,
	command     TEXT NOT NULL,    -- CallbackCommand
	phase       TEXT NOT NULL,    -- After or Before
	body        TEXT NOT NULL,    -- JSON body as it would be sent
	query       TEXT NOT NULL,    -- query string it would be sent with
	group_id    TEXT NOT NULL DEFAULT '',
	event_id    INTEGER NOT NULL DEFAULT 0, -- the outbox event of an after-callback
	captured_at INTEGER NOT NULL,      -- unix ms, the app's time
	PRIMARY KEY (app_id, seq)
) WITHOUT ROWID;
CREATE INDEX captured_callbacks_by_command ON captured_callbacks (app_id, command, seq);
CREATE INDEX captured_callbacks_by_group ON captured_callbacks (app_id, group_id, seq);

-- The accounts each captured callback names, for the Account filter.
CREATE TABLE captured_accounts (
	app_id  INTEGER NOT NULL,
	account TEXT NOT NULL,
	seq     INTEGER NOT NULL,
	PRIMARY KEY (app_id, account, seq)
) WITHOUT ROWID;

-- The last seq given out per app; clearing captures keeps it.
CREATE TABLE capture_seqs (
	app_id   INTEGER PRIMARY KEY,
	last_seq INTEGER NOT NULL
) WITHOUT ROWID;

-- Planner statistics (see 0006): a few apps capturing thousands of
-- callbacks, of some dozens of commands and groups.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('captured_callbacks', 'captured_callbacks', '10000 5000 1'),
	('captured_callbacks', 'captured_callbacks_by_command', '10000 5000 200 1'),
	('captured_callbacks', 'captured_callbacks_by_group', '10000 5000 50 1'),
	('captured_accounts', 'captured_accounts', '20000 10000 20 1'),
	('capture_seqs', 'capture_seqs', '10 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
