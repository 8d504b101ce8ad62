package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure a user has at most 3000 friends: beyond, friend_import and
// friend_add answer 30010 for the user's own list, and a two-way
// friend_add 30014 when the peer's list is full, creating neither row.
func TestSNS_FriendLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		friends := users("u", im.MaxFriends)
		h := openGroups(t, dsn, append(friends, "full", "x", "y", "z")...)
		h.allowAny("full", "x", "z")
		for i := 0; i < len(friends); i += im.MaxSNSBatch {
			r := h.MustCall(0, sns, "friend_import", `{"From_Account":"full","AddFriendItem":`+addItems(friends[i:i+im.MaxSNSBatch]...)+`}`)
			if strings.Contains(r.Raw, "Fail_Account") {
				t.Fatalf("import: %.300s", r.Raw)
			}
		}
		if p, _ := h.friendGet(`{"From_Account":"full","StartIndex":2950}`); p.FriendNum != im.MaxFriends || len(p.UserDataItem) != 50 {
			t.Fatalf("FriendNum %d, %d on the last page", p.FriendNum, len(p.UserDataItem))
		}
		events := len(h.events())
		runSNSCases(t, h, []snsCase{
			{name: "ImportOwnLimit", command: "friend_import", body: `{"From_Account":"full","AddFriendItem":` + addItems("x", "u0") + `}`,
				want: []string{`"ResultItem":[{"To_Account":"x","ResultCode":30010,"ResultInfo":"Err_SNS_FriendImport_My_Friend_Num_Exceed_Threshold"},` +
					`{"To_Account":"u0","ResultCode":30001,`}},
			{name: "AddOwnLimit", command: "friend_add", body: `{"From_Account":"full","AddFriendItem":` + addItems("x") + `}`,
				want: []string{`{"To_Account":"x","ResultCode":30010,"ResultInfo":"Err_SNS_FriendAdd_My_Friend_Num_Exceed_Threshold"}`}},
			{name: "AddPeerLimit", command: "friend_add", body: `{"From_Account":"y","AddFriendItem":` + addItems("full", "z") + `}`,
				want: []string{`"ResultItem":[{"To_Account":"full","ResultCode":30014,"ResultInfo":"Err_SNS_FriendAdd_Peer_Friend_Num_Exceed_Threshold"},` +
					`{"To_Account":"z","ResultCode":0,`}, event: im.CallbackFriendAdd,
				evWant: []string{`"PairList":[{"From_Account":"y","Initiator_Account":"y","To_Account":"z"},{"From_Account":"z","Initiator_Account":"y","To_Account":"y"}]`}},
			// One way, the full list is not touched.
			{name: "AddSingleToFull", command: "friend_add", body: `{"From_Account":"y","AddFriendItem":` + addItems("full") + `,"AddType":"Add_Type_Single"}`,
				event: im.CallbackFriendAdd},
			// A deletion makes room.
			{name: "Delete", command: "friend_delete", body: `{"From_Account":"full","To_Account":["u1"]}`, event: im.CallbackFriendDelete},
			{name: "AddAfterRoom", command: "friend_add", body: `{"From_Account":"full","AddFriendItem":` + addItems("x", "z") + `}`,
				want:  []string{`"ResultItem":[{"To_Account":"x","ResultCode":0,"ResultInfo":""},{"To_Account":"z","ResultCode":30010,`},
				event: im.CallbackFriendAdd},
		})
		if n := len(h.events()) - events; n != 4 {
			t.Errorf("%d events, want 4", n)
		}
		for _, r := range []struct{ a, b, want string }{
			{"y", "full", im.RelationAWithB}, {"full", "x", im.RelationBoth}, {"full", "z", im.RelationNone},
		} {
			if got := h.relation(r.a, r.b); got != r.want {
				t.Errorf("%s and %s: %s, want %s", r.a, r.b, got, r.want)
			}
		}
	})
}
