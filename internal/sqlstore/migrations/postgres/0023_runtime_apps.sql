-- Apps created while timd runs (timd_apps/create, docs/control-apps.md).
-- They survive restarts and every instance on the database serves them;
-- configured apps live in the configuration and the development app in
-- apps. admins is a JSON array of identifiers, control 0 or 1.
-- timd_apps/delete deletes the row with every row of the app's data.
CREATE TABLE runtime_apps (
	sdkappid     BIGINT PRIMARY KEY,
	secret_key   TEXT NOT NULL,
	admins       TEXT NOT NULL,
	edition      TEXT NOT NULL,
	callback_url TEXT NOT NULL,
	control      BIGINT NOT NULL,
	created_at   BIGINT NOT NULL -- unix ms
);
