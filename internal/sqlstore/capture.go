package sqlstore

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
)

// Captured callbacks (callback URL "internal", timd_capture): the callbacks
// the sender would have POSTed, stored instead (migration 0024).

// captureSignal wakes the timd_capture/wait calls of this process when a
// capture commits; the zero value is ready.
type captureSignal struct {
	mu sync.Mutex
	ch chan struct{}
}

// wait returns the channel the next capture closes.
func (s *captureSignal) wait() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch == nil {
		s.ch = make(chan struct{})
	}
	return s.ch
}

// fire closes the current channel: every waiter wakes.
func (s *captureSignal) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil {
		close(s.ch)
		s.ch = nil
	}
}

// CaptureSignal is closed by the next capture this process commits. Other
// instances' captures close it not: a waiter also polls.
func (db *DB) CaptureSignal() <-chan struct{} { return db.captures.wait() }

// CaptureCallback stores a captured callback and returns its Seq.
func (db *DB) CaptureCallback(ctx context.Context, c im.Captured) (int64, error) {
	var seq int64
	err := db.writeAside(ctx, func(tx *Tx) (err error) {
		seq, err = insertCaptured(ctx, tx, c)
		return err
	})
	if err == nil {
		db.captures.fire()
	}
	return seq, err
}

// CaptureDelivered stores an after-callback's capture and marks its event
// delivered with status, in one transaction; nothing is stored if this
// instance no longer holds the event's lease (another delivers it).
func (db *DB) CaptureDelivered(ctx context.Context, instance string, status int, c im.Captured) error {
	stored := false
	err := db.writeAside(ctx, func(tx *Tx) error {
		stored = false
		res, err := tx.ExecContext(ctx, `
			UPDATE events SET state = 'delivered', attempts = attempts + 1, last_status = $3, last_error = '',
				delivered_at = $4, claimed_by = '', claim_until = 0
			WHERE id = $1 AND state = 'pending' AND claimed_by = $2`, c.EventID, instance, status, c.CapturedAt.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		stored = true
		_, err = insertCaptured(ctx, tx, c)
		return err
	})
	if err == nil && stored {
		db.captures.fire()
	}
	return err
}

// insertCaptured takes the app's next seq, under the lock of its
// capture_seqs row until commit, and inserts the callback with its
// accounts.
func insertCaptured(ctx context.Context, tx *Tx, c im.Captured) (int64, error) {
	app := int64(c.AppID)
	var seq int64
	err := tx.QueryRowContext(ctx, `
		INSERT INTO capture_seqs (app_id, last_seq) VALUES ($1, 1)
		ON CONFLICT (app_id) DO UPDATE SET last_seq = capture_seqs.last_seq + 1
		RETURNING last_seq`, app).Scan(&seq)
	if err != nil {
		return 0, err
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO captured_callbacks (app_id, seq, command, phase, body, query, group_id, event_id, captured_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		app, seq, c.Command, c.Phase, string(c.Body), c.Query, c.GroupID, c.EventID, c.CapturedAt.UnixMilli())
	if err != nil {
		return 0, err
	}
	for _, a := range c.Accounts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO captured_accounts (app_id, account, seq) VALUES ($1, $2, $3)
			ON CONFLICT DO NOTHING`, app, a, seq); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// captureWhere is the condition selecting f's callbacks of app, from $1.
func captureWhere(app uint64, f im.CaptureFilter, after bool) (string, []any) {
	where, args := []string{"c.app_id = $1"}, []any{int64(app)}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if f.Command != "" {
		add("c.command = ?", f.Command)
	}
	if f.GroupID != "" {
		add("c.group_id = ?", f.GroupID)
	}
	if f.Account != "" {
		add("EXISTS (SELECT 1 FROM captured_accounts a WHERE a.app_id = c.app_id AND a.account = ? AND a.seq = c.seq)", f.Account)
	}
	if after && f.After > 0 {
		add("c.seq > ?", f.After)
	}
	return strings.Join(where, " AND "), args
}

// storableFilter reports whether f's texts can match a stored row: none
// holds a NUL (see storableText).
func storableFilter(f im.CaptureFilter) bool {
	return storableText(f.Command) && storableText(f.GroupID) && storableText(f.Account)
}

// ListCaptured returns up to limit callbacks of app matching f, by Seq.
func (db *DB) ListCaptured(ctx context.Context, app uint64, f im.CaptureFilter, limit int) ([]im.Captured, error) {
	out := []im.Captured{}
	if !storableFilter(f) {
		return out, nil
	}
	where, args := captureWhere(app, f, true)
	args = append(args, limit)
	err := db.read(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `SELECT c.seq, c.command, c.phase, c.body, c.query, c.group_id, c.event_id, c.captured_at
			FROM captured_callbacks c WHERE `+where+` ORDER BY c.seq LIMIT `+limitParam(len(args)), args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := im.Captured{AppID: app}
			var body string
			var at int64
			if err := rows.Scan(&c.Seq, &c.Command, &c.Phase, &body, &c.Query, &c.GroupID, &c.EventID, &at); err != nil {
				rows.Close()
				return err
			}
			c.Body, c.CapturedAt = []byte(body), msTime(at)
			out = append(out, c)
		}
		return closeRows(rows)
	})
	return out, err
}

// ClearCaptured deletes the callbacks of app matching f (After ignored) and
// their accounts, and says how many callbacks there were.
func (db *DB) ClearCaptured(ctx context.Context, app uint64, f im.CaptureFilter) (int, error) {
	if !storableFilter(f) {
		return 0, nil
	}
	where, args := captureWhere(app, f, false)
	var n int64
	err := db.writeAside(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM captured_callbacks AS c WHERE "+where, args...)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		// Then the accounts of the callbacks gone (the Account filter
		// reads them, so not before).
		return deleteOrphanCapturedAccounts(ctx, tx, app)
	})
	return int(n), err
}

// PurgeCaptured deletes, for every app, the callbacks captured before the
// time (their CapturedAt, on the app's clock) and the accounts they name:
// the retention sweep's, so that captures do not grow without end where
// nobody clears them (the development app captures while the console is on).
func (db *DB) PurgeCaptured(ctx context.Context, before time.Time) (int, error) {
	var n int64
	err := db.writeAside(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM captured_callbacks WHERE captured_at < $1", before.UnixMilli())
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return deleteOrphanCapturedAccounts(ctx, tx, 0)
	})
	return int(n), err
}

// deleteOrphanCapturedAccounts deletes the accounts of app's captured
// callbacks that are gone (app 0: of every app).
func deleteOrphanCapturedAccounts(ctx context.Context, tx *Tx, app uint64) error {
	q, args := `DELETE FROM captured_accounts WHERE NOT EXISTS
		(SELECT 1 FROM captured_callbacks c WHERE c.app_id = captured_accounts.app_id AND c.seq = captured_accounts.seq)`, []any{}
	if app != 0 {
		q, args = q+" AND app_id = $1", append(args, int64(app))
	}
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}
