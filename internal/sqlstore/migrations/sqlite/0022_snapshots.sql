-- Snapshots of an app's state (timd_control snapshot, restore,
-- list_snapshots, delete_snapshot; docs/control-state.md): the export
-- document (im.StateDoc) as JSON, by name. A reset leaves them alone.
CREATE TABLE snapshots (
	app_id     INTEGER NOT NULL,
	name       TEXT NOT NULL,
	doc        TEXT NOT NULL,
	created_at INTEGER NOT NULL, -- unix ms
	PRIMARY KEY (app_id, name)
) WITHOUT ROWID;

-- Planner statistics (see 0006): a few snapshots per app.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('snapshots', 'snapshots', '1000 100 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
