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
//
// Locks are taken in one order by every write, so that none waits for
// another in a circle: accounts rows (in UserID order), then group rows (in
// seq order), then member rows. account_delete therefore deletes every
// accounts row first, then locks the groups of all the deleted users at
// once, then runs the cascades.
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
		var gone []string
		for _, i := range order {
			ok, err := deleteAccountRow(ctx, tx, app, userIDs[i])
			if err != nil {
				return err
			}
			if existed[i] = ok; ok {
				gone = append(gone, userIDs[i])
			}
		}
		if err := lockGroupsOf(ctx, tx, app, gone); err != nil {
			return err
		}
		for _, id := range gone {
			if err := deleteAccountState(ctx, tx, app, id); err != nil {
				return err
			}
		}
		return nil
	})
	return existed, err
}

// deleteAccountRow deletes one accounts row and reports whether there was
// one. On PostgreSQL the delete waits for every write holding the row
// (forKeyShare, forNoKeyUpdate) and keeps later ones waiting until commit,
// after which they find no account: nothing can add a reference to the user
// while the cascade removes them.
func deleteAccountRow(ctx context.Context, tx *Tx, app uint64, userID string) (bool, error) {
	if !im.ValidUserID(userID) {
		return false, nil // never imported (see accountExists)
	}
	res, err := tx.ExecContext(ctx, "DELETE FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// deleteAccountState is the cascade of a deleted account. Each capability that
// keeps per-user state adds its step here, so the whole deletion stays one
// transaction (docs/decisions.md §2.4). A cascade records no callback events.
func deleteAccountState(ctx context.Context, tx *Tx, app uint64, userID string) error {
	if err := leaveAllGroups(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := forgetAccountMutes(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := forgetAccountBans(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := deleteSNSState(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := deleteFollows(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := deleteContactState(ctx, tx, app, userID); err != nil {
		return err
	}
	if _, err := deleteStates(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := deletePushState(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := deleteProfileState(ctx, tx, app, userID); err != nil {
		return err
	}
	if err := deleteNoSpeaking(ctx, tx, app, userID); err != nil {
		return err
	}
	return deleteConversationState(ctx, tx, app, userID)
}

// lockGroupsOf locks, in seq order, every group that users own or belong
// to, before leaveAllGroups changes them: a group write locks its group
// before its member rows, so deleting member rows first could wait for one
// that waits for us. Their memberships can only shrink meanwhile (their
// accounts rows are deleted, so no write can add them), so the groups
// locked cover every group the cascade changes.
func lockGroupsOf(ctx context.Context, tx *Tx, app uint64, users []string) error {
	if len(users) == 0 || !tx.locksRows() {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT seq FROM im_groups WHERE seq IN (
			SELECT group_seq FROM group_members WHERE app_id = $1 AND user_id = ANY($2)
			UNION SELECT seq FROM im_groups WHERE app_id = $1 AND owner = ANY($2))
		ORDER BY seq`+tx.forNoKeyUpdate(), int64(app), users)
	if err != nil {
		return err
	}
	for rows.Next() {
	}
	return closeRows(rows)
}

// leaveAllGroups is account_delete's group step: the user leaves every
// group, and groups the user owned stay without an owner. Each group loses
// one member for each member row the delete returns, so a membership
// removed meanwhile by another call (which locked the group first) is not
// counted twice.
func leaveAllGroups(ctx context.Context, tx *Tx, app uint64, userID string) error {
	if _, err := tx.ExecContext(ctx, `UPDATE im_groups SET owner = '' WHERE app_id = $1 AND owner = $2`,
		int64(app), userID); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, "DELETE FROM group_members WHERE app_id = $1 AND user_id = $2 RETURNING group_seq",
		int64(app), userID)
	if err != nil {
		return err
	}
	var seqs []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			rows.Close()
			return err
		}
		seqs = append(seqs, seq)
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, seq := range seqs {
		if _, err := tx.ExecContext(ctx, "UPDATE im_groups SET member_num = member_num - 1 WHERE app_id = $1 AND seq = $2",
			int64(app), seq); err != nil {
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
// not a valid UserID was never imported, so the database is not asked (nor
// can it be for one with a NUL byte: see storableText).
func accountExists(ctx context.Context, tx *Tx, app uint64, userID string) (bool, error) {
	if !im.ValidUserID(userID) {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx,
		"SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), userID).Scan(&n)
	return n > 0, err
}

// lockAccounts reports which of ids are imported, and holds the accounts
// rows it finds (forKeyShare) until tx ends, so that what tx stores about
// them cannot outlive a concurrent account_delete: the deletion either
// committed before (and the id is reported missing) or waits for tx (and
// then removes what tx added). Every write that stores a reference to an
// account checks it here. The rows are locked in UserID order, as
// account_delete deletes them, and before any group row (see
// DeleteAccounts).
func lockAccounts(ctx context.Context, tx *Tx, app uint64, ids []string) (map[string]bool, error) {
	sorted := make([]string, 0, len(ids))
	for _, id := range ids {
		if im.ValidUserID(id) {
			sorted = append(sorted, id)
		}
	}
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	exists := make(map[string]bool, len(sorted))
	for _, id := range sorted {
		if ok, known := tx.wc.account(app, id); known {
			exists[id] = ok
			continue
		}
		rows, err := tx.QueryContext(ctx, "SELECT 1 FROM accounts WHERE app_id = $1 AND user_id = $2"+tx.forKeyShare(), int64(app), id)
		if err != nil {
			return nil, err
		}
		exists[id] = rows.Next()
		if err := closeRows(rows); err != nil {
			return nil, err
		}
		tx.wc.putAccount(app, id, exists[id])
	}
	return exists, nil
}

// EnsureAccounts imports the ids that do not exist yet.
func (db *DB) EnsureAccounts(ctx context.Context, app uint64, userIDs []string) error {
	return db.write(ctx, func(tx *Tx) error { return ensureAccounts(ctx, tx, app, userIDs) })
}

// ensureAccounts is EnsureAccounts in tx.
func ensureAccounts(ctx context.Context, tx *Tx, app uint64, userIDs []string) error {
	for _, id := range userIDs {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO accounts (app_id, user_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (app_id, user_id) DO NOTHING`, int64(app), id, tx.now.UnixMilli())
		if err != nil {
			return err
		}
	}
	return nil
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
