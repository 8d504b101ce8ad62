-- Apps timd created itself (the development app, slot 'dev'); configured
-- apps live in the configuration, not here. The unique slot makes instances
-- that start at once on one database agree on one development app.
CREATE TABLE apps (
	slot       TEXT PRIMARY KEY,
	sdkappid   BIGINT NOT NULL UNIQUE,
	secret_key TEXT NOT NULL,
	created_at BIGINT NOT NULL -- unix ms
);

-- Imported accounts, per app.
CREATE TABLE accounts (
	app_id     BIGINT NOT NULL,
	user_id    TEXT NOT NULL,
	nick       TEXT NOT NULL DEFAULT '',
	face_url   TEXT NOT NULL DEFAULT '',
	created_at BIGINT NOT NULL, -- unix ms
	PRIMARY KEY (app_id, user_id)
);

-- After-callback events, written in the transaction of the change they
-- report and delivered by the callback sender.
CREATE TABLE events (
	id              BIGSERIAL PRIMARY KEY, -- commit order; never reused
	app_id          BIGINT NOT NULL,
	event_key       TEXT NOT NULL,    -- delivery is ordered per key (GroupId, From_Account)
	command         TEXT NOT NULL,    -- CallbackCommand
	body            TEXT NOT NULL,    -- JSON body as delivered
	created_at      BIGINT NOT NULL, -- unix ms
	state           TEXT NOT NULL DEFAULT 'pending', -- pending, delivered, dead
	attempts        BIGINT NOT NULL DEFAULT 0,
	next_attempt_at BIGINT NOT NULL, -- unix ms
	last_status     BIGINT NOT NULL DEFAULT 0, -- HTTP status of the last attempt, 0 if none
	last_error      TEXT NOT NULL DEFAULT '',
	delivered_at    BIGINT NOT NULL DEFAULT 0,
	client_ip       TEXT NOT NULL DEFAULT '', -- IP of the REST call that caused it (ClientIP)
	claimed_by      TEXT NOT NULL DEFAULT '', -- instance holding the delivery lease
	claim_until     BIGINT NOT NULL DEFAULT 0 -- unix ms the lease ends
);
-- The sender looks only at pending events: which are due, and which is the
-- oldest pending of its key (delivery is in order per key).
CREATE INDEX events_pending_due ON events (next_attempt_at, id) WHERE state = 'pending';
CREATE INDEX events_pending_by_key ON events (app_id, event_key, id) WHERE state = 'pending';
-- The delivery log: an app's events by time, and purging old delivered ones.
CREATE INDEX events_by_app ON events (app_id, id);
CREATE INDEX events_delivered ON events (delivered_at) WHERE state = 'delivered';
