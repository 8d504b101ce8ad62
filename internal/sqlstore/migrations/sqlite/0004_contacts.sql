-- Conversation groups and marks (recentcontact), per user. Independent of
-- everything else a user has; account_delete removes all four tables' rows
-- of the user, destroy_group a group's conversations from every user.

-- Per-user state: the next conversation-group id. It only grows, so a
-- deleted group's id is never handed out again (ids start at 1).
CREATE TABLE contact_users (
	app_id        INTEGER NOT NULL,
	user_id       TEXT NOT NULL,
	next_group_id INTEGER NOT NULL DEFAULT 1,
	PRIMARY KEY (app_id, user_id)
) WITHOUT ROWID;

-- A user's conversation groups; names are unique per user, since
-- update_contact_group and del_contact_group name the group.
CREATE TABLE contact_groups (
	app_id     INTEGER NOT NULL,
	user_id    TEXT NOT NULL,
	group_id   INTEGER NOT NULL, -- per user, from contact_users.next_group_id
	name       TEXT NOT NULL,
	created_at INTEGER NOT NULL, -- unix ms
	PRIMARY KEY (app_id, user_id, group_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX contact_groups_name ON contact_groups (app_id, user_id, name);

-- A user's conversations that are, or were, in a conversation group or
-- marked. type 1 is C2C (peer a UserID), 2 group (peer a GroupId). The
-- primary key is get_contact_group's order; the second index lets a
-- dismissal find a group's conversations in every user.
CREATE TABLE contact_items (
	app_id        INTEGER NOT NULL,
	user_id       TEXT NOT NULL,
	type          INTEGER NOT NULL,
	peer          TEXT NOT NULL,
	standard_mark INTEGER NOT NULL DEFAULT 0, -- 64-bit mask, bit n = mark n (bit 63 reads negative)
	custom_mark   TEXT NOT NULL DEFAULT '',
	updated_at    INTEGER NOT NULL, -- unix ms of the last change (Timestamp)
	PRIMARY KEY (app_id, user_id, type, peer)
) WITHOUT ROWID;
CREATE INDEX contact_items_by_peer ON contact_items (app_id, type, peer);

-- Which conversation group holds which conversation.
CREATE TABLE contact_group_items (
	app_id   INTEGER NOT NULL,
	user_id  TEXT NOT NULL,
	type     INTEGER NOT NULL,
	peer     TEXT NOT NULL,
	group_id INTEGER NOT NULL,
	PRIMARY KEY (app_id, user_id, type, peer, group_id)
) WITHOUT ROWID;
CREATE INDEX contact_group_items_by_group ON contact_group_items (app_id, user_id, group_id);
CREATE INDEX contact_group_items_by_peer ON contact_group_items (app_id, type, peer);
