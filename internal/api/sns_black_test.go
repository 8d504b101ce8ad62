package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// blackBody renders a black_list_add/delete body from alice.
func blackBody(ids ...string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = jstr(id)
	}
	return `{"From_Account":"alice","To_Account":[` + strings.Join(q, ",") + `]}`
}

// Ensure black_list_add, black_list_delete, black_list_check and
// black_list_get answer as Tencent's pages show: per-item codes, the
// relations of both modes, pages in the order of blocking, a sequence that
// moves once per changing call, the callbacks of what changed, friend_add
// refused either way between blocked users, and sendmsg not refused.
func TestSNS_Blacklist(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		const add, del = im.CallbackBlackListAdd, im.CallbackBlackListDelete
		get := func(start, limit int) string {
			return `{"From_Account":"alice","StartIndex":` + itoa(start) + `,"MaxLimited":` + itoa(limit) + `,"LastSequence":0}`
		}
		runSNSCases(t, h, []snsCase{
			{name: "ErrNoFrom", command: "black_list_add", body: `{"To_Account":["bob"]}`, code: 30001},
			{name: "ErrUnknownFrom", command: "black_list_add", body: `{"From_Account":"nobody","To_Account":["bob"]}`, code: 30003},
			{name: "ErrNoTo", command: "black_list_add", body: `{"From_Account":"alice"}`, code: 30001},
			{name: "ErrTo1001", command: "black_list_add", body: blackBody(users("u", 1001)...), code: 30001},
			{name: "Add", command: "black_list_add", body: blackBody("bob", "bob", "alice", "nobody", "carol"), event: add,
				want: []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListAdd_Already_Exist"},` +
					`{"To_Account":"alice","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListAdd_Cannot_Add_Self"},` +
					`{"To_Account":"nobody","ResultCode":30003,"ResultInfo":"Err_SNS_BlackListAdd_Account_Not_Exist"},` +
					`{"To_Account":"carol","ResultCode":0,"ResultInfo":""}]`, `"Fail_Account":["bob","alice","nobody"]`},
				evWant: []string{`{"CallbackCommand":"Sns.CallbackBlackListAdd","PairList":[{"From_Account":"alice","To_Account":"bob"},{"From_Account":"alice","To_Account":"carol"}],"EventTime":`}},
			{name: "AllExist", command: "black_list_add", body: blackBody("bob"), want: []string{`"Fail_Account":["bob"]`}},
			{name: "DaveBlocksAlice", command: "black_list_add", body: `{"From_Account":"dave","To_Account":["alice"]}`, event: add},
			{name: "ErrCheckType", command: "black_list_check", body: `{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`, code: 30001},
			{name: "ErrNoCheckType", command: "black_list_check", body: `{"From_Account":"alice","To_Account":["bob"]}`, code: 30001},
			{name: "CheckBoth", command: "black_list_check", body: `{"From_Account":"alice","To_Account":["bob","dave","carol","nobody"],"CheckType":"BlackCheckResult_Type_Both"}`,
				want: []string{`"BlackListCheckItem":[{"To_Account":"bob","Relation":"BlackCheckResult_Type_AWithB","ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"dave","Relation":"BlackCheckResult_Type_BWithA","ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"carol","Relation":"BlackCheckResult_Type_AWithB","ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"nobody","Relation":"BlackCheckResult_Type_NO","ResultCode":0,"ResultInfo":""}]`},
				absent: []string{"Fail_Account"}},
			{name: "CheckSingle", command: "black_list_check", body: `{"From_Account":"alice","To_Account":["dave","bob"],"CheckType":"BlackCheckResult_Type_Single"}`,
				want: []string{`{"To_Account":"dave","Relation":"BlackCheckResult_Type_NO"`, `{"To_Account":"bob","Relation":"BlackCheckResult_Type_AWithB"`}},
			{name: "ErrGetNoMax", command: "black_list_get", body: `{"From_Account":"alice","StartIndex":0,"LastSequence":0}`, code: 30001},
			{name: "ErrGetMax1001", command: "black_list_get", body: get(0, 1001), code: 30001},
			{name: "ErrGetMax0", command: "black_list_get", body: get(0, 0), code: 30001},
			{name: "ErrGetNegStart", command: "black_list_get", body: get(-1, 10), code: 30001},
			{name: "ErrGetNoSeq", command: "black_list_get", body: `{"From_Account":"alice","StartIndex":0,"MaxLimited":10}`, code: 30001},
			{name: "GetPage1", command: "black_list_get", body: get(0, 1),
				want: []string{`"BlackListItem":[{"To_Account":"bob","AddBlackTimeStamp":`, `"StartIndex":1,"CurrentSequence":1`}},
			{name: "GetPage2", command: "black_list_get", body: get(1, 1),
				want: []string{`"BlackListItem":[{"To_Account":"carol","AddBlackTimeStamp":`, `"StartIndex":0,"CurrentSequence":1`}},
			{name: "GetPast", command: "black_list_get", body: get(5, 10), want: []string{`"BlackListItem":[],"StartIndex":0,"CurrentSequence":1`}},
			{name: "FriendAddBlocked", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("bob", "dave") + `,"ForceAddFlags":1}`,
				want: []string{`{"To_Account":"bob","ResultCode":30515,"ResultInfo":"Err_SNS_FriendAdd_Peer_In_Black_List"}`,
					`{"To_Account":"dave","ResultCode":30525,"ResultInfo":"Err_SNS_FriendAdd_In_Peer_Black_List"}`, `"Fail_Account":["bob","dave"]`}},
			{name: "ErrDelNoTo", command: "black_list_delete", body: `{"From_Account":"alice","To_Account":[]}`, code: 30001},
			{name: "Delete", command: "black_list_delete", body: blackBody("bob", "dave", "bob"), event: del,
				want: []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"dave","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListDelete_Not_Exist"},` +
					`{"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_BlackListDelete_Not_Exist"}]`, `"Fail_Account":["dave","bob"]`},
				evWant: []string{`{"CallbackCommand":"Sns.CallbackBlackListDelete","PairList":[{"From_Account":"alice","To_Account":"bob"}],"EventTime":`}},
			{name: "DeleteNone", command: "black_list_delete", body: blackBody("bob"), want: []string{`"Fail_Account":["bob"]`}},
			{name: "GetAfter", command: "black_list_get", body: get(0, 10),
				want: []string{`"BlackListItem":[{"To_Account":"carol","AddBlackTimeStamp":`, `"StartIndex":0,"CurrentSequence":2`}},
			{name: "FriendAddAfterUnblock", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("bob") + `,"ForceAddFlags":1}`,
				event: im.CallbackFriendAdd, absent: []string{"Fail_Account"}},
		})

		// Blocking a friend ends the friendship both ways: one
		// Sns.CallbackBlackListAdd, then one Sns.CallbackFriendDelete.
		before := len(h.events())
		h.MustCall(0, sns, "black_list_add", `{"From_Account":"bob","To_Account":["alice"]}`)
		evs := h.events()[before:]
		if len(evs) != 2 || evs[0].Command != im.CallbackBlackListAdd || evs[1].Command != im.CallbackFriendDelete ||
			!strings.Contains(evs[1].Raw, `"PairList":[{"From_Account":"bob","To_Account":"alice"},{"From_Account":"alice","To_Account":"bob"}]`) {
			t.Errorf("events of blocking a friend: %v", evs)
		}
		if got := h.relation("alice", "bob"); got != im.RelationNone {
			t.Errorf("alice and bob after blocking: %s", got)
		}
		// sendmsg checks no blocklist (269/2282): bob, who blocks alice,
		// still gets her message, and she his.
		for _, p := range [][2]string{{"alice", "bob"}, {"bob", "alice"}} {
			h.MustCall(0, "openim", "sendmsg", `{"From_Account":"`+p[0]+`","To_Account":"`+p[1]+`","MsgRandom":1,`+
				`"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
		}
	})
}

// Ensure a blocklist holds at most 1000 accounts: the 1001st is a per-item
// 30013 and changes nothing.
func TestSNS_BlacklistLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 1001), "alice")...)
		h.MustCall(0, sns, "black_list_add", blackBody(users("u", 1000)...))
		r := h.MustCall(0, sns, "black_list_add", blackBody("u1000"))
		if !strings.Contains(r.Raw, `{"To_Account":"u1000","ResultCode":30013,"ResultInfo":"Err_SNS_BlackListAdd_Black_Num_Exceed_Threshold"}`) {
			t.Errorf("1001st: %s", r.Raw)
		}
		r = h.MustCall(0, sns, "black_list_get", `{"From_Account":"alice","StartIndex":999,"MaxLimited":1000,"LastSequence":0}`)
		if !strings.Contains(r.Raw, `"BlackListItem":[{"To_Account":"u999",`) || !strings.Contains(r.Raw, `"StartIndex":0,"CurrentSequence":1`) {
			t.Errorf("last page: %s", r.Raw)
		}
	})
}

// Ensure friend_import does not look at blocklists (fidelity/sns.md): an
// import is not a friend request, so it adds a friend whichever side
// blocked the other, where friend_add is refused.
func TestSNS_FriendImportIgnoresBlocklists(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.MustCall(0, sns, "black_list_add", blackBody("bob"))                                  // alice blocks bob
		h.MustCall(0, sns, "black_list_add", `{"From_Account":"carol","To_Account":["alice"]}`) // carol blocks alice
		added := `"ResultCode":0`
		for _, to := range []string{"bob", "carol"} {
			r := h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems(to)+`}`)
			if strings.Contains(r.Raw, added) {
				t.Fatalf("friend_add to %s across a blocklist: %s", to, r.Raw)
			}
			r = h.MustCall(0, sns, "friend_import", `{"From_Account":"alice","AddFriendItem":`+addItems(to)+`}`)
			if !strings.Contains(r.Raw, added) {
				t.Errorf("friend_import of %s: %s", to, r.Raw)
			}
		}
		r := h.MustCall(0, sns, "friend_check", `{"From_Account":"alice","To_Account":["bob","carol"],"CheckType":"CheckResult_Type_Single"}`)
		if n := strings.Count(r.Raw, `"Relation":"CheckResult_Type_AWithB"`); n != 2 {
			t.Errorf("alice's friends after the imports: %s", r.Raw)
		}
	})
}
