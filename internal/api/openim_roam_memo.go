package api

import "github.com/timd/timd/internal/im"

// A memo of admin_getroammsg's pages, filed under the store's cache
// generation (memo.go).
//
// A page read from SQLite costs a read transaction, two statements and a
// row per message through database/sql, and writing its MsgList: about
// 180 µs of CPU for a page of 20, where a backend that polls a
// conversation's history, or pages through it again, asks for the same
// page until a write changes it. Unlike a group, a page also changes with
// time alone, when one of its messages' MsgLifeTime ends: an entry holds
// only from the time it was read at until its first message expires
// (im.RoamPage), on the app's clock, which time control may move either
// way.

// Bounds of the memo: past either, it is emptied and refills.
const (
	roamMemoMaxEntries = 10_000
	roamMemoMaxBytes   = 64 << 20
)

type roamMemoKey struct {
	app uint64
	q   im.RoamQuery
}

type roamMemoValue struct {
	resp      *roamResp // never changed once filed
	at, until int64     // unix ms: the page holds from at until until
}

type roamMemo = memo[roamMemoKey, roamMemoValue]

func newRoamMemo() *roamMemo {
	return newMemo[roamMemoKey, roamMemoValue](roamMemoMaxEntries, roamMemoMaxBytes)
}

// lookupRoam returns the page filed for k under gen if it still holds at
// now (unix ms).
func lookupRoam(m *roamMemo, k roamMemoKey, gen uint64, now int64) (*roamResp, bool) {
	v, ok := m.get(k, gen)
	if !ok || now < v.at || now >= v.until {
		return nil, false
	}
	return v.resp, true
}
