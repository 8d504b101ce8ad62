package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure account_delete takes the user's relationship chain with it in its
// transaction: every friend row in both directions, the user's lists, and
// the user's place in other users' lists, whose sequences move as after a
// friend_delete; no event is recorded; a re-imported user starts empty.
func TestSNS_AccountDeleteCascade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.allowAny("bob", "carol", "dave")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob")+`}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["mine"],"To_Account":["bob"]}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"carol","AddFriendItem":[{"To_Account":"alice","AddSource":"AddSource_Type_Test",`+
			`"GroupName":["L"],"CustomItem":[{"Tag":"Tag_SNS_Custom_A","Value":1}]},{"To_Account":"dave","AddSource":"AddSource_Type_Test","GroupName":["L"]}]}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"dave","AddFriendItem":`+addItems("carol")+`}`)
		bob, _ := h.friendGet(`{"From_Account":"bob","StartIndex":0}`)
		carol, _ := h.friendGet(`{"From_Account":"carol","StartIndex":0}`)
		carolSeq, daveSeq := h.listSeq("carol"), h.listSeq("dave")
		events := len(h.events())

		r := h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"alice"}]}`)
		if !strings.Contains(r.Raw, `"ResultItem":[{"ResultCode":0,"ResultInfo":"","UserID":"alice"}]`) {
			t.Fatalf("account_delete: %s", r.Raw)
		}
		if n := len(h.events()); n != events {
			t.Errorf("the cascade recorded %d events", n-events)
		}
		h.MustCall(30003, sns, "friend_get", `{"From_Account":"alice","StartIndex":0}`)
		h.MustCall(30003, sns, "group_get", `{"From_Account":"alice"}`)

		p, _ := h.friendGet(`{"From_Account":"bob","StartIndex":0}`)
		if p.FriendNum != 0 || p.StandardSequence != bob.StandardSequence+1 || p.CustomSequence != bob.CustomSequence {
			t.Errorf("bob: %d friends, sequences %d/%d, were %d/%d", p.FriendNum, p.StandardSequence, p.CustomSequence,
				bob.StandardSequence, bob.CustomSequence)
		}
		p, raw := h.friendGet(`{"From_Account":"carol","StartIndex":0}`)
		if p.FriendNum != 1 || p.UserDataItem[0].To_Account != "dave" || p.StandardSequence != carol.StandardSequence+1 ||
			p.CustomSequence != carol.CustomSequence+1 {
			t.Errorf("carol after the cascade: %s", raw.Raw)
		}
		if got, want := h.listsOf("carol"), `[{"GroupName":"L","FriendNumber":1,"To_Account":["dave"]}]`; got != want {
			t.Errorf("carol's lists %s, want %s", got, want)
		}
		if n := h.listSeq("carol"); n != carolSeq+1 {
			t.Errorf("carol's CurrentSequence %d, want %d", n, carolSeq+1)
		}
		if n := h.listSeq("dave"); n != daveSeq {
			t.Errorf("dave's CurrentSequence %d, want %d", n, daveSeq)
		}
		if rel := h.relation("bob", "alice"); rel != "CheckResult_Type_NoRelation" {
			t.Errorf("bob and alice: %s", rel)
		}

		// Re-imported, alice starts with nothing.
		h.importUsers("alice")
		if _, raw := h.friendGet(`{"From_Account":"alice","StartIndex":0}`); !strings.Contains(raw.Raw,
			`"UserDataItem":[],"StandardSequence":0,"CustomSequence":0,"FriendNum":0`) {
			t.Errorf("re-imported alice: %s", raw.Raw)
		}
		if got := h.listsOf("alice"); got != "[]" || h.listSeq("alice") != 0 {
			t.Errorf("re-imported alice's lists %s", got)
		}
		if rel := h.relation("alice", "carol"); rel != "CheckResult_Type_NoRelation" {
			t.Errorf("alice and carol: %s", rel)
		}

		// Deleting two friends in one call.
		h.MustCall(0, sns, "friend_add", `{"From_Account":"bob","AddFriendItem":`+addItems("carol", "dave")+`}`)
		h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"carol"},{"UserID":"bob"}]}`)
		if p, raw := h.friendGet(`{"From_Account":"dave","StartIndex":0}`); p.FriendNum != 0 {
			t.Errorf("dave: %s", raw.Raw)
		}
	})
}
