package sqlstore

import (
	"context"
	"slices"
)

// deleteSNSState is account_delete's sns step: every friend row of the
// user and naming the user, the user's lists and sequences. Users who lose
// the deleted user as a friend see their StandardSequence move (and their
// CurrentSequence, if the user was in one of their lists, and their
// CustomSequence, if the row had custom fields), as after a friend_delete.
// A cascade records no events.
func deleteSNSState(ctx context.Context, tx *Tx, app uint64, userID string) error {
	s := &snsTx{ctx: ctx, tx: tx, app: int64(app), changed: map[string]bump{}}
	rows, err := tx.QueryContext(ctx, "DELETE FROM friends WHERE app_id = $1 AND friend_id = $2 RETURNING user_id, custom", s.app, userID)
	if err != nil {
		return err
	}
	for rows.Next() {
		var peer, custom string
		if err := rows.Scan(&peer, &custom); err != nil {
			rows.Close()
			return err
		}
		s.mark(peer, bump{std: true, custom: custom != "[]"})
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	if rows, err = tx.QueryContext(ctx, "DELETE FROM friend_list_members WHERE app_id = $1 AND friend_id = $2 RETURNING user_id", s.app, userID); err != nil {
		return err
	}
	for rows.Next() {
		var peer string
		if err := rows.Scan(&peer); err != nil {
			rows.Close()
			return err
		}
		s.mark(peer, bump{list: true, std: true})
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	blockers, err := queryStrings(ctx, tx, "DELETE FROM blacklist WHERE app_id = $1 AND black_id = $2 RETURNING user_id", s.app, userID)
	if err != nil {
		return err
	}
	for _, q := range []string{
		"DELETE FROM blacklist WHERE app_id = $1 AND user_id = $2",
		"DELETE FROM friends WHERE app_id = $1 AND user_id = $2",
		"DELETE FROM friend_list_members WHERE app_id = $1 AND user_id = $2",
		"DELETE FROM friend_lists WHERE app_id = $1 AND user_id = $2",
		"DELETE FROM sns_users WHERE app_id = $1 AND user_id = $2",
	} {
		if _, err := tx.ExecContext(ctx, q, s.app, userID); err != nil {
			return err
		}
	}
	if err := deleteFriendRequests(ctx, tx, s.app, userID); err != nil {
		return err
	}
	delete(s.changed, userID) // a friend of oneself cannot be, but never resurrect the row
	if err := s.flush(); err != nil {
		return err
	}
	// Users who had the deleted user in their blocklist see their
	// blocklist sequence move, as after a black_list_delete.
	slices.Sort(blockers)
	for _, u := range slices.Compact(blockers) {
		if u == userID {
			continue
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sns_users SET black_seq = black_seq + 1 WHERE app_id = $1 AND user_id = $2", s.app, u); err != nil {
			return err
		}
	}
	return nil
}
