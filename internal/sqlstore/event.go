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
		INSERT INTO events (app_id, event_key, command, body, client_ip, created_at, state, next_attempt_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		int64(ev.AppID), ev.Key, ev.Command, string(ev.Body), ev.ClientIP, at, string(im.EventPending), at)
	tx.recorded = true
	return err
}

// recordEvent records an after-callback event in tx when the app records
// its command (a callback URL is set and the command enabled).
func recordEvent(ctx context.Context, tx *Tx, op im.Op, cb im.AfterCallback) error {
	if !op.App.Records(cb.CallbackCommand()) {
		return nil
	}
	ev, err := im.NewEvent(op.App.SDKAppID, tx.now, cb)
	if err != nil {
		return err
	}
	ev.ClientIP = op.ClientIP
	return insertEvent(ctx, tx, ev)
}
