-- Groups. seq is a group's identity in storage and orders an app's groups
-- by creation for get_appid_group_list paging (its Next). A dismissed
-- group's row is deleted, so its custom id can be used again: the new group
-- gets a new seq, and the old one's member rows can never show through.
CREATE TABLE im_groups (
	seq           INTEGER PRIMARY KEY AUTOINCREMENT,
	app_id        INTEGER NOT NULL,
	group_id      TEXT NOT NULL,
	type          TEXT NOT NULL,  -- Private, Public, ChatRoom, AVChatRoom, Community
	name          TEXT NOT NULL,
	introduction  TEXT NOT NULL DEFAULT '',
	notification  TEXT NOT NULL DEFAULT '',
	face_url      TEXT NOT NULL DEFAULT '',
	owner         TEXT NOT NULL DEFAULT '', -- '' when the group has no owner
	created_at    INTEGER NOT NULL, -- unix ms
	info_seq      INTEGER NOT NULL DEFAULT 1,
	info_time     INTEGER NOT NULL, -- unix ms of the last profile change
	member_num    INTEGER NOT NULL DEFAULT 0, -- kept with every membership change
	join_counter  INTEGER NOT NULL DEFAULT 0, -- last join_seq handed out
	max_members   INTEGER NOT NULL,
	apply_join    TEXT NOT NULL,
	invite_join   TEXT NOT NULL,
	mute_all      INTEGER NOT NULL DEFAULT 0,
	app_defined   TEXT NOT NULL DEFAULT '[]' -- JSON [{"Key":..,"Value":..}]
);
CREATE UNIQUE INDEX im_groups_id ON im_groups (app_id, group_id);
CREATE INDEX im_groups_by_seq ON im_groups (app_id, seq);
CREATE INDEX im_groups_by_owner ON im_groups (app_id, owner);

-- Group members, keyed by the group's seq. The primary key serves one
-- group's members; the second index one user's groups
-- (get_joined_group_list, account_delete). Rows whose group is gone are
-- invisible (every read goes through a live group) and are deleted by the
-- dismissal, or for a large group afterwards in small batches (group_reap).
CREATE TABLE group_members (
	app_id      INTEGER NOT NULL,
	group_seq   INTEGER NOT NULL, -- im_groups.seq
	user_id     TEXT NOT NULL,
	role        TEXT NOT NULL, -- Owner, Admin, Member
	join_time   INTEGER NOT NULL, -- unix ms
	join_seq    INTEGER NOT NULL, -- order of joining within the group
	msg_flag    TEXT NOT NULL DEFAULT 'AcceptAndNotify',
	name_card   TEXT NOT NULL DEFAULT '',
	mute_until  INTEGER NOT NULL DEFAULT 0,
	app_defined TEXT NOT NULL DEFAULT '[]',
	PRIMARY KEY (app_id, group_seq, user_id)
) WITHOUT ROWID;
CREATE INDEX group_members_by_user ON group_members (app_id, user_id, group_seq);
CREATE INDEX group_members_by_join ON group_members (app_id, group_seq, join_seq);

-- Dismissed groups whose member rows are still to be deleted, committed
-- with the dismissal so that a restart finishes the work.
CREATE TABLE group_reap (
	group_seq INTEGER PRIMARY KEY,
	app_id    INTEGER NOT NULL
);
