package sqlstore

import (
	"context"
	"slices"

	"github.com/timd/timd/internal/im"
)

// Friend lists: the sns group_add and group_delete commands (not groups of
// group_open_http_svc). A call that changes nothing moves no sequence.

// AddFriendLists creates lists and fills the new ones in one transaction.
func (db *DB) AddFriendLists(ctx context.Context, op im.Op, from string, names, to []string) (int64, []*im.Error, error) {
	var (
		seq     int64
		results []*im.Error
	)
	err := db.write(ctx, func(tx *Tx) error {
		// The friends named are locked too, so that none can be deleted
		// (with its friend rows) between the check and the insert.
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, append([]string{from}, to...)...)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		missing, err := s.missingLists(from, names)
		if err != nil {
			return err
		}
		have, err := s.listCount(from)
		if err != nil {
			return err
		}
		if have+len(missing) > im.MaxFriendLists {
			return im.Errorf(im.CodeSNSListLimit, "%s has %d friend lists; %d more would exceed the limit of %d",
				from, have, len(missing), im.MaxFriendLists)
		}
		for _, name := range missing {
			if err := s.createList(from, name); err != nil {
				return err
			}
		}
		results = make([]*im.Error, len(to))
		for i, peer := range to {
			ok, err := s.isFriend(from, peer)
			if err != nil {
				return err
			}
			if !ok {
				results[i] = errListNotFriend
				continue
			}
			// Only the lists this call created are filled: an existing
			// list is left as it is.
			for _, name := range missing {
				if _, err := s.addToList(from, name, peer); err != nil {
					return err
				}
			}
		}
		if err := s.flush(); err != nil {
			return err
		}
		seq, _, _, err = snsSeqs(ctx, tx, s.app, from)
		return err
	})
	return seq, results, err
}

// DeleteFriendLists deletes lists in one transaction, all or none.
func (db *DB) DeleteFriendLists(ctx context.Context, op im.Op, from string, names []string) (int64, error) {
	var seq int64
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, from)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		missing, err := s.missingLists(from, names)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return im.Errorf(im.CodeSNSInvalid, "friend list %q does not exist", missing[0])
		}
		var members int64
		for _, name := range slices.Compact(slices.Sorted(slices.Values(names))) {
			res, err := tx.ExecContext(ctx, "DELETE FROM friend_list_members WHERE app_id = $1 AND user_id = $2 AND name = $3",
				s.app, from, name)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err != nil {
				return err
			}
			members += n
			if _, err := tx.ExecContext(ctx, "DELETE FROM friend_lists WHERE app_id = $1 AND user_id = $2 AND name = $3",
				s.app, from, name); err != nil {
				return err
			}
		}
		// Friends who were in a deleted list lose it from Tag_SNS_IM_Group,
		// a standard field.
		s.mark(from, bump{list: true, std: members > 0})
		if err := s.flush(); err != nil {
			return err
		}
		seq, _, _, err = snsSeqs(ctx, tx, s.app, from)
		return err
	})
	return seq, err
}
