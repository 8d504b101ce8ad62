package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// friendPage is what the tests read of a friend_get reply.
type friendPage struct {
	UserDataItem []struct {
		To_Account string
		ValueItem  []struct {
			Tag   string
			Value json.RawMessage
		}
	}
	StandardSequence, CustomSequence int64
	FriendNum, CompleteFlag          int
	NextStartIndex                   int
}

// friendGet calls friend_get and decodes the reply.
func (h *Harness) friendGet(body string) (friendPage, Reply) {
	h.tb.Helper()
	r := h.MustCall(0, sns, "friend_get", body)
	var p friendPage
	if err := json.Unmarshal([]byte(r.Raw), &p); err != nil {
		h.tb.Fatalf("friend_get: %v: %s", err, r.Raw)
	}
	return p, r
}

// Ensure friend_import imports one-way friends with every field, creates
// the lists it names, records no event, and answers per item; friend_get
// shows the fields with the standard tags.
func TestSNS_FriendImport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 1001), "alice", "bob", "carol", "dave")...)
		runSNSCases(t, h, friendImportCases())
		if evs := h.events(); len(evs) != 0 {
			t.Fatalf("friend_import recorded %d events: %s", len(evs), evs[0].Raw)
		}
		if got := h.relation("alice", "bob"); got != "CheckResult_Type_AWithB" {
			t.Errorf("friend_import made %s, want one way", got)
		}

		p, r := h.friendGet(`{"From_Account":"alice","StartIndex":0}`)
		want := `{"To_Account":"bob","ValueItem":[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_XXXXXXXX"},` +
			`{"Tag":"Tag_SNS_IM_Remark","Value":"remark1"},{"Tag":"Tag_SNS_IM_Group","Value":["Colleagues","Friends"]},` +
			`{"Tag":"Tag_SNS_IM_AddWording","Value":"I'm Test1"},{"Tag":"Tag_SNS_IM_AddTime","Value":1420000001},` +
			`{"Tag":"Tag_SNS_Custom_XXXX","Value":"中\u003c"},{"Tag":"Tag_SNS_Custom_YYYY","Value":0}]}`
		if !strings.Contains(r.Raw, want) {
			t.Errorf("friend_get %.800s\nlacks %s", r.Raw, want)
		}
		// carol came without AddTime: now, and without the empty fields.
		if len(p.UserDataItem) != 4 || p.UserDataItem[1].To_Account != "carol" || len(p.UserDataItem[1].ValueItem) != 2 {
			t.Fatalf("friend_get %.600s", r.Raw)
		}
		if v := p.UserDataItem[1].ValueItem[1]; v.Tag != "Tag_SNS_IM_AddTime" || string(v.Value) < "1700000000" {
			t.Errorf("carol's AddTime %s %s", v.Tag, v.Value)
		}
		if n := h.listSeq("alice"); n != 3 {
			t.Errorf("CurrentSequence %d, want 3 (one per import that changed lists)", n)
		}
	})
}

// importItemBody is friend_import's body importing dave as alice's friend
// with the extra fields.
func importItemBody(extra string) string {
	return `{"From_Account":"alice","AddFriendItem":[{"To_Account":"dave","AddSource":"AddSource_Type_Test",` + extra + `}]}`
}

// importCustomBody is importItemBody with one custom item.
func importCustomBody(tag, value string) string {
	return importItemBody(`"CustomItem":[{"Tag":"` + tag + `","Value":` + value + `}]`)
}

// importBad is a friend_import case refused with 30001.
func importBad(name, body string) snsCase {
	return snsCase{name: name, command: "friend_import", body: body, code: 30001}
}

// friendImportCases are TestSNS_FriendImport's calls, in order.
func friendImportCases() []snsCase {
	return []snsCase{
		{name: "Full", command: "friend_import",
			body: `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","Remark":"remark1","RemarkTime":1420000001,` +
				`"GroupName":["Colleagues","Friends","Colleagues"],"AddSource":"AddSource_Type_XXXXXXXX","AddWording":"I'm Test1","AddTime":1420000001,` +
				`"CustomItem":[{"Tag":"Tag_SNS_Custom_XXXX","Value":"Test"},{"Tag":"Tag_SNS_Custom_YYYY","Value":0},{"Tag":"Tag_SNS_Custom_XXXX","Value":"\u4e2d<"}]}]}`,
			want: []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}]`}, absent: []string{"Fail_Account"}},
		{name: "PerItem", command: "friend_import", body: `{"From_Account":"alice","AddFriendItem":` + addItems("bob", "alice", "nobody", "carol") + `}`,
			want: []string{`"ResultItem":[{"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_FriendImport_Friend_Exist"},` +
				`{"To_Account":"alice","ResultCode":30001,"ResultInfo":"Err_SNS_FriendImport_Cannot_Import_Self"},` +
				`{"To_Account":"nobody","ResultCode":30003,"ResultInfo":"Err_SNS_FriendImport_Account_Not_Exist"},` +
				`{"To_Account":"carol","ResultCode":0,"ResultInfo":""}]`, `"Fail_Account":["bob","alice","nobody"]`}},
		{name: "Items1000", command: "friend_import", body: `{"From_Account":"bob","AddFriendItem":` + addItems(users("u", 1000)...) + `}`},
		importBad("ErrItems1001", `{"From_Account":"carol","AddFriendItem":`+addItems(users("u", 1001)...)+`}`),
		importBad("ErrNoFrom", `{"AddFriendItem":`+addItems("dave")+`}`),
		{name: "ErrUnknownFrom", command: "friend_import", body: `{"From_Account":"nobody","AddFriendItem":` + addItems("dave") + `}`, code: 30003},
		importBad("ErrNoAddSource", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"dave"}]}`),
		importBad("ErrGroupNameString", importItemBody(`"GroupName":"Friends"`)),
		importBad("ErrGroupNameEmpty", importItemBody(`"GroupName":[""]`)),
		importBad("ErrGroupName31", importItemBody(`"GroupName":["`+xs(31)+`"]`)),
		importBad("ErrGroupName33", importItemBody(`"GroupName":`+jstr(users("g", 33)))),
		importBad("ErrRemark97", importItemBody(`"Remark":"`+xs(97)+`"`)),
		importBad("ErrAddWording257", importItemBody(`"AddWording":"`+xs(257)+`"`)),
		importBad("ErrAddTimeString", importItemBody(`"AddTime":"1420000001"`)),
		importBad("ErrAddTimeNegative", importItemBody(`"AddTime":-1`)),
		importBad("ErrRemarkTimeNegative", importItemBody(`"RemarkTime":-1`)),
		importBad("ErrCustomNoPrefix", importCustomBody("Custom_XX", `"v"`)),
		importBad("ErrCustomEmptyName", importCustomBody("Tag_SNS_Custom_", `"v"`)),
		importBad("ErrCustomName9", importCustomBody("Tag_SNS_Custom_ABCDEFGHI", `"v"`)),
		importBad("ErrCustomNameDash", importCustomBody("Tag_SNS_Custom_A-B", `"v"`)),
		importBad("ErrCustomFloat", importCustomBody("Tag_SNS_Custom_A", `1.5`)),
		importBad("ErrCustomObject", importCustomBody("Tag_SNS_Custom_A", `{"a":1}`)),
		importBad("ErrCustomNull", importCustomBody("Tag_SNS_Custom_A", `null`)),
		importBad("ErrCustomBool", importCustomBody("Tag_SNS_Custom_A", `true`)),
		importBad("ErrCustomValue501", importCustomBody("Tag_SNS_Custom_A", `"`+xs(501)+`"`)),
		importBad("ErrCustomNoTag", importItemBody(`"CustomItem":[{"Value":"v"}]`)),
		importBad("ErrCustom21", importItemBody(`"CustomItem":[`+customTags(21)+`]`)),
		{name: "Custom20", command: "friend_import", body: importItemBody(`"CustomItem":[` + customTags(20) + `],"GroupName":` + jstr(users("g", 30)) +
			`,"Remark":"` + xs(96) + `","AddWording":"` + xs(256) + `"`)},
		// alice now has 32 lists: an item needing a 33rd fails whole.
		{name: "ErrListLimit", command: "friend_import", body: `{"From_Account":"alice","AddFriendItem":[{"To_Account":"u1","AddSource":"AddSource_Type_Test","GroupName":["g0","new"]},` +
			`{"To_Account":"u2","AddSource":"AddSource_Type_Test","GroupName":["g0","g29"]}]}`,
			want: []string{`"ResultItem":[{"To_Account":"u1","ResultCode":30011,"ResultInfo":"Err_SNS_FriendImport_Group_Num_Exceed_Threshold"},{"To_Account":"u2","ResultCode":0,`}},
	}
}

// customTags renders n custom items Tag_SNS_Custom_T0...
func customTags(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"Tag":"Tag_SNS_Custom_T%d","Value":%d}`, i, i)
	}
	return strings.Join(parts, ",")
}

// Ensure friend_get pages 100 friends at a time in UserID byte order with
// NextStartIndex and CompleteFlag, counts FriendNum, and leaves the standard
// (custom) fields out when the caller's StandardSequence (CustomSequence)
// is the user's.
func TestSNS_FriendGet(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		friends := users("u", 250)
		h := openGroups(t, dsn, append(friends, "alice", "bob")...)
		var items []string
		for _, id := range friends {
			items = append(items, `{"To_Account":"`+id+`","AddSource":"AddSource_Type_Test","AddTime":1600000000,"CustomItem":[{"Tag":"Tag_SNS_Custom_N","Value":"`+id+`"}]}`)
		}
		h.MustCall(0, sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[`+strings.Join(items, ",")+`]}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["L"],"To_Account":["u1"]}`)

		sorted := slices.Clone(friends)
		slices.Sort(sorted) // byte order: u0, u1, u10, u100, ...
		var got []string
		for _, step := range []struct{ start, n, complete, next int }{
			{0, 100, 0, 100}, {100, 100, 0, 200}, {200, 50, 1, 0}, {250, 0, 1, 0}, {1000, 0, 1, 0}, {249, 1, 1, 0},
		} {
			p, r := h.friendGet(fmt.Sprintf(`{"From_Account":"alice","StartIndex":%d}`, step.start))
			if len(p.UserDataItem) != step.n || p.CompleteFlag != step.complete || p.NextStartIndex != step.next || p.FriendNum != 250 {
				t.Fatalf("StartIndex %d: %d items, CompleteFlag %d, NextStartIndex %d, FriendNum %d", step.start,
					len(p.UserDataItem), p.CompleteFlag, p.NextStartIndex, p.FriendNum)
			}
			if !strings.Contains(r.Raw, `"UserDataItem":[`) {
				t.Fatalf("no UserDataItem array: %s", r.Raw)
			}
			if step.start < 250 {
				for _, d := range p.UserDataItem {
					got = append(got, d.To_Account)
				}
			}
		}
		if !slices.Equal(got[:250], sorted) || got[250] != sorted[249] {
			t.Fatalf("order %v", got)
		}

		p, r := h.friendGet(`{"From_Account":"alice","StartIndex":0,"StandardSequence":0,"CustomSequence":0}`)
		if p.StandardSequence != 2 || p.CustomSequence != 1 {
			t.Fatalf("StandardSequence %d (want 2: the import, the list), CustomSequence %d (want 1)", p.StandardSequence, p.CustomSequence)
		}
		if !strings.Contains(r.Raw, `{"To_Account":"u1","ValueItem":[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_Test"},{"Tag":"Tag_SNS_IM_Group","Value":["L"]},{"Tag":"Tag_SNS_IM_AddTime","Value":1600000000},{"Tag":"Tag_SNS_Custom_N","Value":"u1"}]}`) {
			t.Fatalf("u1 in %.600s", r.Raw)
		}
		for _, tc := range []struct {
			body string
			want string // u0's ValueItem
		}{
			{`{"From_Account":"alice","StartIndex":0,"StandardSequence":2}`, `[{"Tag":"Tag_SNS_Custom_N","Value":"u0"}]`},
			{`{"From_Account":"alice","StartIndex":0,"CustomSequence":1}`, `[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_Test"},{"Tag":"Tag_SNS_IM_AddTime","Value":1600000000}]`},
			{`{"From_Account":"alice","StartIndex":0,"StandardSequence":2,"CustomSequence":1}`, `[]`},
			{`{"From_Account":"alice","StartIndex":0,"StandardSequence":1,"CustomSequence":2}`, `[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_Test"},{"Tag":"Tag_SNS_IM_AddTime","Value":1600000000},{"Tag":"Tag_SNS_Custom_N","Value":"u0"}]`},
		} {
			_, r := h.friendGet(tc.body)
			if want := `{"To_Account":"u0","ValueItem":` + tc.want + `}`; !strings.Contains(r.Raw, want) {
				t.Errorf("%s: %s\nlacks %s", tc.body, r.Raw[:min(len(r.Raw), 400)], want)
			}
		}

		// A user without friends.
		if _, r := h.friendGet(`{"From_Account":"bob","StartIndex":0}`); !strings.Contains(r.Raw,
			`"UserDataItem":[],"StandardSequence":0,"CustomSequence":0,"FriendNum":0,"CompleteFlag":1,"NextStartIndex":0`) {
			t.Errorf("empty friend_get %.600s", r.Raw)
		}
		for _, body := range []string{`{"From_Account":"alice"}`, `{"From_Account":"alice","StartIndex":-1}`,
			`{"From_Account":"alice","StartIndex":"0"}`, `{"StartIndex":0}`, `{"From_Account":"alice","StartIndex":0,"StandardSequence":"x"}`} {
			h.MustCall(30001, sns, "friend_get", body)
		}
		h.MustCall(30003, sns, "friend_get", `{"From_Account":"nobody","StartIndex":0}`)
	})
}
