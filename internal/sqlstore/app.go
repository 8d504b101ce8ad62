package sqlstore

import "context"

// DevApp returns the stored development app, creating it on first call.
// Instances starting at once on one PostgreSQL database agree on one app:
// the insert of every instance but the first does nothing, and all read the
// first one's row.
func (db *DB) DevApp(ctx context.Context, newApp func() (uint64, string)) (uint64, string, bool, error) {
	var (
		id      int64
		key     string
		created bool
	)
	err := db.write(ctx, func(tx *Tx) error {
		nid, nkey := newApp()
		res, err := tx.ExecContext(ctx, `
			INSERT INTO apps (slot, sdkappid, secret_key, created_at) VALUES ('dev', $1, $2, $3)
			ON CONFLICT (slot) DO NOTHING`, int64(nid), nkey, tx.now.UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		created = n == 1
		return tx.QueryRowContext(ctx, "SELECT sdkappid, secret_key FROM apps WHERE slot = 'dev'").Scan(&id, &key)
	})
	return uint64(id), key, created, err
}
