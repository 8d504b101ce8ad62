package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// listsOf is group_get's ResultItem for a user, with friends, as compact
// JSON.
func (h *Harness) listsOf(user string) string {
	h.tb.Helper()
	r := h.MustCall(0, sns, "group_get", `{"From_Account":`+jstr(user)+`,"NeedFriend":"Need_Friend_Type_Yes"}`)
	i, j := strings.Index(r.Raw, `"ResultItem":`), strings.Index(r.Raw, `,"CurrentSequence"`)
	if i < 0 || j < i {
		h.tb.Fatalf("group_get: %s", r.Raw)
	}
	return r.Raw[i+len(`"ResultItem":`) : j]
}

// Ensure group_add creates lists (32 at most, 1 to 30 bytes a name), leaves
// an existing list as it is, fills only the lists it created, answers 32216
// for a To_Account that is not a friend (the lists are still created), and
// moves CurrentSequence only when it created a list.
func TestSNS_GroupAdd(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 1001), "alice", "bob", "carol", "dave")...)
		h.allowAny("bob", "dave")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob", "dave")+`}`)
		long := func(n int) string { return strings.Repeat("x", n) }
		bad := func(name string, code int, body string) snsCase {
			return snsCase{name: name, command: "group_add", body: body, code: code}
		}
		ok := func(name, body string, want ...string) snsCase {
			return snsCase{name: name, command: "group_add", body: body, want: want}
		}
		cases := []snsCase{
			bad("ErrNoFrom", 30001, `{"GroupName":["a"]}`),
			bad("ErrUnknownFrom", 30003, `{"From_Account":"nobody","GroupName":["a"]}`),
			bad("ErrNoGroupName", 30001, `{"From_Account":"alice"}`),
			bad("ErrEmptyGroupName", 30001, `{"From_Account":"alice","GroupName":[]}`),
			bad("ErrGroupNameString", 30001, `{"From_Account":"alice","GroupName":"a"}`),
			bad("ErrNameEmpty", 30001, `{"From_Account":"alice","GroupName":["a",""]}`),
			bad("ErrName31", 30001, `{"From_Account":"alice","GroupName":["`+long(31)+`"]}`),
			bad("ErrName11CJK", 30001, `{"From_Account":"alice","GroupName":["`+strings.Repeat("组", 11)+`"]}`),
			bad("ErrNameNUL", 30001, `{"From_Account":"alice","GroupName":["a\u0000"]}`),
			bad("ErrNames33", 30001, `{"From_Account":"alice","GroupName":`+jstr(users("n", 33))+`}`),
			bad("ErrTo1001", 30001, `{"From_Account":"alice","GroupName":["a"],"To_Account":`+jstr(users("u", 1001))+`}`),
			bad("ErrToEmptyString", 30001, `{"From_Account":"alice","GroupName":["a"],"To_Account":[""]}`),
			ok("Name30", `{"From_Account":"alice","GroupName":["`+long(30)+`"]}`, `"ErrorDisplay":"","CurrentSequence":1}`),
			ok("Name10CJK", `{"From_Account":"alice","GroupName":["`+strings.Repeat("组", 10)+`"],"To_Account":[]}`, `"ErrorDisplay":"","CurrentSequence":2}`),
			ok("WithTo", `{"From_Account":"alice","GroupName":["c","d"],"To_Account":["bob","carol","nobody","bob"]}`,
				`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},`+
					`{"To_Account":"carol","ResultCode":32216,"ResultInfo":"Err_SNS_GroupAdd_ToTinyId_Not_Friend"},`+
					`{"To_Account":"nobody","ResultCode":32216,"ResultInfo":"Err_SNS_GroupAdd_ToTinyId_Not_Friend"},`+
					`{"To_Account":"bob","ResultCode":0,"ResultInfo":""}],"Fail_Account":["carol","nobody"],"CurrentSequence":3}`),
			ok("ExistingStays", `{"From_Account":"alice","GroupName":["c","e"],"To_Account":["dave"]}`, `"CurrentSequence":4}`),
			ok("AllExist", `{"From_Account":"alice","GroupName":["c","e","c"],"To_Account":["dave","carol"]}`,
				`"Fail_Account":["carol"],"CurrentSequence":4}`),
			ok("OnlyNotFriends", `{"From_Account":"alice","GroupName":["f"],"To_Account":["carol","a\u0000b"]}`,
				`"Fail_Account":["carol","a\u0000b"],"CurrentSequence":5}`),
			ok("To1000", `{"From_Account":"alice","GroupName":["g"],"To_Account":`+jstr(users("u", 1000))+`}`, `"CurrentSequence":6}`),
		}
		runSNSCases(t, h, cases)
		want := `[{"GroupName":"` + long(30) + `","FriendNumber":0,"To_Account":[]},{"GroupName":"` + strings.Repeat("组", 10) + `","FriendNumber":0,"To_Account":[]},` +
			`{"GroupName":"c","FriendNumber":1,"To_Account":["bob"]},{"GroupName":"d","FriendNumber":1,"To_Account":["bob"]},` +
			`{"GroupName":"e","FriendNumber":1,"To_Account":["dave"]},{"GroupName":"f","FriendNumber":0,"To_Account":[]},{"GroupName":"g","FriendNumber":0,"To_Account":[]}]`
		if got := h.listsOf("alice"); got != want {
			t.Fatalf("lists %s\nwant %s", got, want)
		}

		// Seven lists: 25 more make 32, one more is 30011 and creates
		// nothing, even with names that exist among the new ones.
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":`+jstr(users("n", 25))+`}`)
		r := h.MustCall(30011, sns, "group_add", `{"From_Account":"alice","GroupName":["c","n0","extra"],"To_Account":["bob"]}`)
		if !strings.Contains(r.Raw, `"ErrorDisplay":""`) {
			t.Errorf("no ErrorDisplay: %s", r.Raw)
		}
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["c","n24"]}`)
		if n := h.listSeq("alice"); n != 7 {
			t.Errorf("CurrentSequence %d, want 7", n)
		}
		if got := h.listsOf("alice"); strings.Count(got, "GroupName") != 32 || strings.Contains(got, "extra") {
			t.Errorf("lists after the limit: %s", got)
		}
		if evs := h.events(); len(evs) != 1 { // the friend_add
			t.Errorf("%d events, want only friend_add's", len(evs))
		}
	})
}

// Ensure group_delete does exactly what the issue asks: From_Account and
// GroupName required (30001), an unknown user 30003, names that do not
// exist 30001 with nothing deleted, a repeated name counted once; on
// success CurrentSequence one more than before, the lists gone, their
// friends still friends without those lists in Tag_SNS_IM_Group.
func TestSNS_GroupDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.allowAny("bob", "carol")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob", "carol")+`}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["work","empty"],"To_Account":["bob","carol"]}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["home"],"To_Account":["bob"]}`)
		h.MustCall(0, sns, "group_delete", `{"From_Account":"alice","GroupName":["empty"]}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["empty"]}`)
		before := h.listSeq("alice")
		lists := h.listsOf("alice")
		bad := func(name string, code int, body string, want ...string) snsCase {
			return snsCase{name: name, command: "group_delete", body: body, code: code,
				want: append(want, `"ActionStatus":"FAIL"`, `"ErrorDisplay":""`), absent: []string{"CurrentSequence"}}
		}
		runSNSCases(t, h, []snsCase{
			bad("ErrNoFrom", 30001, `{"GroupName":["work"]}`),
			bad("ErrEmptyFrom", 30001, `{"From_Account":"","GroupName":["work"]}`),
			bad("ErrFromNotString", 30001, `{"From_Account":["alice"],"GroupName":["work"]}`),
			bad("ErrNoGroupName", 30001, `{"From_Account":"alice"}`),
			bad("ErrEmptyGroupName", 30001, `{"From_Account":"alice","GroupName":[]}`),
			bad("ErrNullGroupName", 30001, `{"From_Account":"alice","GroupName":null}`),
			bad("ErrGroupNameString", 30001, `{"From_Account":"alice","GroupName":"work"}`),
			bad("ErrUnknownFrom", 30003, `{"From_Account":"nobody","GroupName":["work"]}`),
			bad("ErrMissing", 30001, `{"From_Account":"alice","GroupName":["work","nope","home"]}`, `nope`),
			bad("ErrMissingOnly", 30001, `{"From_Account":"alice","GroupName":["nope"]}`, `nope`),
			bad("ErrEmptyName", 30001, `{"From_Account":"alice","GroupName":["work",""]}`),
			bad("ErrOtherUsersList", 30001, `{"From_Account":"bob","GroupName":["work"]}`),
			// At most 32 names, as group_add: existing ones too, repeats counted.
			bad("Err33Names", 30001, `{"From_Account":"alice","GroupName":`+jstr(append([]string{"work", "empty", "home"}, repeat("work", 30)...))+`}`,
				`at most 32 names in GroupName`),
		})
		if got, seq := h.listsOf("alice"), h.listSeq("alice"); got != lists || seq != before {
			t.Fatalf("failed calls changed the lists: %s (seq %d)\nwas %s (seq %d)", got, seq, lists, before)
		}
		// An identifier without admin rights never gets here.
		user := "sdkappid=1400000001&identifier=alice&usersig=" + Sig(t, TestAppID, TestKey, "alice", 86400) + "&random=1&contenttype=json"
		if r := h.Do("POST", "/v4/sns/group_delete", user, `{"From_Account":"alice","GroupName":["work"]}`); r.Code(t) != 60010 {
			t.Fatalf("non-admin: %s", r.Raw)
		}

		r := h.MustCall(0, sns, "group_delete", `{"From_Account":"alice","GroupName":`+jstr(append([]string{"work", "empty"}, repeat("work", 30)...))+`}`)
		if want := fmt.Sprintf(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"ErrorDisplay":"","CurrentSequence":%d}`, before+1); r.Raw != want {
			t.Fatalf("group_delete %s\nwant %s", r.Raw, want)
		}
		if got, want := h.listsOf("alice"), `[{"GroupName":"home","FriendNumber":1,"To_Account":["bob"]}]`; got != want {
			t.Fatalf("lists %s, want %s", got, want)
		}
		for _, f := range []string{"bob", "carol"} {
			if rel := h.relation("alice", f); rel != "CheckResult_Type_BothWay" {
				t.Errorf("alice and %s: %s", f, rel)
			}
		}
		p, raw := h.friendGet(`{"From_Account":"alice","StartIndex":0}`)
		if p.FriendNum != 2 || !strings.Contains(raw.Raw, `{"To_Account":"bob","ValueItem":[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_Test"},{"Tag":"Tag_SNS_IM_Group","Value":["home"]},`) ||
			strings.Count(raw.Raw, "Tag_SNS_IM_Group") != 1 {
			t.Fatalf("friend_get after group_delete: %s", raw.Raw)
		}
		h.MustCall(30001, sns, "group_delete", `{"From_Account":"alice","GroupName":["work"]}`)
		if n := h.listSeq("alice"); n != before+1 {
			t.Errorf("CurrentSequence %d after a failed delete, want %d", n, before+1)
		}
		if n := h.listSeq("bob"); n != 0 {
			t.Errorf("bob's CurrentSequence %d, want 0", n)
		}
		if evs := h.events(); len(evs) != 1 {
			t.Errorf("%d events, want only friend_add's", len(evs))
		}
	})
}

// Ensure CurrentSequence starts at 0 and moves by exactly one on each call
// that changes the user's lists or list membership, and not otherwise.
func TestSNS_ListSequence(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave", "erin", "frank")
		h.allowAny("bob", "carol", "dave")
		steps := []struct {
			command, body string
			moves         int64
		}{
			{"friend_add", addOne("bob", `"GroupName":"L1"`), 1},   // list created, bob in it
			{"friend_add", addOne("carol", `"GroupName":"L1"`), 1}, // membership
			{"friend_add", addOne("dave", ""), 0},
			{"friend_add", addOne("dave", `"GroupName":"L9"`), 0}, // fails: already friends
			{"friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"erin","AddSource":"AddSource_Type_Test","GroupName":["L2","L3"]}]}`, 1},
			{"friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"frank","AddSource":"AddSource_Type_Test"}]}`, 0},
			{"friend_delete", `{"From_Account":"alice","To_Account":["erin"]}`, 1}, // was in L2, L3
			{"friend_delete", `{"From_Account":"alice","To_Account":["frank"]}`, 0},
			{"friend_delete", `{"From_Account":"alice","To_Account":["frank"]}`, 0}, // 31704
			{"group_add", `{"From_Account":"alice","GroupName":["L1","L2"],"To_Account":["dave"]}`, 0},
			{"group_add", `{"From_Account":"alice","GroupName":["A","B","C"],"To_Account":["dave","bob"]}`, 1},
			{"group_delete", `{"From_Account":"alice","GroupName":["A","B"]}`, 1},
			{"group_delete", `{"From_Account":"alice","GroupName":["A"]}`, 0},
			{"friend_check", `{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`, 0},
			{"friend_delete", `{"From_Account":"bob","To_Account":["alice"]}`, 0}, // bob's own row
			{"friend_delete", `{"From_Account":"bob","To_Account":["alice"],"DeleteType":"Delete_Type_Both"}`, 1},
		}
		seq := h.listSeq("alice")
		if seq != 0 {
			t.Fatalf("initial CurrentSequence %d", seq)
		}
		for i, st := range steps {
			h.Call(sns, st.command, st.body)
			if got := h.listSeq("alice"); got != seq+st.moves {
				t.Errorf("step %d %s %s: CurrentSequence %d, want %d", i, st.command, st.body, got, seq+st.moves)
			}
			seq = h.listSeq("alice")
		}
		for _, u := range []string{"bob", "carol", "dave"} {
			if n := h.listSeq(u); n != 0 {
				t.Errorf("%s's CurrentSequence %d: the peer's side has no lists", u, n)
			}
		}
	})
}

// Ensure group_get lists the lists in creation order with FriendNumber,
// adds To_Account with Need_Friend_Type_Yes only, filters by GroupName
// (unknown names left out), and leaves ResultItem out when LastSequence is
// current and no GroupName is given.
func TestSNS_GroupGet(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.allowAny("bob", "carol", "dave")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("dave", "carol", "bob")+`}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["z","a"],"To_Account":["dave","bob"]}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["m"],"To_Account":["carol"]}`)
		get := func(body string) string {
			return h.MustCall(0, sns, "group_get", body).Raw
		}
		for _, tc := range []struct{ body, want string }{
			{`{"From_Account":"alice"}`, `"ResultItem":[{"GroupName":"z","FriendNumber":2},{"GroupName":"a","FriendNumber":2},{"GroupName":"m","FriendNumber":1}],"CurrentSequence":2}`},
			{`{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`, `"ResultItem":[{"GroupName":"z","FriendNumber":2,"To_Account":["bob","dave"]},` +
				`{"GroupName":"a","FriendNumber":2,"To_Account":["bob","dave"]},{"GroupName":"m","FriendNumber":1,"To_Account":["carol"]}],"CurrentSequence":2}`},
			{`{"From_Account":"alice","NeedFriend":"Need_Friend_Type_No"}`, `"ResultItem":[{"GroupName":"z","FriendNumber":2},`},
			{`{"From_Account":"alice","NeedFriend":""}`, `"ResultItem":[{"GroupName":"z","FriendNumber":2},`},
			{`{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes","GroupName":["m","nope","z"]}`,
				`"ResultItem":[{"GroupName":"z","FriendNumber":2,"To_Account":["bob","dave"]},{"GroupName":"m","FriendNumber":1,"To_Account":["carol"]}],"CurrentSequence":2}`},
			{`{"From_Account":"alice","GroupName":["nope"]}`, `"ResultItem":[],"CurrentSequence":2}`},
			{`{"From_Account":"alice","GroupName":[]}`, `"ResultItem":[{"GroupName":"z",`},
			{`{"From_Account":"alice","LastSequence":2}`, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"ErrorDisplay":"","CurrentSequence":2}`},
			{`{"From_Account":"alice","LastSequence":1}`, `"ResultItem":[{"GroupName":"z",`},
			{`{"From_Account":"alice","LastSequence":2,"GroupName":["a"]}`, `"ResultItem":[{"GroupName":"a","FriendNumber":2}],"CurrentSequence":2}`},
			{`{"From_Account":"bob"}`, `"ResultItem":[],"CurrentSequence":0}`},
			{`{"From_Account":"bob","LastSequence":0}`, `"ErrorDisplay":"","CurrentSequence":0}`},
		} {
			if got := get(tc.body); !strings.Contains(got, tc.want) {
				t.Errorf("%s: %s\nlacks %s", tc.body, got, tc.want)
			}
		}
		for _, tc := range []struct {
			code int
			body string
		}{
			{30001, `{}`},
			{30001, `{"From_Account":"alice","GroupName":[""]}`},
			{30001, `{"From_Account":"alice","GroupName":"z"}`},
			{30001, `{"From_Account":"alice","NeedFriend":1}`},
			{30001, `{"From_Account":"alice","LastSequence":"2"}`},
			{30003, `{"From_Account":"nobody"}`},
		} {
			h.MustCall(tc.code, sns, "group_get", tc.body)
		}
	})
}

// repeat is n copies of s.
func repeat(s string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = s
	}
	return out
}
