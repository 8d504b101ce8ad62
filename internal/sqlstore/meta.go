package sqlstore

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
)

// loadNonce reads the database's nonce (migration 0008), drawing and storing
// one on the first open. Instances opening one PostgreSQL database at once
// agree: the first insert wins and each reads the stored value back.
func (db *DB) loadNonce(ctx context.Context) error {
	const read = "SELECT nonce FROM meta WHERE id = 1"
	err := db.w.QueryRowContext(ctx, read).Scan(&db.nonce)
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	var b [8]byte
	if _, err := crand.Read(b[:]); err != nil {
		return err
	}
	if _, err := db.w.ExecContext(ctx, "INSERT INTO meta (id, nonce) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
		hex.EncodeToString(b[:])); err != nil {
		return err
	}
	return db.w.QueryRowContext(ctx, read).Scan(&db.nonce)
}

// Nonce is 16 hex digits drawn at random when the database was first
// opened, the same for every instance and every restart on it.
func (db *DB) Nonce() string { return db.nonce }
