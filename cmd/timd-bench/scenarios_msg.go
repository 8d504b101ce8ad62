package main

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"strconv"
)

// The messaging scenarios of issue #19: sendmsg, and admin_getroammsg
// reading a page of 20.

// roamHistory is how many messages the roam scenario's conversation holds:
// two pages, so every read is a full page with more left (Complete 0).
const roamHistory = 40

// sendOp is worker w's i-th message, to the owner account. Each has its own
// MsgRandom, offset by the run's prefix, so that none is a duplicate of an
// earlier one (Tencent drops a repeated From/To/MsgRandom).
func sendOp(e *benchEnv, w, i int) benchOp {
	random := (crc32.ChecksumIEEE([]byte(e.prefix)) + uint32(w)*1_000_003 + uint32(i)) & 0x7fffffff
	return textMsgOp(benchUser(w), benchOwner, uint64(random), "hello from timd-bench")
}

// textMsgOp is a sendmsg of one text element that the recipient's
// conversation and roaming history keep.
func textMsgOp(from, to string, random uint64, text string) benchOp {
	return benchOp{"openim", "sendmsg", []byte(`{"SyncOtherMachine":2,"From_Account":"` + from +
		`","To_Account":"` + to + `","MsgRandom":` + strconv.FormatUint(random, 10) +
		`,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + text + `"}}]}`)}
}

// roamOp reads the newest page of 20 of the member accounts' conversation,
// as its recipient: the history is sent with SyncOtherMachine 2, which
// keeps it out of the sender's own history, so the sender's page is empty.
func roamOp() benchOp {
	return benchOp{"openim", "admin_getroammsg", []byte(`{"Operator_Account":"` + benchMember2 + `","Peer_Account":"` +
		benchMember1 + `","MaxCnt":20,"MinTime":0,"MaxTime":4102444800}`)}
}

// roamPageSize is the MsgCnt of a page roamOp reads once the history is sent.
const roamPageSize = 20

// roamSetup sends the roam scenario's history, once per server (a second
// listing of the scenario reads the same conversation, grown by 40).
func roamSetup(ctx context.Context, e *benchEnv) (int, error) {
	base := crc32.ChecksumIEEE([]byte(e.prefix+"roam")) & 0x3fffffff
	for k := range roamHistory {
		op := textMsgOp(benchMember1, benchMember2, uint64(base)+uint64(k), "history "+strconv.Itoa(k))
		if code, key := e.timd.call(ctx, op); key != "" {
			return k, fmt.Errorf("setup sendmsg %d: %s (code %d)", k, key, code)
		}
	}
	// The scenario measures full pages: say so if it would not.
	reply, code, key := e.timd.post(ctx, roamOp())
	var page struct{ MsgCnt int }
	if key != "" || json.Unmarshal(reply, &page) != nil || page.MsgCnt != roamPageSize {
		return roamHistory, fmt.Errorf("setup admin_getroammsg: a page of %d messages, want %d (%s, code %d)", page.MsgCnt, roamPageSize, key, code)
	}
	return roamHistory, nil
}

var (
	sendmsgScenario = benchScenario{name: "sendmsg", cycle: 1, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		return func(w, i int) (benchOp, bool) { return sendOp(e, w, i), true }, 0, nil
	}}
	roamScenario = benchScenario{name: "admin_getroammsg", cycle: 1, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		if baseline {
			return func(w, i int) (benchOp, bool) { return roamOp(), true }, 0, nil
		}
		n, err := roamSetup(ctx, e)
		return func(w, i int) (benchOp, bool) { return roamOp(), true }, n, err
	}}
)
