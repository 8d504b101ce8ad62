package api

import (
	"github.com/timd/timd/internal/im"
)

// A memo of get_group_info's encoded groups, for the reply without a
// ResponseFilter (the whole profile and member list), filed under the
// store's cache generation (memo.go).
//
// Profiles of get_group_info answered from the store's group cache put
// about a third of the handler's time in building each group's object
// (one boxed value per field and member field) and encoding it again, for
// bytes that only change when the group does. Nothing in the bytes depends
// on the time of the request.

// Bounds of the memo: past either, it is emptied and refills.
const (
	groupMemoMaxEntries = 10_000
	groupMemoMaxBytes   = 64 << 20
)

type groupMemoKey struct {
	app uint64
	id  string
}

type groupMemoValue struct {
	json    rawJSON // the group's object, {"GroupId":...}
	members int     // its member list's length, for the reply's size check
}

type groupMemo = memo[groupMemoKey, groupMemoValue]

func newGroupMemo() *groupMemo {
	return newMemo[groupMemoKey, groupMemoValue](groupMemoMaxEntries, groupMemoMaxBytes)
}

// lookupGroups returns the encoded groups of ids, in order, if every one of
// them was filed under gen, and the reply size check's estimate of their
// member lists.
func lookupGroups(m *groupMemo, app uint64, ids []string, gen uint64) (items []rawJSON, size int, ok bool) {
	items = make([]rawJSON, len(ids))
	for i, id := range ids {
		v, hit := m.get(groupMemoKey{app, id}, gen)
		if !hit {
			return nil, 0, false
		}
		items[i] = v.json
		size += v.members * memberSizeEstimate
	}
	return items, size, true
}

// memoizable reports whether a get_group_info may be answered from the memo
// and filed into it: a store with a generation, a reply without a filter,
// and only well-formed ids (a malformed one is answered without a lookup).
func memoizable(req *getGroupInfoReq) bool {
	if req.ResponseFilter != nil {
		return false
	}
	for _, id := range req.GroupIdList {
		if !im.WellFormedGroupID(id) {
			return false
		}
	}
	return true
}
