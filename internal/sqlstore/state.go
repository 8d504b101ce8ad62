package sqlstore

import (
	"context"
	"slices"

	"github.com/timd/timd/internal/im"
)

// Online state: one online_states row per platform an account is logged in
// on (docs/fidelity/state.md).

// QueryStates reads the state of each id, in the order given.
func (db *DB) QueryStates(ctx context.Context, app uint64, userIDs []string) ([]im.AccountState, error) {
	var states []im.AccountState
	err := db.read(ctx, func(tx *Tx) error {
		states = make([]im.AccountState, len(userIDs))
		for i, id := range userIDs {
			st, err := queryState(ctx, tx, app, id)
			if err != nil {
				return err
			}
			states[i] = st
		}
		return nil
	})
	return states, err
}

// queryState reads one account's state: Imported false, and nothing else
// read, for an id that is not imported.
func queryState(ctx context.Context, tx *Tx, app uint64, userID string) (im.AccountState, error) {
	st := im.AccountState{UserID: userID, Status: im.StatusOffline}
	ok, err := accountExists(ctx, tx, app, userID)
	if err != nil || !ok {
		return st, err
	}
	st.Imported = true
	rows, err := tx.QueryContext(ctx,
		"SELECT platform, status FROM online_states WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var d im.PlatformState
		if err := rows.Scan(&d.Platform, &d.Status); err != nil {
			rows.Close()
			return st, err
		}
		st.Detail = append(st.Detail, d)
	}
	if err := closeRows(rows); err != nil {
		return st, err
	}
	slices.SortFunc(st.Detail, func(a, b im.PlatformState) int {
		return slices.Index(im.Platforms, a.Platform) - slices.Index(im.Platforms, b.Platform)
	})
	st.Status = im.OverallStatus(st.Detail)
	return st, nil
}

// SetState applies one change to an imported account and records
// State.StateChange in the same transaction.
func (db *DB) SetState(ctx context.Context, op im.Op, ch im.StateChange) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := lockAccount(ctx, tx, op.App.SDKAppID, ch.UserID); err != nil {
			return err
		}
		if err := setPlatformStatus(ctx, tx, op.App.SDKAppID, ch.UserID, ch.Platform, im.StatusOf(ch.Action)); err != nil {
			return err
		}
		body := im.StateChangeBody{Info: im.StateInfo{Action: ch.Action, To: ch.UserID, Reason: ch.Reason}}
		for _, p := range ch.Kicked {
			if err := setPlatformStatus(ctx, tx, op.App.SDKAppID, ch.UserID, p, im.StatusOffline); err != nil {
				return err
			}
			body.KickedDevice = append(body.KickedDevice, im.KickedDevice{Platform: p})
		}
		return recordEvent(ctx, tx, op, body)
	})
}

// lockAccount holds an imported account's row (lockAccounts) or answers
// 70107.
func lockAccount(ctx context.Context, tx *Tx, app uint64, userID string) error {
	exists, err := lockAccounts(ctx, tx, app, []string{userID})
	if err != nil {
		return err
	}
	if !exists[userID] {
		return im.Errorf(im.CodeAccountNotFound, "Err_TLS_PT_Open_Login_Account_Not_Exist")
	}
	return nil
}

// setPlatformStatus stores one platform's status; Offline deletes its row.
func setPlatformStatus(ctx context.Context, tx *Tx, app uint64, userID, platform, status string) error {
	if status == im.StatusOffline {
		_, err := tx.ExecContext(ctx, "DELETE FROM online_states WHERE app_id = $1 AND user_id = $2 AND platform = $3",
			int64(app), userID, platform)
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO online_states (app_id, user_id, platform, status, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (app_id, user_id, platform) DO UPDATE SET status = $4, updated_at = $5`,
		int64(app), userID, platform, status, tx.now.UnixMilli())
	return err
}

// Kick logs an imported account out of every platform; if it was on one,
// State.StateChange (Logout, im.KickReason) is recorded with the change.
func (db *DB) Kick(ctx context.Context, op im.Op, userID string) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := lockAccount(ctx, tx, op.App.SDKAppID, userID); err != nil {
			return err
		}
		n, err := deleteStates(ctx, tx, op.App.SDKAppID, userID)
		if err != nil || n == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.StateChangeBody{
			Info: im.StateInfo{Action: im.ActionLogout, To: userID, Reason: im.KickReason}})
	})
}

// deleteStates deletes every state row of an account and says how many
// there were. account_delete's cascade calls it too.
func deleteStates(ctx context.Context, tx *Tx, app uint64, userID string) (int64, error) {
	res, err := tx.ExecContext(ctx, "DELETE FROM online_states WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// OnlineMemberNum counts the group's members with the status Online on at
// least one platform.
func (db *DB) OnlineMemberNum(ctx context.Context, app uint64, groupSeq int64) (int, error) {
	var n int
	err := db.read(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM group_members m
			WHERE m.app_id = $1 AND m.group_seq = $2 AND EXISTS (
				SELECT 1 FROM online_states s WHERE s.app_id = m.app_id AND s.user_id = m.user_id AND s.status = $3)`,
			int64(app), groupSeq, im.StatusOnline).Scan(&n)
	})
	return n, err
}
