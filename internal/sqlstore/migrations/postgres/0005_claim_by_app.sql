-- The sender claims due events app by app. An index on due time alone let
-- that claim read, and sort, every event the app had ever recorded,
-- delivered ones included: the cost of each claim grew with the retained
-- delivery log. With the app first, a claim walks only the app's pending
-- events in due order and stops after the few it takes.
DROP INDEX events_pending_due;
CREATE INDEX events_pending_app_due ON events (app_id, next_attempt_at, id) WHERE state = 'pending';
