package sqlstore

import "context"

// ExecForTest runs a statement on the writer, for a test to set up a state
// no command makes (a member's mute_until) or to look at raw rows.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) error {
	_, err := db.w.ExecContext(ctx, query, args...)
	// Past the committer: empty the writer cache (writercache.go) as a
	// write transaction that named its tables would.
	db.wcache.note(query)
	db.wcache.end()
	if !beginsWithSelect(query) && addsUnknownC2C(query) {
		db.memo.turnOff() // and the writer's memo of messages (sendmemo.go)
	}
	return err
}

// CountForTest runs a SELECT COUNT(*) on the writer.
func (db *DB) CountForTest(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := db.w.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}
