package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const sns = "sns"

// snsCase is a scenario row of sns.
type snsCase = callCase

// runSNSCases runs sns rows.
func runSNSCases(t *testing.T, h *Harness, cases []snsCase) { t.Helper(); runCases(t, h, sns, cases) }

// addItems renders AddFriendItem entries for ids with a valid AddSource.
func addItems(ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = `{"To_Account":` + jstr(id) + `,"AddSource":"AddSource_Type_Test"}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// friendAdd renders a friend_add body from alice with one item of extra
// fields.
func addOne(to, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return `{"From_Account":"alice","AddFriendItem":[{"To_Account":"` + to + `","AddSource":"AddSource_Type_Test"` + extra + `}]}`
}

// relation is friend_check's Both-mode relation of from to to.
func (h *Harness) relation(from, to string) string {
	h.tb.Helper()
	r := h.MustCall(0, sns, "friend_check", `{"From_Account":`+jstr(from)+`,"To_Account":[`+jstr(to)+`],"CheckType":"CheckResult_Type_Both"}`)
	var v struct{ InfoItem []struct{ Relation string } }
	if err := json.Unmarshal([]byte(r.Raw), &v); err != nil || len(v.InfoItem) != 1 {
		h.tb.Fatalf("friend_check: %v: %s", err, r.Raw)
	}
	return v.InfoItem[0].Relation
}

// listSeq is the user's CurrentSequence, from group_get.
func (h *Harness) listSeq(user string) int64 {
	h.tb.Helper()
	var v struct{ CurrentSequence int64 }
	r := h.MustCall(0, sns, "group_get", `{"From_Account":`+jstr(user)+`}`)
	if err := json.Unmarshal([]byte(r.Raw), &v); err != nil {
		h.tb.Fatal(err)
	}
	return v.CurrentSequence
}

// Ensure friend_add checks every field and answers per item: two-way by
// default, one-way with Add_Type_Single, 30003 for an account that is not
// imported, 30001 for oneself and for a friend already there in every
// direction asked for; Sns.CallbackFriendAdd lists exactly the rows created.
func TestSNS_FriendAdd(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		all := append(users("u", 1001), "alice", "bob", "carol", "dave", "erin", "frank")
		h := openGroups(t, dsn, all...)
		h.allowAny(all...) // AllowType has its own test: TestSNS_FriendAddAllowType
		runSNSCases(t, h, friendAddCases())

		for _, r := range []struct{ from, to, want string }{
			{"alice", "bob", im.RelationBoth}, {"alice", "carol", im.RelationBoth}, {"alice", "dave", im.RelationBoth},
			{"alice", "erin", im.RelationBoth}, {"alice", "frank", im.RelationBoth}, {"bob", "carol", im.RelationBoth},
			{"bob", "u999", im.RelationAWithB}, {"u0", "bob", im.RelationBWithA}, {"dave", "erin", im.RelationBoth},
			{"carol", "dave", im.RelationNone},
		} {
			if got := h.relation(r.from, r.to); got != r.want {
				t.Errorf("%s and %s: %s, want %s", r.from, r.to, got, r.want)
			}
		}
		// The list named when adding erin was created and holds erin; the
		// empty name created none.
		r := h.MustCall(0, sns, "group_get", `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`)
		if want := `"ResultItem":[{"GroupName":"` + xs(30) + `","FriendNumber":1,"To_Account":["erin"]}],"CurrentSequence":1`; !strings.Contains(r.Raw, want) {
			t.Errorf("group_get %s\nlacks %s", r.Raw, want)
		}
	})
}

// friendAddBad is a friend_add case refused with code.
func friendAddBad(name string, code int, body string) snsCase {
	return snsCase{name: name, command: "friend_add", body: body, code: code, want: []string{`"ErrorDisplay":""`}}
}

// friendAddCases are TestSNS_FriendAdd's calls, in order.
func friendAddCases() []snsCase {
	const ev = im.CallbackFriendAdd
	return []snsCase{
		friendAddBad("ErrNoFrom", 30001, `{"AddFriendItem":`+addItems("bob")+`}`),
		friendAddBad("ErrEmptyFrom", 30001, `{"From_Account":"","AddFriendItem":`+addItems("bob")+`}`),
		friendAddBad("ErrFromNotString", 30001, `{"From_Account":7,"AddFriendItem":`+addItems("bob")+`}`),
		friendAddBad("ErrUnknownFrom", 30003, `{"From_Account":"nobody","AddFriendItem":`+addItems("bob")+`}`),
		friendAddBad("ErrInvalidFrom", 30003, `{"From_Account":"`+xs(33)+`","AddFriendItem":`+addItems("bob")+`}`),
		friendAddBad("ErrNoItems", 30001, `{"From_Account":"alice"}`),
		friendAddBad("ErrEmptyItems", 30001, `{"From_Account":"alice","AddFriendItem":[]}`),
		friendAddBad("ErrItems1001", 30001, `{"From_Account":"alice","AddFriendItem":`+addItems(users("u", 1001)...)+`}`),
		friendAddBad("ErrItemsNotArray", 30001, `{"From_Account":"alice","AddFriendItem":{"To_Account":"bob"}}`),
		friendAddBad("ErrNoTo", 30001, `{"From_Account":"alice","AddFriendItem":[{"AddSource":"AddSource_Type_Test"}]}`),
		friendAddBad("ErrEmptyTo", 30001, addOne("", "")),
		friendAddBad("ErrNoAddSource", 30001, `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob"}]}`),
		friendAddBad("ErrAddSourcePrefix", 30001, `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"Web"}]}`),
		friendAddBad("ErrAddSourceEmptyKeyword", 30001, `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_"}]}`),
		friendAddBad("ErrAddSource9Letters", 30001, `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_ABCDEFGHI"}]}`),
		friendAddBad("ErrAddSourceDigit", 30001, `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Web2"}]}`),
		friendAddBad("ErrRemark97", 30001, addOne("bob", `"Remark":"`+xs(97)+`"`)),
		friendAddBad("ErrRemarkNUL", 30001, addOne("bob", `"Remark":"a\u0000b"`)),
		friendAddBad("ErrAddWording257", 30001, addOne("bob", `"AddWording":"`+xs(257)+`"`)),
		friendAddBad("ErrGroupName31", 30001, addOne("bob", `"GroupName":"`+xs(31)+`"`)),
		friendAddBad("ErrGroupNameArray", 30001, addOne("bob", `"GroupName":["a"]`)),
		friendAddBad("ErrAddType", 30001, `{"From_Account":"alice","AddFriendItem":`+addItems("bob")+`,"AddType":"Add_Type_Three"}`),
		friendAddBad("ErrForceAddFlags", 30001, `{"From_Account":"alice","AddFriendItem":`+addItems("bob")+`,"ForceAddFlags":2}`),

		{name: "BothByDefault", command: "friend_add", body: addOne("bob", ""), event: ev,
			want:   []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}]`},
			absent: []string{"Fail_Account"},
			evWant: []string{`"PairList":[{"From_Account":"alice","Initiator_Account":"alice","To_Account":"bob"},{"From_Account":"bob","Initiator_Account":"alice","To_Account":"alice"}]`,
				`"ClientCmd":"friend_add"`, `"Admin_Account":"administrator"`, `"ForceFlag":0`}},
		{name: "ErrExists", command: "friend_add", body: addOne("bob", ""),
			want: []string{`{"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_FriendAdd_Friend_Exist"}`, `"Fail_Account":["bob"]`}},
		{name: "SingleForced", command: "friend_add", event: ev,
			body:   `{"From_Account":"alice","AddFriendItem":` + addItems("carol") + `,"AddType":"Add_Type_Single","ForceAddFlags":1}`,
			evWant: []string{`"PairList":[{"From_Account":"alice","Initiator_Account":"alice","To_Account":"carol"}]`, `"ForceFlag":1`}},
		{name: "SingleExists", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("carol") + `,"AddType":"Add_Type_Single"}`,
			want: []string{`"ResultCode":30001,"ResultInfo":"Err_SNS_FriendAdd_Friend_Exist"`}},
		// Two-way after one-way: only the missing direction is created.
		{name: "BothCompletes", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("carol") + `,"AddType":""}`, event: ev,
			want:   []string{`{"To_Account":"carol","ResultCode":0,"ResultInfo":""}`},
			evWant: []string{`"PairList":[{"From_Account":"carol","Initiator_Account":"alice","To_Account":"alice"}]`}},
		{name: "PerItem", command: "friend_add", event: ev,
			body: `{"From_Account":"alice","AddFriendItem":` + addItems("nobody", "alice", "dave", "bob", "dave", xs(40)) + `,"AddType":"Add_Type_Both","ForceAddFlags":0}`,
			want: []string{`"ResultItem":[{"To_Account":"nobody","ResultCode":30003,"ResultInfo":"Err_SNS_FriendAdd_Account_Not_Exist"},` +
				`{"To_Account":"alice","ResultCode":30001,"ResultInfo":"Err_SNS_FriendAdd_Cannot_Add_Self"},` +
				`{"To_Account":"dave","ResultCode":0,"ResultInfo":""},` +
				`{"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_FriendAdd_Friend_Exist"},` +
				`{"To_Account":"dave","ResultCode":30001,"ResultInfo":"Err_SNS_FriendAdd_Friend_Exist"},` +
				`{"To_Account":"` + xs(40) + `","ResultCode":30003,`,
				`"Fail_Account":["nobody","alice","bob","dave","` + xs(40) + `"]`},
			evWant: []string{`"PairList":[{"From_Account":"alice","Initiator_Account":"alice","To_Account":"dave"},{"From_Account":"dave","Initiator_Account":"alice","To_Account":"alice"}]`}},
		{name: "AllFailNoEvent", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("nobody", "bob") + `}`,
			want: []string{`"Fail_Account":["nobody","bob"]`}},
		{name: "Fields", command: "friend_add", event: ev,
			body: addOne("erin", `"Remark":"`+xs(96)+`","GroupName":"`+xs(30)+`","AddWording":"`+xs(256)+`"`)},
		{name: "EmptyGroupNameIsNone", command: "friend_add", event: ev, body: addOne("frank", `"GroupName":"","Remark":"","AddWording":""`)},
		{name: "AddSource8Letters", command: "friend_add", event: ev,
			body: `{"From_Account":"bob","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_ABCDEFGH"}]}`},
		{name: "Items1000", command: "friend_add", event: ev,
			body: `{"From_Account":"bob","AddFriendItem":` + addItems(users("u", 1000)...) + `,"AddType":"Add_Type_Single"}`},
		{name: "NullOptionals", command: "friend_add", event: ev,
			body: `{"From_Account":"dave","AddFriendItem":[{"To_Account":"erin","AddSource":"AddSource_Type_Test","Remark":null,"GroupName":null}],"AddType":null,"ForceAddFlags":null,"Unknown":1}`},
	}
}

// Ensure friend_delete removes one direction by default and both with
// Delete_Type_Both, answers 31704 where there was nothing to remove, and
// records Sns.CallbackFriendDelete with the rows removed only.
func TestSNS_FriendDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 1001), "alice", "bob", "carol", "dave", "erin")...)
		h.allowAny("bob", "carol", "dave")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob", "carol", "dave")+`}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"erin","AddFriendItem":`+addItems("alice")+`}`)
		const ev = im.CallbackFriendDelete
		bad := func(name string, code int, body string) snsCase {
			return snsCase{name: name, command: "friend_delete", body: body, code: code}
		}
		to := func(ids ...string) string { return jstr(ids) }
		cases := []snsCase{
			bad("ErrNoFrom", 30001, `{"To_Account":["bob"]}`),
			bad("ErrUnknownFrom", 30003, `{"From_Account":"nobody","To_Account":["bob"]}`),
			bad("ErrNoTo", 30001, `{"From_Account":"alice"}`),
			bad("ErrEmptyTo", 30001, `{"From_Account":"alice","To_Account":[]}`),
			bad("ErrToEmptyString", 30001, `{"From_Account":"alice","To_Account":["bob",""]}`),
			bad("ErrToNotStrings", 30001, `{"From_Account":"alice","To_Account":[1]}`),
			bad("ErrTo1001", 30001, `{"From_Account":"alice","To_Account":`+to(users("u", 1001)...)+`}`),
			bad("ErrDeleteType", 30001, `{"From_Account":"alice","To_Account":["bob"],"DeleteType":"Delete_Type_All"}`),

			{name: "SingleByDefault", command: "friend_delete", body: `{"From_Account":"alice","To_Account":["bob"]}`, event: ev,
				want:   []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}]`},
				evWant: []string{`"PairList":[{"From_Account":"alice","To_Account":"bob"}]`}},
			{name: "NotFriends", command: "friend_delete", body: `{"From_Account":"alice","To_Account":["bob","nobody","alice","u5"],"DeleteType":"Delete_Type_Single"}`,
				want: []string{`{"To_Account":"bob","ResultCode":31704,"ResultInfo":"Err_SNS_FriendDelete_Not_Friend"}`,
					`{"To_Account":"nobody","ResultCode":31704,`, `{"To_Account":"alice","ResultCode":31704,`, `{"To_Account":"u5","ResultCode":31704,`}},
			{name: "Both", command: "friend_delete", body: `{"From_Account":"alice","To_Account":["carol","u6"],"DeleteType":"Delete_Type_Both"}`, event: ev,
				want:   []string{`"ResultItem":[{"To_Account":"carol","ResultCode":0,"ResultInfo":""},{"To_Account":"u6","ResultCode":31704,`},
				evWant: []string{`"PairList":[{"From_Account":"alice","To_Account":"carol"},{"From_Account":"carol","To_Account":"alice"}]`}},
			// Only the peer has the user: Both removes that row.
			{name: "BothPeerOnly", command: "friend_delete", body: `{"From_Account":"alice","To_Account":["erin","bob"],"DeleteType":"Delete_Type_Both"}`, event: ev,
				want:   []string{`{"To_Account":"erin","ResultCode":0,"ResultInfo":""},{"To_Account":"bob","ResultCode":0,"ResultInfo":""}`},
				evWant: []string{`"PairList":[{"From_Account":"erin","To_Account":"alice"},{"From_Account":"bob","To_Account":"alice"}]`}},
			{name: "NeverAnAccount", command: "friend_delete", body: `{"From_Account":"alice","To_Account":["a\u0000b","` + strings.Repeat("x", 33) + `"],"DeleteType":"Delete_Type_Both"}`,
				want: []string{`"ResultItem":[{"To_Account":"a\u0000b","ResultCode":31704,`, `"ResultCode":31704,"ResultInfo":"Err_SNS_FriendDelete_Not_Friend"}]`}},
			{name: "To1000", command: "friend_delete", body: `{"From_Account":"alice","To_Account":` + to(users("u", 1000)...) + `}`,
				want: []string{`"ResultCode":31704`}},
		}
		runSNSCases(t, h, cases)
		for _, r := range []struct{ from, to, want string }{
			{"alice", "bob", im.RelationNone}, {"alice", "carol", im.RelationNone}, {"alice", "dave", im.RelationBoth},
			{"alice", "erin", im.RelationNone},
		} {
			if got := h.relation(r.from, r.to); got != r.want {
				t.Errorf("%s and %s: %s, want %s", r.from, r.to, got, r.want)
			}
		}
	})
}

// Ensure friend_check answers with CheckResult_Type_Single from the
// From_Account's list only and with CheckResult_Type_Both from both.
func TestSNS_FriendCheck(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 1001), "alice", "bob", "carol", "dave")...)
		h.allowAny("bob")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob")+`}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"alice","AddFriendItem":`+addItems("carol")+`}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"dave","AddFriendItem":`+addItems("alice")+`}`)
		all := `"To_Account":["bob","carol","dave","nobody"]`
		item := func(to, rel string) string {
			return fmt.Sprintf(`{"To_Account":%q,"Relation":%q,"ResultCode":0,"ResultInfo":""}`, to, rel)
		}
		bad := func(name string, code int, body string) snsCase {
			return snsCase{name: name, command: "friend_check", body: body, code: code}
		}
		runSNSCases(t, h, []snsCase{
			{name: "Both", command: "friend_check", body: `{"From_Account":"alice",` + all + `,"CheckType":"CheckResult_Type_Both"}`,
				want: []string{`"InfoItem":[` + item("bob", im.RelationBoth) + "," + item("carol", im.RelationAWithB) + "," +
					item("dave", im.RelationBWithA) + "," + item("nobody", im.RelationNone) + "]"},
				absent: []string{"Fail_Account"}},
			{name: "Single", command: "friend_check", body: `{"From_Account":"alice",` + all + `,"CheckType":"CheckResult_Type_Single"}`,
				want: []string{`"InfoItem":[` + item("bob", im.RelationAWithB) + "," + item("carol", im.RelationAWithB) + "," +
					item("dave", im.RelationNone) + "," + item("nobody", im.RelationNone) + "]"}},
			{name: "NeverAnAccount", command: "friend_check", body: `{"From_Account":"alice","To_Account":["a\u0000b"],"CheckType":"CheckResult_Type_Both"}`,
				want: []string{`{"To_Account":"a\u0000b","Relation":"CheckResult_Type_NoRelation","ResultCode":0,"ResultInfo":""}`}},
			{name: "To1000", command: "friend_check", body: `{"From_Account":"alice","To_Account":` + jstr(users("u", 1000)) + `,"CheckType":"CheckResult_Type_Both"}`},
			bad("ErrNoCheckType", 30001, `{"From_Account":"alice",`+all+`}`),
			bad("ErrEmptyCheckType", 30001, `{"From_Account":"alice",`+all+`,"CheckType":""}`),
			bad("ErrCheckType", 30001, `{"From_Account":"alice",`+all+`,"CheckType":"CheckResult_Type_BothWay"}`),
			bad("ErrNoFrom", 30001, `{`+all+`,"CheckType":"CheckResult_Type_Both"}`),
			bad("ErrUnknownFrom", 30003, `{"From_Account":"nobody",`+all+`,"CheckType":"CheckResult_Type_Both"}`),
			bad("ErrNoTo", 30001, `{"From_Account":"alice","CheckType":"CheckResult_Type_Both"}`),
			bad("ErrTo1001", 30001, `{"From_Account":"alice","To_Account":`+jstr(users("u", 1001))+`,"CheckType":"CheckResult_Type_Both"}`),
		})
	})
}

// Ensure a friend_add item naming a list that would be the user's 33rd
// fails alone (30011) while the others are added, and that the peer's row
// of a two-way add carries the item's AddSource and AddWording but neither
// its remark nor its list.
func TestSNS_FriendAddListLimitAndPeerRow(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.allowAny("alice", "bob", "carol", "dave")
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":`+jstr(users("g", 32))+`}`)
		r := h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddType":"Add_Type_Single","AddFriendItem":[`+
			`{"To_Account":"bob","AddSource":"AddSource_Type_Test","GroupName":"new"},`+
			`{"To_Account":"carol","AddSource":"AddSource_Type_Test","GroupName":"g0"}]}`)
		if !strings.Contains(r.Raw, `{"To_Account":"bob","ResultCode":30011,`) || !strings.Contains(r.Raw, `{"To_Account":"carol","ResultCode":0,`) {
			t.Fatalf("friend_add with a 33rd list: %s", r)
		}
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddType":"Add_Type_Both","AddFriendItem":[`+
			`{"To_Account":"dave","AddSource":"AddSource_Type_Android","AddWording":"hello dave","Remark":"Dave","GroupName":"g1"}]}`)
		tags := `"TagList":["Tag_SNS_IM_AddSource","Tag_SNS_IM_AddWording","Tag_SNS_IM_Remark","Tag_SNS_IM_Group"]`
		mine := h.MustCall(0, sns, "friend_get_list", `{"From_Account":"alice","To_Account":["dave"],`+tags+`}`)
		if !strings.Contains(mine.Raw, `{"Tag":"Tag_SNS_IM_Remark","Value":"Dave"}`) || !strings.Contains(mine.Raw, `{"Tag":"Tag_SNS_IM_Group","Value":["g1"]}`) {
			t.Fatalf("alice's row: %s", mine)
		}
		peer := h.MustCall(0, sns, "friend_get_list", `{"From_Account":"dave","To_Account":["alice"],`+tags+`}`)
		if !strings.Contains(peer.Raw, `"SnsProfileItem":[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_Android"},{"Tag":"Tag_SNS_IM_AddWording","Value":"hello dave"}]`) {
			t.Fatalf("dave's row: %s, want alice's AddSource and AddWording, no remark and no list", peer)
		}
	})
}
