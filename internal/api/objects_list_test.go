package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// listAll pages through list_objects with body (a JSON object without its
// closing brace) and limit, and returns the Ids in order and the pages.
func listAll(t *testing.T, h *Harness, body string, limit int) (ids []string, pages int) {
	t.Helper()
	cursor := ""
	for {
		b, _ := json.Marshal(cursor)
		r := h.MustCall(0, "timd_control", "list_objects", body+`,"Limit":`+itoaT(limit)+`,"Cursor":`+string(b)+`}`)
		pages++
		objs, _ := r.M["Objects"].([]any)
		if len(objs) > limit {
			t.Fatalf("%d objects on a page of %d: %s", len(objs), limit, r)
		}
		for _, o := range objs {
			ids = append(ids, o.(map[string]any)["Id"].(string))
		}
		cursor, _ = r.M["NextCursor"].(string)
		if cursor == "" || pages > 100 {
			return ids, pages
		}
	}
}

func itoaT(n int) string { b, _ := json.Marshal(n); return string(b) }

// Ensure list_objects pages each kind of object in a stable key order,
// every object once, and refuses bad requests.
func TestListObjects(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.MustCall(0, "im_open_login_svc", "multiaccount_import", `{"Accounts":["u3","u1","u5","u2","u4"]}`)
		ids, pages := listAll(t, h, `{"Type":"Account"`, 2)
		want := []string{"admin2", "administrator", "u1", "u2", "u3", "u4", "u5"}
		if !slices.Equal(ids, want) || pages != 4 {
			t.Errorf("accounts %v in %d pages, want %v in 4", ids, pages, want)
		}
		h.MustCall(0, "group_open_http_svc", "create_group", `{"Owner_Account":"u1","Type":"Public","Name":"B","GroupId":"gb","MemberList":[{"Member_Account":"u3"},{"Member_Account":"u2"}]}`)
		h.MustCall(0, "group_open_http_svc", "create_group", `{"Type":"Private","Name":"A","GroupId":"ga"}`)
		r := h.MustCall(0, "timd_control", "list_objects", `{"Type":"Group"}`)
		if !strings.Contains(r.Raw, `"Objects":[{"Id":"ga","Type":"Private","Name":"A"},{"Id":"gb","Type":"Public","Name":"B","Owner_Account":"u1"}],"NextCursor":""`) {
			t.Errorf("groups: %s", r)
		}
		r = h.MustCall(0, "timd_control", "list_objects", `{"Type":"GroupMember","GroupId":"gb","Limit":2}`)
		if !strings.Contains(r.Raw, `"Objects":[{"Id":"u1","Role":"Owner"},{"Id":"u2","Role":"Member"}],"NextCursor":"u2"`) {
			t.Errorf("members: %s", r)
		}
		h.MustCall(0, "sns", "friend_add", `{"From_Account":"u1","AddFriendItem":[{"To_Account":"u4","AddSource":"AddSource_Type_T"},{"To_Account":"u2","AddSource":"AddSource_Type_T"}],"ForceAddFlags":1}`)
		if ids, _ := listAll(t, h, `{"Type":"Friend","From_Account":"u1"`, 1); !slices.Equal(ids, []string{"u2", "u4"}) {
			t.Errorf("friends of u1: %v", ids)
		}
		for body, code := range map[string]int{
			`{}`: im.CodeMgmtInvalid, `{"Type":"Message"}`: im.CodeMgmtInvalid, `{"Type":"Account","Limit":0}`: im.CodeMgmtInvalid,
			`{"Type":"Account","Limit":1001}`: im.CodeMgmtInvalid, `{"Type":"GroupMember"}`: im.CodeMgmtInvalid,
			`{"Type":"Friend"}`: im.CodeMgmtInvalid, `{"Type":"GroupMember","GroupId":"nope"}`: im.CodeGroupNotFound,
			`{"Type":"Account","Cursor":"a\u0000"}`: im.CodeMgmtInvalid,
		} {
			if r := h.Call("timd_control", "list_objects", body); r.Code(t) != code {
				t.Errorf("%s: %s, want %d", body, r, code)
			}
		}
	})
}
