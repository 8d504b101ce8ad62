-- All-member push (all_member_push; docs/fidelity/push.md): an app's
-- attribute names (idx 0..9), each account's attribute values by index (a
-- renamed attribute keeps its values), each account's tags, and the push
-- tasks im_push recorded (a MsgRandom seen within 7 days is the same task).
CREATE TABLE push_attr_names (
	app_id BIGINT NOT NULL,
	idx    BIGINT NOT NULL,
	name   TEXT NOT NULL,
	PRIMARY KEY (app_id, idx)
);

CREATE TABLE push_user_attrs (
	app_id  BIGINT NOT NULL,
	user_id TEXT NOT NULL,
	idx     BIGINT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (app_id, user_id, idx)
);
-- im_push selects the accounts holding an attribute value.
CREATE INDEX push_user_attrs_value ON push_user_attrs (app_id, idx, value, user_id);

CREATE TABLE push_user_tags (
	app_id   BIGINT NOT NULL,
	user_id  TEXT NOT NULL,
	tag      TEXT NOT NULL,
	added_at BIGINT NOT NULL, -- unix ms; im_get_tag lists tags in the order added
	pos      BIGINT NOT NULL, -- order within one call
	PRIMARY KEY (app_id, user_id, tag)
);
-- im_push selects the accounts holding a tag.
CREATE INDEX push_user_tags_tag ON push_user_tags (app_id, tag, user_id);

CREATE TABLE push_tasks (
	app_id     BIGINT NOT NULL,
	msg_random BIGINT NOT NULL,
	task_id    TEXT NOT NULL,
	from_user  TEXT NOT NULL,
	body       TEXT NOT NULL,
	life_time  BIGINT NOT NULL,
	recipients BIGINT NOT NULL,
	created_at BIGINT NOT NULL, -- unix ms
	PRIMARY KEY (app_id, msg_random)
);
-- The interval and daily limits read an app's latest tasks.
CREATE INDEX push_tasks_time ON push_tasks (app_id, created_at);

