package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"

	"github.com/timd/timd/internal/im"
)

// friend_update, friend_delete_all and friend_get_list.

// Per-item outcomes of friend_update. Err_SNS_FriendUpdate_Group_Num_Exceed_Threshold
// is Tencent's (269/12525 sample); the others follow its pattern.
var (
	errUpdNotFriend = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendUpdate_Friend_Not_Exist"}
	errUpdListLimit = &im.Error{Code: im.CodeSNSListLimit, Info: "Err_SNS_FriendUpdate_Group_Num_Exceed_Threshold"}
	errUpdCustom    = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendUpdate_Custom_Num_Exceed_Threshold"}
)

// UpdateFriends applies friend_update in one transaction; no event.
func (db *DB) UpdateFriends(ctx context.Context, op im.Op, from string, items []im.FriendUpdate) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, from)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		results = make([]*im.Error, len(items))
		for i, it := range items {
			if results[i], err = s.updateFriend(from, it); err != nil {
				return err
			}
		}
		return s.flush()
	})
	return results, err
}

// updateFriend applies one UpdateItem, whole or not at all.
func (s *snsTx) updateFriend(from string, it im.FriendUpdate) (*im.Error, error) {
	var custom string
	err := s.tx.QueryRowContext(s.ctx, "SELECT custom FROM friends WHERE app_id = $1 AND user_id = $2 AND friend_id = $3",
		s.app, from, it.To).Scan(&custom)
	if isNoRows(err) || !im.ValidUserID(it.To) {
		return errUpdNotFriend, nil
	}
	if err != nil {
		return nil, err
	}
	var merged []im.CustomItem
	if err := json.Unmarshal([]byte(custom), &merged); err != nil {
		return nil, err
	}
	for _, c := range it.Custom {
		if j := slices.IndexFunc(merged, func(m im.CustomItem) bool { return m.Tag == c.Tag }); j >= 0 {
			merged[j] = c
		} else {
			merged = append(merged, c)
		}
	}
	if len(merged) > im.MaxCustomFriendFields {
		return errUpdCustom, nil
	}
	if it.Lists != nil {
		if res, err := s.listRoom(from, *it.Lists, errUpdListLimit); res != nil || err != nil {
			return res, err
		}
	}
	return nil, s.applyUpdate(from, it, merged)
}

// applyUpdate writes an UpdateItem that passed its checks.
func (s *snsTx) applyUpdate(from string, it im.FriendUpdate, custom []im.CustomItem) error {
	if it.Remark != nil {
		if _, err := s.tx.ExecContext(s.ctx, `UPDATE friends SET remark = $4, remark_time = $5
			WHERE app_id = $1 AND user_id = $2 AND friend_id = $3`, s.app, from, it.To, *it.Remark, s.tx.now.Unix()); err != nil {
			return err
		}
		s.mark(from, bump{std: true})
	}
	if len(it.Custom) > 0 {
		b, err := json.Marshal(custom)
		if err != nil {
			return err
		}
		if _, err := s.tx.ExecContext(s.ctx, "UPDATE friends SET custom = $4 WHERE app_id = $1 AND user_id = $2 AND friend_id = $3",
			s.app, from, it.To, string(b)); err != nil {
			return err
		}
		s.mark(from, bump{custom: true})
	}
	if it.Lists == nil {
		return nil
	}
	return s.setLists(from, it.To, *it.Lists)
}

// setLists makes names the lists holding friend, creating the missing
// ones; only an actual change moves the sequences.
func (s *snsTx) setLists(user, friend string, names []string) error {
	before, err := queryStrings(s.ctx, s.tx, "SELECT name FROM friend_list_members WHERE app_id = $1 AND user_id = $2 AND friend_id = $3",
		s.app, user, friend)
	if err != nil {
		return err
	}
	for _, name := range before {
		if slices.Contains(names, name) {
			continue
		}
		if _, err := s.tx.ExecContext(s.ctx, "DELETE FROM friend_list_members WHERE app_id = $1 AND user_id = $2 AND name = $3 AND friend_id = $4",
			s.app, user, name, friend); err != nil {
			return err
		}
		s.mark(user, bump{list: true, std: true})
	}
	missing, err := s.missingLists(user, names)
	if err != nil {
		return err
	}
	for _, name := range missing {
		if err := s.createList(user, name); err != nil {
			return err
		}
	}
	for _, name := range names {
		if _, err := s.addToList(user, name, friend); err != nil {
			return err
		}
	}
	return nil
}

// DeleteAllFriends removes every friend of from in one transaction.
func (db *DB) DeleteAllFriends(ctx context.Context, op im.Op, from string, both bool) error {
	return db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, from)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		peers, err := queryStrings(ctx, tx, "SELECT friend_id FROM friends WHERE app_id = $1 AND user_id = $2 ORDER BY friend_id", s.app, from)
		if err != nil {
			return err
		}
		// Lock the friends too, in UserID order, before changing their rows.
		if both {
			if s, err = lockSNS(ctx, tx, op.App.SDKAppID, append([]string{from}, peers...)...); err != nil {
				return err
			}
		}
		pairs := []im.FriendPair{}
		for _, peer := range peers {
			if _, err := s.removeFriend(from, peer); err != nil {
				return err
			}
			pairs = append(pairs, im.FriendPair{From: from, To: peer})
			if !both || peer == from {
				continue
			}
			removed, err := s.removeFriend(peer, from)
			if err != nil {
				return err
			}
			if removed {
				pairs = append(pairs, im.FriendPair{From: peer, To: from})
			}
		}
		if err := s.flush(); err != nil || len(pairs) == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.FriendDeleteBody{From: from, PairList: pairs})
	})
}

// FriendInfos reads friend_get_list: each To_Account's friend row (with
// its lists) and profile.
func (db *DB) FriendInfos(ctx context.Context, app uint64, from string, to []string) ([]im.FriendInfo, error) {
	var out []im.FriendInfo
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireSNSUser(ctx, tx, app, from); err != nil {
			return err
		}
		out = make([]im.FriendInfo, len(to))
		for i, peer := range to {
			if !im.ValidUserID(peer) {
				continue
			}
			f, err := friendRow(ctx, tx, int64(app), from, peer)
			if err != nil || f == nil {
				return err
			}
			fs := []im.Friend{*f}
			if err := fillLists(ctx, tx, int64(app), from, fs); err != nil {
				return err
			}
			out[i].Friend = &fs[0]
			if out[i].Profile, err = readProfileTags(ctx, tx, int64(app), peer); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// friendRow reads the row "user has friend", nil if there is none.
func friendRow(ctx context.Context, tx *Tx, app int64, user, friend string) (*im.Friend, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT friend_id, remark, remark_time, add_source, add_wording, add_time, custom
		FROM friends WHERE app_id = $1 AND user_id = $2 AND friend_id = $3`, app, user, friend)
	if err != nil {
		return nil, err
	}
	fs, err := scanFriends(rows)
	if err != nil || len(fs) == 0 {
		return nil, err
	}
	return &fs[0], nil
}

// readProfileTags reads an account's profile fields by tag: Nick and Image
// from the account when not empty, the others from profiles.
func readProfileTags(ctx context.Context, tx *Tx, app int64, user string) (map[string]json.RawMessage, error) {
	out := map[string]json.RawMessage{}
	var nick, face string
	if err := tx.QueryRowContext(ctx, "SELECT nick, face_url FROM accounts WHERE app_id = $1 AND user_id = $2",
		app, user).Scan(&nick, &face); err != nil && !isNoRows(err) {
		return nil, err
	}
	for tag, v := range map[string]string{im.TagProfileNick: nick, im.TagProfileImage: face} {
		if v != "" {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			out[tag] = b
		}
	}
	rows, err := tx.QueryContext(ctx, "SELECT tag, value FROM profiles WHERE app_id = $1 AND user_id = $2", app, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var tag, value string
		if err := rows.Scan(&tag, &value); err != nil {
			return nil, err
		}
		out[tag] = json.RawMessage(value)
	}
	return out, rows.Err()
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
