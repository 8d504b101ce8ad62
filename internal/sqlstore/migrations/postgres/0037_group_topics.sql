-- Community topics (create_topic, get_topic, modify_topic, destroy_topic).
-- im_groups.support_topic is create_group's SupportTopic: 1 for a Community
-- that takes topics. A topic is a row of its Community's seq, in the order
-- created (pos); next_msg_seq and last_msg_time are its own message
-- counters (topic messages are not served yet, so they stay at 1 and 0). A
-- dismissal deletes the Community's topics.
ALTER TABLE im_groups ADD COLUMN support_topic BIGINT NOT NULL DEFAULT 0;
CREATE TABLE group_topics (
	app_id        BIGINT NOT NULL,
	group_seq     BIGINT NOT NULL,
	topic_id      TEXT NOT NULL,
	name          TEXT NOT NULL,
	introduction  TEXT NOT NULL DEFAULT '',
	notification  TEXT NOT NULL DEFAULT '',
	face_url      TEXT NOT NULL DEFAULT '',
	custom_string TEXT NOT NULL DEFAULT '',
	mute_all      BIGINT NOT NULL DEFAULT 0,
	created_at    BIGINT NOT NULL, -- unix s
	next_msg_seq  BIGINT NOT NULL DEFAULT 1,
	last_msg_time BIGINT NOT NULL DEFAULT 0,
	pos           BIGINT NOT NULL,
	PRIMARY KEY (app_id, group_seq, topic_id)
);

