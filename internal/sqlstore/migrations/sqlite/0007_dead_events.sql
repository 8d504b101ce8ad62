-- Dead events are few and kept among a week of delivered ones: listing them
-- (list_deliveries with State dead) and replaying them (replay_dead) walked
-- every event the app had, the replay holding the write lock meanwhile. An
-- index of the dead ones alone costs nothing while events are delivered.
CREATE INDEX events_dead ON events (app_id, id) WHERE state = 'dead';
-- Planner statistics as in 0006: few rows, about half of them the app's.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('events', 'events_dead', '1000 500 1');
ANALYZE sqlite_schema;
