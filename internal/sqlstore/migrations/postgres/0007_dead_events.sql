-- Dead events are few and kept among a week of delivered ones: listing them
-- (list_deliveries with State dead) and replaying them (replay_dead) walked
-- every event the app had, the replay holding the write lock meanwhile. An
-- index of the dead ones alone costs nothing while events are delivered.
CREATE INDEX events_dead ON events (app_id, id) WHERE state = 'dead';
