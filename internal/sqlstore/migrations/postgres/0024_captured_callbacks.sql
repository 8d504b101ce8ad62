-- Callbacks captured instead of sent (callback URL "internal", timd_capture):
-- each as the sender would have sent it. seq is per app, in commit order:
-- capture_seqs hands it out under a row lock, so a reader that has seen seq
-- n never later finds a smaller one committed.
CREATE TABLE captured_callbacks (
	app_id      BIGINT NOT NULL,
	seq         BIGINT NOT NULL,
	command     TEXT NOT NULL,    -- CallbackCommand
	phase       TEXT NOT NULL,    -- After or Before
	body        TEXT NOT NULL,    -- JSON body as it would be sent
	query       TEXT NOT NULL,    -- query string it would be sent with
	group_id    TEXT NOT NULL DEFAULT '',
	event_id    BIGINT NOT NULL DEFAULT 0, -- the outbox event of an after-callback
	captured_at BIGINT NOT NULL,      -- unix ms, the app's time
	PRIMARY KEY (app_id, seq)
);
CREATE INDEX captured_callbacks_by_command ON captured_callbacks (app_id, command, seq);
CREATE INDEX captured_callbacks_by_group ON captured_callbacks (app_id, group_id, seq);

-- The accounts each captured callback names, for the Account filter.
CREATE TABLE captured_accounts (
	app_id  BIGINT NOT NULL,
	account TEXT NOT NULL,
	seq     BIGINT NOT NULL,
	PRIMARY KEY (app_id, account, seq)
);

-- The last seq given out per app; clearing captures keeps it.
CREATE TABLE capture_seqs (
	app_id   BIGINT PRIMARY KEY,
	last_seq BIGINT NOT NULL
);
