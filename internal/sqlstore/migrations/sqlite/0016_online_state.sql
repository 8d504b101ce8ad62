-- Online state (openim/querystate, im_open_login_svc/kick,
-- timd_control/set_state): one row per platform an account is logged in
-- on, with its status (Online or PushOnline). A platform without a row is
-- Offline.
CREATE TABLE online_states (
	app_id     INTEGER NOT NULL,
	user_id    TEXT NOT NULL,
	platform   TEXT NOT NULL,
	status     TEXT NOT NULL,
	updated_at INTEGER NOT NULL, -- unix ms
	PRIMARY KEY (app_id, user_id, platform)
) WITHOUT ROWID;

INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('online_states', 'online_states', '1000000 500000 2 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
