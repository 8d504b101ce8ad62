-- The retention sweep (TIMD_CALLBACK_RETENTION) deletes captured callbacks
-- older than the retention, as it deletes delivered events: found by time.
CREATE INDEX captured_callbacks_by_time ON captured_callbacks (captured_at);
