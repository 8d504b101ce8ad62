package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

var _ im.NoSpeakingService = (*DB)(nil)

// The global mute of an account (openconfigsvr setnospeaking,
// getnospeaking): one no_speaking row per account muted, the period of
// each kind and when it ends (unix seconds). sendmsg refuses a one-to-one
// message while c2c_until is ahead (20012), send_group_msg a group
// message while group_until is (10017).

// noSpeakingRow reads an account's row; zero values when it has none.
func noSpeakingRow(ctx context.Context, tx *Tx, app uint64, userID string) (c2cSecs, c2cUntil, groupSecs, groupUntil int64, err error) {
	m, known := tx.wc.mute(app, userID)
	if !known {
		err = tx.QueryRowContext(ctx, `SELECT c2c_secs, c2c_until, group_secs, group_until FROM no_speaking
			WHERE app_id = $1 AND user_id = $2`, int64(app), userID).Scan(&m.c2cSecs, &m.c2cUntil, &m.groupSecs, &m.groupUntil)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = nil
			tx.wc.putMute(app, userID, m)
		case err == nil:
			tx.wc.putMute(app, userID, m)
		}
	}
	return m.c2cSecs, m.c2cUntil, m.groupSecs, m.groupUntil, err
}

// noSpeakingFor is the configured period while it runs, 0 after its end.
func noSpeakingFor(secs, until, now int64) int64 {
	if until > now {
		return secs
	}
	return 0
}

// SetNoSpeaking sets the periods given, each from now.
func (db *DB) SetNoSpeaking(ctx context.Context, app uint64, userID string, c2c, group *int64) error {
	return db.write(ctx, func(tx *Tx) error {
		exists, err := lockAccounts(ctx, tx, app, []string{userID})
		if err != nil {
			return err
		}
		if !exists[userID] {
			return im.Errorf(im.CodeConfigNoAccount, "account %s is not imported", userID)
		}
		cs, cu, gs, gu, err := noSpeakingRow(ctx, tx, app, userID)
		if err != nil {
			return err
		}
		if c2c != nil {
			cs, cu = *c2c, muteUntil(tx.now, *c2c)
		}
		if group != nil {
			gs, gu = *group, muteUntil(tx.now, *group)
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO no_speaking (app_id, user_id, c2c_secs, c2c_until, group_secs, group_until)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (app_id, user_id) DO UPDATE SET c2c_secs = excluded.c2c_secs, c2c_until = excluded.c2c_until,
				group_secs = excluded.group_secs, group_until = excluded.group_until`,
			int64(app), userID, cs, cu, gs, gu)
		return err
	})
}

// GetNoSpeaking reads the periods of an account that still run.
func (db *DB) GetNoSpeaking(ctx context.Context, app uint64, userID string) (im.NoSpeaking, error) {
	var out im.NoSpeaking
	err := db.read(ctx, func(tx *Tx) error {
		ok, err := accountExists(ctx, tx, app, userID)
		if err != nil {
			return err
		}
		if !ok {
			return im.Errorf(im.CodeConfigNoAccount, "account %s is not imported", userID)
		}
		cs, cu, gs, gu, err := noSpeakingRow(ctx, tx, app, userID)
		now := tx.now.Unix()
		out = im.NoSpeaking{C2C: noSpeakingFor(cs, cu, now), Group: noSpeakingFor(gs, gu, now)}
		return err
	})
	return out, err
}

// globallyMuted reports whether userID may not send one-to-one (group
// false) or group (group true) messages now.
func globallyMuted(ctx context.Context, tx *Tx, app uint64, userID string, group bool) (bool, error) {
	if !im.ValidUserID(userID) {
		return false, nil
	}
	_, cu, _, gu, err := noSpeakingRow(ctx, tx, app, userID)
	until := cu
	if group {
		until = gu
	}
	return until > tx.now.Unix(), err
}

// deleteNoSpeaking is account_delete's step for the global mute.
func deleteNoSpeaking(ctx context.Context, tx *Tx, app uint64, userID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM no_speaking WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	return err
}
