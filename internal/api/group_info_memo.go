package api

import (
	"sync"

	"github.com/timd/timd/internal/im"
)

// A memo of get_group_info's encoded groups, for the reply without a
// ResponseFilter (the whole profile and member list).
//
// Profiles of get_group_info answered from the store's group cache put
// about a third of the handler's time in building each group's object
// (one boxed value per field and member field) and encoding it again, for
// bytes that only change when the group does. The memo keeps those bytes,
// filed under the store's cache generation read before the groups were:
// the store moves the generation after every write transaction and before
// the writer is answered, so bytes filed under a generation that is still
// current describe the groups as they are now, and a write of any kind
// makes every entry stale at once, as the store's own cache does. A store
// without such a generation (PostgreSQL, where another instance may write)
// has no memo. Nothing in the bytes depends on the time of the request.

// Bounds of the memo: past either, it is emptied and refills.
const (
	groupMemoMaxEntries = 10_000
	groupMemoMaxBytes   = 64 << 20
)

type groupMemoKey struct {
	app uint64
	id  string
}

type groupMemoEntry struct {
	gen     uint64
	json    rawJSON // the group's object, {"GroupId":...}
	members int     // its member list's length, for the reply's size check
}

type groupMemo struct {
	mu      sync.RWMutex
	entries map[groupMemoKey]groupMemoEntry
	bytes   int
}

func newGroupMemo() *groupMemo {
	return &groupMemo{entries: map[groupMemoKey]groupMemoEntry{}}
}

// lookup returns the encoded groups of ids, in order, if every one of them
// was filed under gen, and the reply size check's estimate of their member
// lists.
func (m *groupMemo) lookup(app uint64, ids []string, gen uint64) (items []rawJSON, size int, ok bool) {
	items = make([]rawJSON, len(ids))
	m.mu.RLock()
	defer m.mu.RUnlock()
	for i, id := range ids {
		e, hit := m.entries[groupMemoKey{app, id}]
		if !hit || e.gen != gen {
			return nil, 0, false
		}
		items[i] = e.json
		size += e.members * memberSizeEstimate
	}
	return items, size, true
}

// put files one group's encoded object under gen.
func (m *groupMemo) put(app uint64, id string, gen uint64, json rawJSON, members int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := groupMemoKey{app, id}
	if old, ok := m.entries[k]; ok {
		m.bytes -= len(old.json)
	} else if len(m.entries) >= groupMemoMaxEntries || m.bytes+len(json) > groupMemoMaxBytes {
		clear(m.entries)
		m.bytes = 0
	}
	m.entries[k] = groupMemoEntry{gen: gen, json: json, members: members}
	m.bytes += len(json)
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
