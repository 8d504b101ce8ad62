package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// friend_add, friend_import and friend_delete. Items are applied in request
// order, each whole or not at all: an item that fails changes nothing.

// Per-item outcomes. The ResultInfo texts follow Tencent's naming; only
// Err_SNS_FriendAdd_Friend_Exist and
// Err_SNS_FriendImport_My_Friend_Num_Exceed_Threshold are confirmed by
// Tencent's material, the others are timd's.
var (
	errAddSelf       = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendAdd_Cannot_Add_Self"}
	errAddExists     = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendAdd_Friend_Exist"}
	errAddNoAccount  = &im.Error{Code: im.CodeSNSAccountNotFound, Info: "Err_SNS_FriendAdd_Account_Not_Exist"}
	errAddMyLimit    = &im.Error{Code: im.CodeSNSFriendLimit, Info: "Err_SNS_FriendAdd_My_Friend_Num_Exceed_Threshold"}
	errAddPeerLimit  = &im.Error{Code: im.CodeSNSPeerFriendLimit, Info: "Err_SNS_FriendAdd_Peer_Friend_Num_Exceed_Threshold"}
	errAddListLimit  = &im.Error{Code: im.CodeSNSListLimit, Info: "Err_SNS_FriendAdd_Group_Num_Exceed_Threshold"}
	errImpSelf       = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendImport_Cannot_Import_Self"}
	errImpExists     = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendImport_Friend_Exist"}
	errImpNoAccount  = &im.Error{Code: im.CodeSNSAccountNotFound, Info: "Err_SNS_FriendImport_Account_Not_Exist"}
	errImpMyLimit    = &im.Error{Code: im.CodeSNSFriendLimit, Info: "Err_SNS_FriendImport_My_Friend_Num_Exceed_Threshold"}
	errImpListLimit  = &im.Error{Code: im.CodeSNSListLimit, Info: "Err_SNS_FriendImport_Group_Num_Exceed_Threshold"}
	errDelNotFriend  = &im.Error{Code: im.CodeSNSNotFriend, Info: "Err_SNS_FriendDelete_Not_Friend"}
	errListNotFriend = &im.Error{Code: im.CodeSNSListNotFriend, Info: "Err_SNS_GroupAdd_ToTinyId_Not_Friend"}
)

// friendItemsLocked lists the users a friend_add or friend_import locks.
func friendItemsLocked(from string, items []im.FriendItem) []string {
	ids := make([]string, 0, len(items)+1)
	ids = append(ids, from)
	for _, it := range items {
		ids = append(ids, it.To)
	}
	return ids
}

// AddFriends adds friends in one transaction and records
// Sns.CallbackFriendAdd for the rows created.
func (db *DB) AddFriends(ctx context.Context, op im.Op, req im.FriendAdd) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, friendItemsLocked(req.From, req.Items)...)
		if err != nil {
			return err
		}
		if err := s.requireUser(req.From); err != nil {
			return err
		}
		results = make([]*im.Error, len(req.Items))
		pairs := []im.FriendAddPair{}
		for i, it := range req.Items {
			fwd, back, res, err := s.addFriend(req.From, it, req.Both, req.Force)
			if err != nil {
				return err
			}
			results[i] = res
			if fwd {
				pairs = append(pairs, im.FriendAddPair{From: req.From, To: it.To, Initiator: req.From})
			}
			if back {
				pairs = append(pairs, im.FriendAddPair{From: it.To, To: req.From, Initiator: req.From})
			}
		}
		if err := s.flush(); err != nil || len(pairs) == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.FriendAddBody{
			From: req.From, PairList: pairs, ClientCmd: "friend_add", Admin: op.Operator, ForceFlag: b2i(req.Force),
		})
	})
	return results, err
}

// addFriend applies one friend_add item: the row "from has it.To" unless
// it exists, and with both the row "it.To has from" unless it exists. It
// reports which rows it created, or the item's outcome. Unless force, the
// peer's AllowType decides last: DenyAny refuses the item, NeedConfirm
// stores a pending request instead of any row.
func (s *snsTx) addFriend(from string, it im.FriendItem, both, force bool) (fwd, back bool, res *im.Error, err error) {
	if fwd, back, res, err = s.planAdd(from, it, both); res != nil || err != nil {
		return false, false, res, err
	}
	if !force {
		if res, err = s.allowAdd(from, it, both); res != nil || err != nil {
			return false, false, res, err
		}
	}
	if fwd {
		if err := s.insertWithLists(from, it); err != nil {
			return false, false, nil, err
		}
	}
	if back {
		// The peer's row carries the request's source and wording, no
		// remark and no list: those are the initiator's.
		peer := im.FriendItem{To: from, AddSource: it.AddSource, AddWording: it.AddWording}
		if err := s.insertFriend(it.To, peer); err != nil {
			return false, false, nil, err
		}
	}
	return fwd, back, nil, nil
}

// planAdd works out which rows a friend_add item would create and whether
// it may: oneself, an unknown account, a blocklist, a friendship already
// there in every direction asked for, no room.
func (s *snsTx) planAdd(from string, it im.FriendItem, both bool) (fwd, back bool, res *im.Error, err error) {
	if res, err := s.canAdd(from, it.To); res != nil || err != nil {
		return false, false, res, err
	}
	has, err := s.isFriend(from, it.To)
	if err != nil {
		return false, false, nil, err
	}
	fwd = !has
	if both {
		if has, err = s.isFriend(it.To, from); err != nil {
			return false, false, nil, err
		}
		back = !has
	}
	if !fwd && !back {
		return false, false, errAddExists, nil
	}
	if fwd {
		if res, err = s.checkRoom(from, it.Lists, errAddMyLimit, errAddListLimit); res != nil || err != nil {
			return false, false, res, err
		}
	}
	if back {
		if n, err := s.friendCount(it.To); err != nil || n >= im.MaxFriends {
			return false, false, errAddPeerLimit, err
		}
	}
	return fwd, back, nil, nil
}

// canAdd returns why from may not add to at all: oneself, an account that
// is not imported, a blocklist either way.
func (s *snsTx) canAdd(from, to string) (*im.Error, error) {
	switch {
	case to == from:
		return errAddSelf, nil
	case !s.exists[to]:
		return errAddNoAccount, nil
	}
	return s.blockedEitherWay(from, to)
}

// checkRoom returns full if user has no room for one more friend, and
// listFull if the lists the friend would go in would make more than 32.
func (s *snsTx) checkRoom(user string, lists []string, full, listFull *im.Error) (*im.Error, error) {
	n, err := s.friendCount(user)
	if err != nil || n >= im.MaxFriends {
		return full, err
	}
	return s.listRoom(user, lists, listFull)
}

// listRoom returns listFull if creating the lists of names that user does
// not have would make it more than 32.
func (s *snsTx) listRoom(user string, names []string, listFull *im.Error) (*im.Error, error) {
	missing, err := s.missingLists(user, names)
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		have, err := s.listCount(user)
		if err != nil || have+len(missing) > im.MaxFriendLists {
			return listFull, err
		}
	}
	return nil, nil
}

// insertWithLists adds the row "user has it.To" and puts it in its lists,
// creating the lists that do not exist.
func (s *snsTx) insertWithLists(user string, it im.FriendItem) error {
	if err := s.insertFriend(user, it); err != nil {
		return err
	}
	missing, err := s.missingLists(user, it.Lists)
	if err != nil {
		return err
	}
	for _, name := range missing {
		if err := s.createList(user, name); err != nil {
			return err
		}
	}
	for _, name := range it.Lists {
		if _, err := s.addToList(user, name, it.To); err != nil {
			return err
		}
	}
	return nil
}

// ImportFriends imports one-way friends in one transaction; no event.
func (db *DB) ImportFriends(ctx context.Context, op im.Op, from string, items []im.FriendItem) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, friendItemsLocked(from, items)...)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		results = make([]*im.Error, len(items))
		for i, it := range items {
			if results[i], err = s.importFriend(from, it); err != nil {
				return err
			}
		}
		return s.flush()
	})
	return results, err
}

// importFriend applies one friend_import item.
func (s *snsTx) importFriend(from string, it im.FriendItem) (*im.Error, error) {
	switch {
	case it.To == from:
		return errImpSelf, nil
	case !s.exists[it.To]:
		return errImpNoAccount, nil
	}
	has, err := s.isFriend(from, it.To)
	if err != nil || has {
		return errImpExists, err
	}
	if res, err := s.checkRoom(from, it.Lists, errImpMyLimit, errImpListLimit); res != nil || err != nil {
		return res, err
	}
	return nil, s.insertWithLists(from, it)
}

// DeleteFriends removes friends in one transaction and records
// Sns.CallbackFriendDelete for the rows removed.
func (db *DB) DeleteFriends(ctx context.Context, op im.Op, from string, to []string, both bool) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		s, err := lockSNS(ctx, tx, op.App.SDKAppID, append([]string{from}, to...)...)
		if err != nil {
			return err
		}
		if err := s.requireUser(from); err != nil {
			return err
		}
		results = make([]*im.Error, len(to))
		pairs := []im.FriendPair{}
		for i, peer := range to {
			fwd, err := s.removeFriend(from, peer)
			if err != nil {
				return err
			}
			back := false
			if both && peer != from {
				if back, err = s.removeFriend(peer, from); err != nil {
					return err
				}
			}
			if fwd {
				pairs = append(pairs, im.FriendPair{From: from, To: peer})
			}
			if back {
				pairs = append(pairs, im.FriendPair{From: peer, To: from})
			}
			if !fwd && !back {
				results[i] = errDelNotFriend
			}
		}
		if err := s.flush(); err != nil || len(pairs) == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.FriendDeleteBody{From: from, PairList: pairs})
	})
	return results, err
}
