package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

var _ im.Outbox = (*DB)(nil)

// eventCols are the columns scanEvent reads.
const eventCols = `id, app_id, event_key, command, body, client_ip, created_at, state, attempts,
	next_attempt_at, last_status, last_error, delivered_at`

func scanEvent(row scanner) (im.Event, error) {
	var (
		ev                        im.Event
		app, created, next, deliv int64
		body, state               string
	)
	err := row.Scan(&ev.ID, &app, &ev.Key, &ev.Command, &body, &ev.ClientIP, &created, &state, &ev.Attempts,
		&next, &ev.LastStatus, &ev.LastError, &deliv)
	ev.AppID, ev.Body, ev.State = uint64(app), []byte(body), im.EventState(state)
	ev.CreatedAt, ev.NextAttemptAt = msTime(created), msTime(next)
	if deliv > 0 {
		ev.DeliveredAt = msTime(deliv)
	}
	return ev, err
}

func scanEvents(rows *sql.Rows) ([]im.Event, error) {
	defer rows.Close()
	out := []im.Event{}
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// ClaimEvents leases due events to instance. An event is claimable when it
// is pending, due, not leased (or its lease ran out: the instance holding it
// died), and no older event of its key is pending, so that each key's
// events go out one at a time, in commit order. On PostgreSQL, instances
// claiming at once skip each other's locked rows.
//
// Candidates are taken in the order of the events_pending_app_due index
// (due time, then id), so that the scan stops after n claimable events
// instead of reading and sorting every due event: with a backlog of pending
// events (a receiver back after an outage), ordering by id alone made each
// claim cost time linear in the backlog, and draining it quadratic.
//
// window bounds the scan when fewer than n events are claimable, as when
// the backlog is of a few keys (one busy group): each key's head is claimed
// and every later event of the key fails the older-pending test, so an
// unbounded scan reads the whole backlog to return a handful. A claim with
// window > 0 looks at the first window candidates only; the sender claims
// without a bound (window 0) when a bounded claim found nothing and it
// holds none of the app's events, so that no event is starved by a window
// full of events waiting on their keys' heads.
func (db *DB) ClaimEvents(ctx context.Context, instance string, app uint64, now time.Time, lease time.Duration, n, window int) ([]im.Event, error) {
	bound := int64(window)
	if window <= 0 {
		bound = math.MaxInt64
	}
	var out []im.Event
	err := db.writeAside(ctx, func(tx *Tx) error {
		var err error
		out, err = claimEvents(ctx, tx, instance, app, now, lease, n, bound)
		return err
	})
	return out, err
}

// AnyDue reports, in a read, whether any of app's pending events is due
// and unleased at now. It walks the app's due events in due order, so it
// is cheap when few are held under leases: the sender asks it before
// claiming for an app of which it holds nothing.
func (db *DB) AnyDue(ctx context.Context, app uint64, now time.Time) (bool, error) {
	var due bool
	err := db.read(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM events
			WHERE state = 'pending' AND app_id = $1 AND next_attempt_at <= $2 AND claim_until <= $2 LIMIT 1`,
			int64(app), now.UnixMilli()).Scan(new(int))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		due = err == nil
		return err
	})
	return due, err
}

// claimEvents leases up to n of the first window candidates that are
// claimable.
func claimEvents(ctx context.Context, tx *Tx, instance string, app uint64, now time.Time, lease time.Duration, n int, window int64) ([]im.Event, error) {
	nowMs := now.UnixMilli()
	rows, err := tx.QueryContext(ctx, `
		UPDATE events SET claimed_by = $1, claim_until = $2
		WHERE id IN (
			SELECT w.id FROM (
				SELECT e.id, e.app_id, e.event_key, e.next_attempt_at FROM events e
				WHERE e.state = 'pending' AND e.app_id = $5 AND e.next_attempt_at <= $3 AND e.claim_until <= $3
				ORDER BY e.next_attempt_at, e.id LIMIT CAST($6 AS BIGINT)`+tx.skipLocked()+`) w
			WHERE NOT EXISTS (SELECT 1 FROM events p WHERE p.state = 'pending'
				AND p.app_id = w.app_id AND p.event_key = w.event_key AND p.id < w.id)
			ORDER BY w.next_attempt_at, w.id LIMIT CAST($4 AS BIGINT))
		RETURNING `+eventCols, instance, now.Add(lease).UnixMilli(), nowMs, n, int64(app), window)
	if err != nil {
		return nil, err
	}
	return scanEvents(rows)
}

// ReleaseClaim gives back what one ClaimEvents call leased to instance.
func (db *DB) ReleaseClaim(ctx context.Context, instance string, app uint64, until time.Time) (int, error) {
	var n int64
	err := db.writeAside(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE events SET claimed_by = '', claim_until = 0
			WHERE app_id = $1 AND state = 'pending' AND claimed_by = $2 AND claim_until = $3`,
			int64(app), instance, until.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// MarkFailed records a failed attempt and schedules the next, or makes the
// event dead.
func (db *DB) MarkFailed(ctx context.Context, id int64, instance string, a im.Attempt) error {
	state, next := im.EventPending, a.Next.UnixMilli()
	if a.Next.IsZero() {
		state, next = im.EventDead, 0
	}
	return db.writeAside(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE events SET state = $3, attempts = attempts + 1, last_status = $4, last_error = $5,
				next_attempt_at = $6, claimed_by = '', claim_until = 0
			WHERE id = $1 AND state = 'pending' AND claimed_by = $2`,
			id, instance, string(state), a.Status, truncate(a.Error, 500), next)
		return err
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ListEvents lists an app's events matching f, oldest first.
func (db *DB) ListEvents(ctx context.Context, app uint64, f im.EventFilter) ([]im.Event, error) {
	// No event has a NUL in its key or command: answer the empty list both
	// databases would mean (see storableText).
	if !storableText(f.Key) || !storableText(f.Command) {
		return []im.Event{}, nil
	}
	where, args := []string{"app_id = $1"}, []any{int64(app)}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	// The state is written into the query, not bound: only a literal lets
	// both databases use the partial index of that state (events_dead,
	// events_pending_app_due) instead of every event of the app.
	switch f.State {
	case im.EventPending, im.EventDelivered, im.EventDead:
		where = append(where, "state = '"+string(f.State)+"'")
	case "":
	default:
		return []im.Event{}, nil // no event is in any other state
	}
	if f.Command != "" {
		add("command = ?", f.Command)
	}
	if f.Key != "" {
		add("event_key = ?", f.Key)
	}
	if !f.From.IsZero() {
		add("created_at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("created_at < ?", f.To.UnixMilli())
	}
	if f.AfterID > 0 {
		add("id > ?", f.AfterID)
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	args = append(args, limit)
	var out []im.Event
	err := db.read(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+eventCols+" FROM events WHERE "+strings.Join(where, " AND ")+
			" ORDER BY id LIMIT "+limitParam(len(args)), args...)
		if err != nil {
			return err
		}
		out, err = scanEvents(rows)
		return err
	})
	return out, err
}

// Events lists all of an app's events, oldest first.
func (db *DB) Events(ctx context.Context, app uint64) ([]im.Event, error) {
	return db.ListEvents(ctx, app, im.EventFilter{Limit: 1 << 30})
}

// ReplayEvent makes one event pending again, due at once, with a fresh
// attempt count.
func (db *DB) ReplayEvent(ctx context.Context, app uint64, id int64) error {
	return db.writeAside(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = $3, delivered_at = 0,
				claimed_by = '', claim_until = 0
			WHERE app_id = $1 AND id = $2`, int64(app), id, tx.now.UnixMilli())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err == nil {
				err = im.Errorf(im.CodeMgmtEventNotFound, "app %d has no event %d", app, id)
			}
			return err
		}
		tx.recorded = true
		return nil
	})
}

// ReplayDead makes every dead event of the app pending again.
func (db *DB) ReplayDead(ctx context.Context, app uint64) (int, error) {
	var n int64
	err := db.writeAside(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `
			UPDATE events SET state = 'pending', attempts = 0, next_attempt_at = $2, claimed_by = '', claim_until = 0
			WHERE app_id = $1 AND state = 'dead'`, int64(app), tx.now.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		tx.recorded = n > 0
		return err
	})
	return int(n), err
}

// PurgeDelivered deletes delivered events delivered before the time.
func (db *DB) PurgeDelivered(ctx context.Context, app uint64, before time.Time) (int, error) {
	var n int64
	err := db.writeAside(ctx, func(tx *Tx) error {
		q, args := "DELETE FROM events WHERE state = 'delivered' AND delivered_at < $1", []any{before.UnixMilli()}
		if app != 0 {
			q, args = q+" AND app_id = $2", append(args, int64(app))
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// OutboxStats counts pending events and finds the oldest.
func (db *DB) OutboxStats(ctx context.Context) (int, time.Time, error) {
	var (
		n      int
		oldest sql.NullInt64
	)
	err := db.r.QueryRowContext(ctx, "SELECT COUNT(*), MIN(created_at) FROM events WHERE state = 'pending'").Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, hideDriverError(err)
	}
	if !oldest.Valid {
		return n, time.Time{}, nil
	}
	return n, msTime(oldest.Int64), nil
}
