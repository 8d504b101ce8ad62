-- All-member push (all_member_push; docs/fidelity/push.md): an app's
-- attribute names (idx 0..9), each account's attribute values by index (a
-- renamed attribute keeps its values), each account's tags, and the push
-- tasks im_push recorded (a MsgRandom seen within 7 days is the same task).
CREATE TABLE push_attr_names (
	app_id INTEGER NOT NULL,
	idx    INTEGER NOT NULL,
	name   TEXT NOT NULL,
	PRIMARY KEY (app_id, idx)
) WITHOUT ROWID;

CREATE TABLE push_user_attrs (
	app_id  INTEGER NOT NULL,
	user_id TEXT NOT NULL,
	idx     INTEGER NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (app_id, user_id, idx)
) WITHOUT ROWID;
-- im_push selects the accounts holding an attribute value.
CREATE INDEX push_user_attrs_value ON push_user_attrs (app_id, idx, value, user_id);

CREATE TABLE push_user_tags (
	app_id   INTEGER NOT NULL,
	user_id  TEXT NOT NULL,
	tag      TEXT NOT NULL,
	added_at INTEGER NOT NULL, -- unix ms; im_get_tag lists tags in the order added
	pos      INTEGER NOT NULL, -- order within one call
	PRIMARY KEY (app_id, user_id, tag)
) WITHOUT ROWID;
-- im_push selects the accounts holding a tag.
CREATE INDEX push_user_tags_tag ON push_user_tags (app_id, tag, user_id);

CREATE TABLE push_tasks (
	app_id     INTEGER NOT NULL,
	msg_random BIGINT NOT NULL,
	task_id    TEXT NOT NULL,
	from_user  TEXT NOT NULL,
	body       TEXT NOT NULL,
	life_time  INTEGER NOT NULL,
	recipients INTEGER NOT NULL,
	created_at INTEGER NOT NULL, -- unix ms
	PRIMARY KEY (app_id, msg_random)
) WITHOUT ROWID;
-- The interval and daily limits read an app's latest tasks.
CREATE INDEX push_tasks_time ON push_tasks (app_id, created_at);

-- Planner statistics (see 0006): few accounts hold a given attribute value
-- or tag, an app has a handful of attribute names and few tasks a day.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('push_attr_names', 'push_attr_names', '10000 1000 1'),
	('push_user_attrs', 'push_user_attrs', '1000000 500000 3 1'),
	('push_user_attrs', 'push_user_attrs_value', '1000000 500000 100000 1000 1'),
	('push_user_tags', 'push_user_tags', '1000000 500000 5 1'),
	('push_user_tags', 'push_user_tags_tag', '1000000 500000 1000 1'),
	('push_tasks', 'push_tasks', '100000 10000 1'),
	('push_tasks', 'push_tasks_time', '100000 10000 1');
ANALYZE sqlite_schema; -- this connection's planner reads them now
