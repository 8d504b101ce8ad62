package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// contactView is a conversation as get_contact_group lists it.
type contactView struct {
	Type           int
	To_Account     string
	ToGroupId      string
	StandardMark   string
	CustomMark     string
	ContactGroupId []int
	Timestamp      int64
}

// key names the conversation: "c2c:bob" or "group:G1".
func (v contactView) key() string {
	if v.Type == 1 {
		return "c2c:" + v.To_Account
	}
	return "group:" + v.ToGroupId
}

type groupView struct {
	GroupName string
	GroupId   int
}

// contactGroups reads all of a user's conversations, page by page, keyed,
// with the user's conversation groups.
func (h *Harness) contactGroups(user string) (map[string]contactView, []groupView) {
	h.tb.Helper()
	all := map[string]contactView{}
	var groups []groupView
	for start := 0; ; {
		r := h.MustCall(0, rc, "get_contact_group", getBody(user, start))
		var page struct {
			ContactItem    []contactView
			GroupItem      []groupView
			CompleteFlag   int
			NextStartIndex int
		}
		if err := json.Unmarshal([]byte(r.Raw), &page); err != nil {
			h.tb.Fatal(err)
		}
		for _, v := range page.ContactItem {
			if _, dup := all[v.key()]; dup {
				h.tb.Fatalf("%s listed twice", v.key())
			}
			all[v.key()] = v
		}
		groups = page.GroupItem
		if page.CompleteFlag == 1 {
			if page.NextStartIndex != 0 {
				h.tb.Fatalf("last page with NextStartIndex %d", page.NextStartIndex)
			}
			return all, groups
		}
		if page.NextStartIndex != start+len(page.ContactItem) {
			h.tb.Fatalf("NextStartIndex %d after %d items from %d", page.NextStartIndex, len(page.ContactItem), start)
		}
		start = page.NextStartIndex
	}
}

// Ensure del_contact_group does exactly what docs/decisions.md §5.4 says: it
// answers the deleted group, its conversations stay with their marks and other
// groups and without its id, the id is never handed out again, and the name can
// be used again.
func TestContact_DelContactGroup(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openContacts(t, dsn)
		h.MustCall(0, rc, "create_contact_group", createBody("alice", "work", c2c("bob"), grpItem("G1"), grpItem("G2")))
		h.MustCall(0, rc, "create_contact_group", createBody("alice", "fav", c2c("bob")))
		h.MustCall(0, rc, "create_contact_group", createBody("alice", "solo", c2c("carol")))
		h.MustCall(0, rc, "mark_contact", markBody("alice", markItem(3, grpItem("G1"), `"SetMark":[1],"CustomMark":"x"`)))
		before := time.Now().Unix()

		r := h.MustCall(0, rc, "del_contact_group", delBody("alice", "work"))
		if want := `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"ErrorDisplay":"","GroupItem":[{"GroupName":"work","GroupId":1}]}`; r.Raw != want {
			t.Fatalf("del_contact_group:\n got %s\nwant %s", r.Raw, want)
		}
		convs, groups := h.contactGroups("alice")
		if want := []groupView{{"fav", 2}, {"solo", 3}}; !slices.Equal(groups, want) {
			t.Errorf("groups %v, want %v", groups, want)
		}
		for key, want := range map[string]contactView{
			"c2c:bob":   {Type: 1, To_Account: "bob", ContactGroupId: []int{2}},
			"c2c:carol": {Type: 1, To_Account: "carol", ContactGroupId: []int{3}},
			"group:G1":  {Type: 2, ToGroupId: "G1", StandardMark: "10", CustomMark: "x"},
			"group:G2":  {Type: 2, ToGroupId: "G2"},
		} {
			got, ok := convs[key]
			if !ok {
				t.Errorf("%s is gone", key)
				continue
			}
			ts := got.Timestamp
			got.Timestamp = 0
			if jstr(got) != jstr(want) {
				t.Errorf("%s: %+v, want %+v", key, got, want)
			}
			if ts < before-5 || ts > time.Now().Unix()+1 {
				t.Errorf("%s: Timestamp %d is not the unix seconds of a recent change", key, ts)
			}
		}
		if len(convs) != 4 {
			t.Errorf("conversations %v", convs)
		}
		h.MustCall(51009, rc, "del_contact_group", delBody("alice", "work"))
		if r := h.MustCall(0, rc, "search_contact_group", searchBody("alice", grpItem("G1"), grpItem("G2"))); strings.Contains(r.Raw, "ContactGroupId") {
			t.Errorf("search after delete: %s", r.Raw)
		}

		// The same name again: a new group with a new id, empty.
		r = h.MustCall(0, rc, "create_contact_group", createBody("alice", "work", grpItem("G2")))
		if !strings.Contains(r.Raw, `"GroupItem":{"GroupName":"work","GroupId":4}`) {
			t.Fatalf("re-create: %s", r.Raw)
		}
		convs, groups = h.contactGroups("alice")
		if want := []groupView{{"fav", 2}, {"solo", 3}, {"work", 4}}; !slices.Equal(groups, want) {
			t.Errorf("groups %v, want %v", groups, want)
		}
		if got := convs["group:G2"].ContactGroupId; !slices.Equal(got, []int{4}) {
			t.Errorf("G2 in %v, want [4]", got)
		}
		if got := convs["group:G1"].ContactGroupId; got != nil {
			t.Errorf("G1 in %v, want none", got)
		}
		// Deleting every group and creating more never reuses an id.
		for _, name := range []string{"fav", "solo", "work"} {
			h.MustCall(0, rc, "del_contact_group", delBody("alice", name))
		}
		r = h.MustCall(0, rc, "create_contact_group", createBody("alice", "fav"))
		if !strings.Contains(r.Raw, `"GroupId":5`) {
			t.Fatalf("after deleting all: %s", r.Raw)
		}
	})
}

// Ensure dismissing a group removes its conversation from every user's
// conversation groups and marks in the dismissal, that adding it again is a
// per-item 51007 everywhere, and that a new group under the same custom id
// starts clean.
func TestContact_Dismissal(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openContacts(t, dsn)
		h.create(`{"Type":"Public","GroupId":"G3","Name":"three","Owner_Account":"bob","MemberList":[{"Member_Account":"alice"}]}`)
		for _, user := range []string{"alice", "bob"} {
			h.MustCall(0, rc, "create_contact_group", createBody(user, "g", grpItem("G3"), c2c("carol"), grpItem("G1")))
			h.MustCall(0, rc, "create_contact_group", createBody(user, "h", grpItem("G3")))
			h.MustCall(0, rc, "mark_contact", markBody(user, markItem(3, grpItem("G3"), `"SetMark":[2],"CustomMark":"m"`)))
		}
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"G3"}`)

		for _, user := range []string{"alice", "bob"} {
			convs, groups := h.contactGroups(user)
			if _, ok := convs["group:G3"]; ok {
				t.Errorf("%s still has G3: %v", user, convs)
			}
			if len(convs) != 2 || !slices.Equal(convs["c2c:carol"].ContactGroupId, []int{1}) || !slices.Equal(convs["group:G1"].ContactGroupId, []int{1}) {
				t.Errorf("%s: %v", user, convs)
			}
			if want := []groupView{{"g", 1}, {"h", 2}}; !slices.Equal(groups, want) {
				t.Errorf("%s: groups %v", user, groups)
			}
			r := h.MustCall(0, rc, "search_contact_group", searchBody(user, grpItem("G3")))
			if !strings.Contains(r.Raw, `"ContactResultItem":[]`) {
				t.Errorf("%s: search %s", user, r.Raw)
			}
		}
		for _, tc := range []struct{ command, body, want string }{
			{"update_contact_group", updateBody("alice", "h", 1, grpItem("G3")), `"ToGroupId":"G3"},"ResultCode":51007,`},
			{"create_contact_group", createBody("alice", "k", grpItem("G3")), `"ToGroupId":"G3"},"ResultCode":51007,`},
			{"mark_contact", markBody("alice", markItem(1, grpItem("G3"), `"SetMark":[1]`)), `"ToGroupId":"G3"},"ResultCode":51007,`},
			{"update_contact_group", updateBody("alice", "h", 2, grpItem("G3")), `"ToGroupId":"G3"},"ResultCode":0,`},
		} {
			if r := h.MustCall(0, rc, tc.command, tc.body); !strings.Contains(r.Raw, tc.want) {
				t.Errorf("%s: %s\nlacks %s", tc.command, r.Raw, tc.want)
			}
		}

		// The custom id again: a new group, with nothing of the old one's.
		h.create(`{"Type":"Public","GroupId":"G3","Name":"three again","Owner_Account":"bob"}`)
		h.MustCall(0, rc, "update_contact_group", updateBody("alice", "h", 1, grpItem("G3")))
		convs, _ := h.contactGroups("alice")
		if got := convs["group:G3"]; !slices.Equal(got.ContactGroupId, []int{2}) || got.StandardMark != "" || got.CustomMark != "" {
			t.Errorf("G3 again: %+v", got)
		}
	})
}

// Ensure account_delete takes the user's conversation groups and marks in
// its transaction: afterwards the user is 50001, and once imported again
// starts with nothing, ids from 1. Other users keep their conversations
// with the user.
func TestContact_AccountDeleteCascade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openContacts(t, dsn)
		h.MustCall(0, rc, "create_contact_group", createBody("alice", "a1", c2c("bob"), grpItem("G1")))
		h.MustCall(0, rc, "create_contact_group", createBody("alice", "a2", c2c("carol")))
		h.MustCall(0, rc, "mark_contact", markBody("alice", markItem(3, c2c("bob"), `"SetMark":[0],"CustomMark":"x"`)))
		h.MustCall(0, rc, "create_contact_group", createBody("bob", "b1", c2c("alice")))
		h.MustCall(0, rc, "mark_contact", markBody("bob", markItem(2, c2c("alice"), `"CustomMark":"friend"`)))

		r := h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"alice"}]}`)
		if !strings.Contains(r.Raw, `"ResultCode":0`) {
			t.Fatalf("account_delete: %s", r.Raw)
		}
		h.MustCall(50001, rc, "get_contact_group", getBody("alice", 0))
		h.MustCall(50001, rc, "del_contact_group", delBody("alice", "a1"))

		// bob's conversation with alice is bob's: it stays, can be taken
		// out of a group, but not marked while alice is not imported.
		convs, _ := h.contactGroups("bob")
		if got := convs["c2c:alice"]; !slices.Equal(got.ContactGroupId, []int{1}) || got.CustomMark != "friend" {
			t.Errorf("bob's conversation with alice: %+v", got)
		}
		if r := h.MustCall(0, rc, "mark_contact", markBody("bob", markItem(2, c2c("alice"), `"CustomMark":""`))); !strings.Contains(r.Raw, `"ResultCode":50001`) {
			t.Errorf("mark after delete: %s", r.Raw)
		}
		if r := h.MustCall(0, rc, "update_contact_group", updateBody("bob", "b1", 2, c2c("alice"))); !strings.Contains(r.Raw, `"ResultCode":0`) {
			t.Errorf("remove after delete: %s", r.Raw)
		}

		h.importUsers("alice")
		convs, groups := h.contactGroups("alice")
		if len(convs) != 0 || len(groups) != 0 {
			t.Fatalf("re-imported alice has %v %v", convs, groups)
		}
		r = h.MustCall(0, rc, "create_contact_group", createBody("alice", "a1"))
		if !strings.Contains(r.Raw, `"GroupId":1`) {
			t.Errorf("re-imported alice's first group: %s", r.Raw)
		}
	})
}

// Ensure every recentcontact command answers 51013 on an app that is not on
// the Ultimate edition, after the body is decoded (60003 and a mistyped
// field come first) and before any other check.
func TestContact_EditionGate(t *testing.T) {
	bodies := map[string]string{
		"create_contact_group": createBody("alice", "g", c2c("bob")),
		"update_contact_group": updateBody("alice", "g", 1, c2c("bob")),
		"get_contact_group":    getBody("alice", 0),
		"search_contact_group": searchBody("alice", c2c("bob")),
		"mark_contact":         markBody("alice", markItem(1, c2c("bob"), `"SetMark":[1]`)),
		"del_contact_group":    delBody("alice", "g"),
	}
	for _, ed := range []im.Edition{im.EditionPro, im.EditionStandard} {
		t.Run(string(ed), func(t *testing.T) {
			h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Apps[0].Edition = ed })
			h.importUsers("alice", "bob")
			for command, body := range bodies {
				for _, tc := range []struct {
					body string
					code int
				}{
					{body, 51013},
					{`{}`, 51013},
					{`{"From_Account":"nobody","MarkItem":[]}`, 51013},
					{`not json`, 60003},
					{`{"From_Account":1}`, 50002},
				} {
					if r := h.Call(rc, command, tc.body); r.Code(t) != tc.code {
						t.Errorf("%s %s: %s, want %d", command, tc.body, r.Raw, tc.code)
					}
				}
			}
			// The group commands are not gated.
			h.create(`{"Type":"Public","GroupId":"G","Name":"g","Owner_Account":"alice"}`)
		})
	}
}

// Ensure a recentcontact request that runs out of time answers Tencent's
// 50005, while other services keep their internal code.
func TestContact_Timeout(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.RequestTimeout = time.Nanosecond })
	for command, body := range map[string]string{
		"get_contact_group":    getBody(Admin, 0),
		"create_contact_group": createBody(Admin, "g"),
	} {
		if r := h.Call(rc, command, body); r.Code(t) != im.CodeContactTimeout {
			t.Errorf("%s: %s", command, r.Raw)
		}
	}
	if r := h.Call(grp, "get_appid_group_list", `{}`); r.Code(t) != im.CodeGroupInternal {
		t.Errorf("get_appid_group_list: %s", r.Raw)
	}
}
