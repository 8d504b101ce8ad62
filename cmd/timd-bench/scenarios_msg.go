package main

import (
	"context"
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

// roamOp reads the newest page of 20 of the member accounts' conversation.
func roamOp() benchOp {
	return benchOp{"openim", "admin_getroammsg", []byte(`{"Operator_Account":"` + benchMember1 + `","Peer_Account":"` +
		benchMember2 + `","MaxCnt":20,"MinTime":0,"MaxTime":4102444800}`)}
}

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
