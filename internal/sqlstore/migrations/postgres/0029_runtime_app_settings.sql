-- A runtime app's callback settings beyond its URL and its custom profile
-- fields (timd_apps/create's Callback and ProfileFields), as one JSON
-- object; '' for an app created before they could be set: the defaults.
ALTER TABLE runtime_apps ADD COLUMN settings TEXT NOT NULL DEFAULT '';
