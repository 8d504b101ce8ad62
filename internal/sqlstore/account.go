package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
)

// ImportAccounts creates or updates accounts in one transaction.
func (db *DB) ImportAccounts(ctx context.Context, app uint64, accounts []im.AccountImport) error {
	// Rows are written in UserID order, so that two batches naming the same
	// accounts in different orders lock them in the same order and cannot
	// deadlock on PostgreSQL. The stable sort keeps a repeated id's last
	// values last.
	sorted := slices.Clone(accounts)
	slices.SortStableFunc(sorted, func(a, b im.AccountImport) int { return strings.Compare(a.UserID, b.UserID) })
	return db.write(ctx, func(tx *Tx) error {
		for _, a := range sorted {
			if err := importAccount(ctx, tx, app, a); err != nil {
				return err
			}
		}
		return nil
	})
}

// importAccount upserts one account. A NULL profile field means "not given":
// it is stored as ” on create and left alone on update.
func importAccount(ctx context.Context, tx *Tx, app uint64, a im.AccountImport) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO accounts (app_id, user_id, nick, face_url, created_at)
		VALUES ($1, $2, COALESCE($3, ''), COALESCE($4, ''), $5)
		ON CONFLICT (app_id, user_id) DO UPDATE
		SET nick = COALESCE($3, accounts.nick), face_url = COALESCE($4, accounts.face_url)`,
		int64(app), a.UserID, a.Nick, a.FaceURL, tx.now.UnixMilli())
	return err
}

// DeleteAccounts deletes accounts and everything that hangs off them in one
// transaction.
func (db *DB) DeleteAccounts(ctx context.Context, app uint64, userIDs []string) ([]bool, error) {
	// Accounts are deleted in UserID order (see ImportAccounts); a repeated
	// id existed only for its first occurrence in the request.
	order := make([]int, len(userIDs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return strings.Compare(userIDs[a], userIDs[b]) })
	var existed []bool
	err := db.write(ctx, func(tx *Tx) error {
		existed = make([]bool, len(userIDs))
		for _, i := range order {
			ok, err := deleteAccount(ctx, tx, app, userIDs[i])
			if err != nil {
				return err
			}
			existed[i] = ok
		}
		return nil
	})
	return existed, err
}

// deleteAccount removes one account. Each capability that keeps per-user
// state adds its cascade step here, so the whole deletion stays one
// transaction (decisions.md §2). A cascade records no callback events.
func deleteAccount(ctx context.Context, tx *Tx, app uint64, userID string) (bool, error) {
	if !im.ValidUserID(userID) {
		return false, nil // never imported (see accountExists)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil || n == 0 {
		return false, err
	}
	if err := leaveAllGroups(ctx, tx, app, userID); err != nil {
		return false, err
	}
	if err := deleteSNSState(ctx, tx, app, userID); err != nil {
		return false, err
	}
	return true, deleteContactState(ctx, tx, app, userID)
}

// leaveAllGroups is account_delete's group step: the user leaves every
// group, and groups the user owned stay without an owner.
func leaveAllGroups(ctx context.Context, tx *Tx, app uint64, userID string) error {
	for _, q := range []string{
		`UPDATE im_groups SET owner = '' WHERE app_id = $1 AND owner = $2`,
		`UPDATE im_groups SET member_num = member_num - 1
			WHERE app_id = $1 AND seq IN (SELECT group_seq FROM group_members WHERE app_id = $1 AND user_id = $2)`,
		`DELETE FROM group_members WHERE app_id = $1 AND user_id = $2`,
	} {
		if _, err := tx.ExecContext(ctx, q, int64(app), userID); err != nil {
			return err
		}
	}
	return nil
}

// CheckAccounts reports which ids are imported.
func (db *DB) CheckAccounts(ctx context.Context, app uint64, userIDs []string) ([]bool, error) {
	var imported []bool
	err := db.read(ctx, func(tx *Tx) error {
		imported = make([]bool, len(userIDs))
		for i, id := range userIDs {
			ok, err := accountExists(ctx, tx, app, id)
			if err != nil {
				return err
			}
			imported[i] = ok
		}
		return nil
	})
	return imported, err
}

// accountExists reports whether userID is imported in app. An id that is
// not a valid UserID was never imported, so the database is not asked
// (PostgreSQL would fail on a NUL byte instead of finding nothing).
func accountExists(ctx context.Context, tx *Tx, app uint64, userID string) (bool, error) {
	if !im.ValidUserID(userID) {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), userID).Scan(&n)
	return n > 0, err
}

// EnsureAccounts imports the ids that do not exist yet.
func (db *DB) EnsureAccounts(ctx context.Context, app uint64, userIDs []string) error {
	return db.write(ctx, func(tx *Tx) error {
		for _, id := range userIDs {
			_, err := tx.ExecContext(ctx, `
				INSERT INTO accounts (app_id, user_id, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (app_id, user_id) DO NOTHING`, int64(app), id, tx.now.UnixMilli())
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// FindAccount returns one account, or 70107 if it is not imported.
func (db *DB) FindAccount(ctx context.Context, app uint64, userID string) (*im.Account, error) {
	var a im.Account
	err := db.read(ctx, func(tx *Tx) error {
		var created int64
		err := tx.QueryRowContext(ctx,
			"SELECT user_id, nick, face_url, created_at FROM accounts WHERE app_id = $1 AND user_id = $2",
			int64(app), userID).Scan(&a.UserID, &a.Nick, &a.FaceURL, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return im.Errorf(im.CodeAccountNotFound, "Err_TLS_PT_Open_Login_Account_Not_Exist")
		}
		a.CreatedAt = msTime(created)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}
