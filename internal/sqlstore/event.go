package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// insertEvent records ev in tx, so that it commits or rolls back with the
// change it reports. Its time is the transaction's.
func insertEvent(ctx context.Context, tx *Tx, ev im.Event) error {
	at := tx.now.UnixMilli()
	_, err := tx.ExecContext(ctx, `
		INSERT INTO events (app_id, event_key, command, body, created_at, state, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		int64(ev.AppID), ev.Key, ev.Command, string(ev.Body), at, string(im.EventPending), at)
	return err
}

// recordEvent records an after-callback event for command in tx when the
// app records that command (a callback URL is set and the command enabled).
func recordEvent(ctx context.Context, tx *Tx, op im.Op, key, command string, fields map[string]any) error {
	if !op.App.Records(command) {
		return nil
	}
	ev, err := im.NewEvent(op.App.SDKAppID, key, command, tx.now, fields)
	if err != nil {
		return err
	}
	return insertEvent(ctx, tx, ev)
}

// Events lists an app's recorded events in commit order, oldest first.
func (db *DB) Events(ctx context.Context, app uint64) ([]im.Event, error) {
	var out []im.Event
	err := db.read(ctx, func(tx *Tx) error {
		out = out[:0]
		rows, err := tx.QueryContext(ctx, `
			SELECT id, event_key, command, body, created_at, state, attempts
			FROM events WHERE app_id = $1 ORDER BY id`, int64(app))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				ev      im.Event
				body    string
				created int64
				state   string
			)
			if err := rows.Scan(&ev.ID, &ev.Key, &ev.Command, &body, &created, &state, &ev.Attempts); err != nil {
				return err
			}
			ev.AppID, ev.Body, ev.State = app, []byte(body), im.EventState(state)
			ev.CreatedAt = msTime(created)
			out = append(out, ev)
		}
		return rows.Err()
	})
	return out, err
}
