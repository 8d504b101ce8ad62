-- Snapshots of an app's state (timd_control snapshot, restore,
-- list_snapshots, delete_snapshot; docs/control-state.md): the export
-- document (im.StateDoc) as JSON, by name. A reset leaves them alone.
CREATE TABLE snapshots (
	app_id     BIGINT NOT NULL,
	name       TEXT NOT NULL,
	doc        TEXT NOT NULL,
	created_at BIGINT NOT NULL, -- unix ms
	PRIMARY KEY (app_id, name)
);
