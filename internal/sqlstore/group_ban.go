package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// AVChatRoom bans (docs/fidelity/group-admin.md#avchatroom-bans):
// group_bans rows of the room's seq. A ban is looked at against now, so one
// that has run out is no ban; the purge takes its row away later.

// banRoom finds the group a ban command names (under its lock for a
// write): 10010 if there is none, 10007 unless it is an AVChatRoom, the
// only type the ban pages list as supported.
func banRoom(ctx context.Context, tx *Tx, app uint64, groupID string, lock bool) (*im.Group, error) {
	g, err := findGroup(ctx, tx, app, groupID, lock)
	if err != nil {
		return nil, err
	}
	if g.Type != im.GroupAVChatRoom {
		return nil, im.Errorf(im.CodeGroupForbidden, "only an AVChatRoom takes bans, group %s is a %s", groupID, g.Type)
	}
	return g, nil
}

// banAccounts runs fn on the AVChatRoom groupID under its lock, once every
// account in userIDs is known to be imported (10019).
func (db *DB) banAccounts(ctx context.Context, op im.Op, groupID string, userIDs []string, fn func(tx *Tx, g *im.Group) error) error {
	return db.write(ctx, func(tx *Tx) error {
		exists, err := lockAccounts(ctx, tx, op.App.SDKAppID, userIDs)
		if err != nil {
			return err
		}
		g, err := banRoom(ctx, tx, op.App.SDKAppID, groupID, true)
		if err != nil {
			return err
		}
		if err := missingAccount(userIDs, exists); err != nil {
			return err
		}
		return fn(tx, g)
	})
}

// BanMembers bans the accounts from the room until seconds from now; a
// ban given again replaces the one running.
func (db *DB) BanMembers(ctx context.Context, op im.Op, groupID string, userIDs []string, seconds int64, description string) error {
	return db.banAccounts(ctx, op, groupID, userIDs, func(tx *Tx, g *im.Group) error {
		until := tx.now.Unix() + seconds
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO group_bans (app_id, group_seq, user_id, banned_until, description) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (app_id, group_seq, user_id) DO UPDATE SET banned_until = excluded.banned_until, description = excluded.description`,
				int64(op.App.SDKAppID), g.Seq, id, until, description); err != nil {
				return err
			}
		}
		return nil
	})
}

// UnbanMembers lifts the accounts' bans; an account not banned is let be.
func (db *DB) UnbanMembers(ctx context.Context, op im.Op, groupID string, userIDs []string) error {
	return db.banAccounts(ctx, op, groupID, userIDs, func(tx *Tx, g *im.Group) error {
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, "DELETE FROM group_bans WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
				int64(op.App.SDKAppID), g.Seq, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// BannedMembers reads limit of the room's running bans from offset, the
// soonest to end first (ties by account), and one more to tell whether a
// next page exists.
func (db *DB) BannedMembers(ctx context.Context, app uint64, groupID string, offset, limit int) (im.GroupBanPage, error) {
	var page im.GroupBanPage
	err := db.read(ctx, func(tx *Tx) error {
		g, err := banRoom(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT user_id, banned_until FROM group_bans
			WHERE app_id = $1 AND group_seq = $2 AND banned_until > $3
			ORDER BY banned_until, user_id LIMIT CAST($4 AS BIGINT) OFFSET $5`,
			int64(app), g.Seq, tx.now.Unix(), limit+1, offset)
		if err != nil {
			return err
		}
		page = im.GroupBanPage{Bans: []im.GroupBan{}}
		for rows.Next() {
			var b im.GroupBan
			if err := rows.Scan(&b.Member_Account, &b.BannedUntil); err != nil {
				rows.Close()
				return err
			}
			page.Bans = append(page.Bans, b)
		}
		if len(page.Bans) > limit {
			page.Bans, page.NextOffset = page.Bans[:limit], offset+limit
		}
		return closeRows(rows)
	})
	return page, err
}

// roomBanned reports whether userID is banned from the AVChatRoom now.
func roomBanned(ctx context.Context, tx *Tx, app uint64, groupSeq int64, userID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_bans WHERE app_id = $1 AND group_seq = $2 AND user_id = $3 AND banned_until > $4",
		int64(app), groupSeq, userID, tx.now.Unix()).Scan(&n)
	return n > 0, err
}

// deleteGroupBans forgets the bans of a dismissed group.
func deleteGroupBans(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_bans WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}

// forgetAccountBans forgets a deleted account's bans: an account imported
// again under its UserID starts afresh, as with its mutes.
func forgetAccountBans(ctx context.Context, tx *Tx, app uint64, userID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_bans WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	return err
}
