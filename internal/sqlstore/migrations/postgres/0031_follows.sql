-- Follows (the follow service): user_id follows follow_id since
-- follow_time (unix s). follows_by_target reads a user's followers.
CREATE TABLE follows (
	app_id      BIGINT NOT NULL,
	user_id     TEXT NOT NULL,
	follow_id   TEXT NOT NULL,
	follow_time BIGINT NOT NULL,
	PRIMARY KEY (app_id, user_id, follow_id)
);
CREATE INDEX follows_by_target ON follows (app_id, follow_id, user_id);
