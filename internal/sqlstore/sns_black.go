package sqlstore

import (
	"context"
	"time"

	"github.com/timd/timd/internal/im"
)

// Blocklists: black_list_add, black_list_delete, black_list_get,
// black_list_check, and the checks friend_add makes against them.

var _ im.SNSMoreService = (*DB)(nil)

// Per-item outcomes. Err_SNS_BlackListAdd_Already_Exist is Tencent's
// (1047/34911 sample); the other texts follow its pattern and are timd's.
var (
	errBlackSelf      = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_BlackListAdd_Cannot_Add_Self"}
	errBlackExists    = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_BlackListAdd_Already_Exist"}
	errBlackNoAccount = &im.Error{Code: im.CodeSNSAccountNotFound, Info: "Err_SNS_BlackListAdd_Account_Not_Exist"}
	errBlackFull      = &im.Error{Code: im.CodeSNSBlacklistLimit, Info: "Err_SNS_BlackListAdd_Black_Num_Exceed_Threshold"}
	errBlackNotExist  = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_BlackListDelete_Not_Exist"}
	errAddPeerBlocked = &im.Error{Code: im.CodeSNSPeerBlocked, Info: "Err_SNS_FriendAdd_Peer_In_Black_List"}
	errAddBlockedBy   = &im.Error{Code: im.CodeSNSBlockedByPeer, Info: "Err_SNS_FriendAdd_In_Peer_Black_List"}
)

// hasBlocked reports whether user has other in its blocklist.
func hasBlocked(ctx context.Context, tx *Tx, app int64, user, other string) (bool, error) {
	if !im.ValidUserID(user) || !im.ValidUserID(other) {
		return false, nil
	}
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM blacklist WHERE app_id = $1 AND user_id = $2 AND black_id = $3",
		app, user, other).Scan(&n)
	return n > 0, err
}

// blockedEitherWay returns friend_add's failure when from blocks to
// (30515) or to blocks from (30525), nil otherwise.
func (s *snsTx) blockedEitherWay(from, to string) (*im.Error, error) {
	if b, err := hasBlocked(s.ctx, s.tx, s.app, from, to); err != nil || b {
		return errAddPeerBlocked, err
	}
	if b, err := hasBlocked(s.ctx, s.tx, s.app, to, from); err != nil || b {
		return errAddBlockedBy, err
	}
	return nil, nil
}

// AddBlacklist blocks accounts in one transaction.
func (db *DB) AddBlacklist(ctx context.Context, op im.Op, from string, to []string) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, append([]string{from}, to...)...)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		var count int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM blacklist WHERE app_id = $1 AND user_id = $2",
			s.app, from).Scan(&count); err != nil {
			return err
		}
		results = make([]*im.Error, len(to))
		blocked, unfriended := []im.FriendPair{}, []im.FriendPair{}
		for i, peer := range to {
			if results[i], err = s.blockOne(from, peer, count); err != nil {
				return err
			}
			if results[i] != nil {
				continue
			}
			count++
			blocked = append(blocked, im.FriendPair{From: from, To: peer})
			if unfriended, err = s.unfriendBoth(from, peer, unfriended); err != nil {
				return err
			}
		}
		if err := s.flushBlack(from, len(blocked) > 0); err != nil || len(blocked) == 0 {
			return err
		}
		if err := recordEvent(ctx, tx, op, im.BlackListAddBody{From: from, PairList: blocked}); err != nil || len(unfriended) == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.FriendDeleteBody{From: from, PairList: unfriended})
	})
	return results, err
}

// blockOne puts peer in from's blocklist, which holds count accounts, or
// returns the item's failure.
func (s *snsTx) blockOne(from, peer string, count int) (*im.Error, error) {
	switch {
	case peer == from:
		return errBlackSelf, nil
	case !s.exists[peer]:
		return errBlackNoAccount, nil
	}
	if b, err := hasBlocked(s.ctx, s.tx, s.app, from, peer); err != nil || b {
		return errBlackExists, err
	}
	if count >= im.MaxBlacklist {
		return errBlackFull, nil
	}
	if err := ensureSNSUser(s.ctx, s.tx, s.app, from); err != nil {
		return nil, err
	}
	var pos int64
	if err := s.tx.QueryRowContext(s.ctx, `UPDATE sns_users SET black_pos = black_pos + 1
		WHERE app_id = $1 AND user_id = $2 RETURNING black_pos`, s.app, from).Scan(&pos); err != nil {
		return nil, err
	}
	_, err := s.tx.ExecContext(s.ctx, "INSERT INTO blacklist (app_id, user_id, black_id, add_time, pos) VALUES ($1, $2, $3, $4, $5)",
		s.app, from, peer, s.tx.now.Unix(), pos)
	return nil, err
}

// unfriendBoth removes the friendship of a and b both ways and appends
// the rows removed to pairs.
func (s *snsTx) unfriendBoth(a, b string, pairs []im.FriendPair) ([]im.FriendPair, error) {
	for _, p := range []im.FriendPair{{From: a, To: b}, {From: b, To: a}} {
		removed, err := s.removeFriend(p.From, p.To)
		if err != nil {
			return nil, err
		}
		if removed {
			pairs = append(pairs, p)
		}
	}
	return pairs, nil
}

// flushBlack moves the friend sequences (flush) and, when the blocklist
// changed, user's blocklist sequence.
func (s *snsTx) flushBlack(user string, changed bool) error {
	if err := s.flush(); err != nil || !changed {
		return err
	}
	if err := ensureSNSUser(s.ctx, s.tx, s.app, user); err != nil {
		return err
	}
	_, err := s.tx.ExecContext(s.ctx, "UPDATE sns_users SET black_seq = black_seq + 1 WHERE app_id = $1 AND user_id = $2", s.app, user)
	return err
}

// DeleteBlacklist unblocks accounts in one transaction.
func (db *DB) DeleteBlacklist(ctx context.Context, op im.Op, from string, to []string) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, from)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		results = make([]*im.Error, len(to))
		removed := []im.FriendPair{}
		for i, peer := range to {
			n := int64(0)
			if im.ValidUserID(peer) {
				res, err := tx.ExecContext(ctx, "DELETE FROM blacklist WHERE app_id = $1 AND user_id = $2 AND black_id = $3", s.app, from, peer)
				if err != nil {
					return err
				}
				if n, err = res.RowsAffected(); err != nil {
					return err
				}
			}
			if n == 0 {
				results[i] = errBlackNotExist
				continue
			}
			removed = append(removed, im.FriendPair{From: from, To: peer})
		}
		if err := s.flushBlack(from, len(removed) > 0); err != nil || len(removed) == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.BlackListDeleteBody{From: from, PairList: removed})
	})
	return results, err
}

// Blacklist reads one page of black_list_get, the sequence before the rows.
func (db *DB) Blacklist(ctx context.Context, app uint64, from string, start, limit int) (im.BlacklistPage, error) {
	page := im.BlacklistPage{Items: []im.Blocked{}}
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireSNSUser(ctx, tx, app, from); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(black_seq), 0) FROM sns_users WHERE app_id = $1 AND user_id = $2",
			int64(app), from).Scan(&page.Seq); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT black_id, add_time FROM blacklist WHERE app_id = $1 AND user_id = $2
			ORDER BY pos LIMIT CAST($3 AS BIGINT) OFFSET $4`, int64(app), from, limit+1, start)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				b  im.Blocked
				at int64
			)
			if err := rows.Scan(&b.UserID, &at); err != nil {
				return err
			}
			b.AddTime = time.Unix(at, 0)
			page.Items = append(page.Items, b)
		}
		if len(page.Items) > limit {
			page.Items, page.Next = page.Items[:limit], start+limit
		}
		return rows.Err()
	})
	return page, err
}

// CheckBlacklist answers black_list_check's relations.
func (db *DB) CheckBlacklist(ctx context.Context, app uint64, from string, to []string, both bool) ([]string, error) {
	var out []string
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireSNSUser(ctx, tx, app, from); err != nil {
			return err
		}
		out = make([]string, len(to))
		for i, peer := range to {
			aHasB, err := hasBlocked(ctx, tx, int64(app), from, peer)
			if err != nil {
				return err
			}
			bHasA := false
			if both {
				if bHasA, err = hasBlocked(ctx, tx, int64(app), peer, from); err != nil {
					return err
				}
			}
			out[i] = blackRelation(aHasB, bHasA)
		}
		return nil
	})
	return out, err
}

func blackRelation(aHasB, bHasA bool) string {
	switch {
	case aHasB && bHasA:
		return im.BlackRelationBoth
	case aHasB:
		return im.BlackRelationAWithB
	case bHasA:
		return im.BlackRelationBWithA
	}
	return im.BlackRelationNone
}
