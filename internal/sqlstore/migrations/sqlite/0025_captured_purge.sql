-- The retention sweep (TIMD_CALLBACK_RETENTION) deletes captured callbacks
-- older than the retention, as it deletes delivered events: found by time.
CREATE INDEX captured_callbacks_by_time ON captured_callbacks (captured_at);

-- Planner statistics (see 0006): captures spread over time.
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
	('captured_callbacks', 'captured_callbacks_by_time', '10000 2');
ANALYZE sqlite_schema; -- this connection's planner reads them now
