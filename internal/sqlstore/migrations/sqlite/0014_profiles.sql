-- Account profiles (profile/portrait_set, portrait_get): one row per field
-- an account has set, standard (Tag_Profile_IM_*) or custom
-- (Tag_Profile_Custom_*). value is the field's JSON value as stored (a
-- string or a number), so a read gives back the type that was set. Nick
-- and Tag_Profile_IM_Image stay in accounts (nick, face_url), where
-- account_import writes them.
CREATE TABLE profiles (
	app_id     INTEGER NOT NULL,
	user_id    TEXT NOT NULL,
	tag        TEXT NOT NULL,
	value      TEXT NOT NULL,
	updated_at INTEGER NOT NULL, -- unix ms
	PRIMARY KEY (app_id, user_id, tag)
) WITHOUT ROWID;

INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('profiles', 'profiles', '10000000 5000000 10 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
