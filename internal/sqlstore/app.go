package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// DevApp returns the stored development app, creating it on first call. On
// PostgreSQL two instances starting at once agree on one app: the loser of
// the insert race reads the winner's row.
func (db *DB) DevApp(ctx context.Context, newApp func() (uint64, string)) (uint64, string, bool, error) {
	var (
		id      int64
		key     string
		created bool
	)
	err := db.write(ctx, func(tx *Tx) error {
		created = false
		err := tx.QueryRowContext(ctx, "SELECT sdkappid, secret_key FROM apps ORDER BY created_at, sdkappid LIMIT 1").Scan(&id, &key)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		nid, nkey := newApp()
		if _, err := tx.ExecContext(ctx, "INSERT INTO apps (sdkappid, secret_key, created_at) VALUES ($1, $2, $3)",
			int64(nid), nkey, tx.now.UnixMilli()); err != nil {
			return err
		}
		id, key, created = int64(nid), nkey, true
		return nil
	})
	return uint64(id), key, created, err
}
