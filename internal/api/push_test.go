package api_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const pushBody = `"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`

// Ensure im_push answers a TaskId, the same one for a MsgRandom it has
// seen, and 90024 for another push within the second; a refused attribute
// or tag call changes nothing.
func TestPush_REST(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice", "bob")
		first := h.MustCall(0, "all_member_push", "im_push", `{"MsgRandom":7,"From_Account":"alice",`+pushBody+`}`)
		task, _ := first.M["TaskId"].(string)
		if task == "" {
			t.Fatalf("no TaskId: %s", first)
		}
		again := h.MustCall(0, "all_member_push", "im_push", `{"MsgRandom":7,`+pushBody+`}`)
		if again.M["TaskId"] != task {
			t.Errorf("the same MsgRandom answered %s, want TaskId %s", again, task)
		}
		h.MustCall(im.CodePushTooFrequent, "all_member_push", "im_push", `{"MsgRandom":8,`+pushBody+`}`)

		h.MustCall(0, "all_member_push", "im_add_tag", `{"UserTags":[{"To_Account":"alice","Tags":["a"]}]}`)
		before := h.MustCall(0, "all_member_push", "im_get_tag", `{"To_Account":["alice","bob"]}`).Raw
		h.MustCall(im.CodePushTagEmpty, "all_member_push", "im_add_tag", `{"UserTags":[{"To_Account":"bob","Tags":["b"]},{"To_Account":"alice","Tags":[""]}]}`)
		h.MustCall(im.CodePushTooManyUsers, "all_member_push", "im_remove_all_tags", `{"To_Account":[`+accountList(101)+`]}`)
		if after := h.MustCall(0, "all_member_push", "im_get_tag", `{"To_Account":["alice","bob"]}`).Raw; after != before {
			t.Errorf("refused calls changed the tags:\n%s\n%s", before, after)
		}
	})
}

// accountList is n quoted account names, comma-separated.
func accountList(n int) string {
	s := ""
	for i := range n {
		if i > 0 {
			s += ","
		}
		s += `"u` + string(rune('a'+i%26)) + string(rune('a'+i/26)) + `"`
	}
	return s
}

// Ensure get_online_member_num answers a group other than an AVChatRoom
// with 10007 off the Ultimate edition, and an AVChatRoom on any.
func TestGroup_OnlineMemberNumEdition(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Apps[0].Edition = im.EditionPro })
	h.MustCall(0, "group_open_http_svc", "create_group", `{"Type":"Public","GroupId":"pub","Name":"p"}`)
	h.MustCall(0, "group_open_http_svc", "create_group", `{"Type":"AVChatRoom","GroupId":"live","Name":"l"}`)
	h.MustCall(im.CodeGroupForbidden, "group_open_http_svc", "get_online_member_num", `{"GroupId":"pub"}`)
	h.MustCall(0, "group_open_http_svc", "get_online_member_num", `{"GroupId":"live"}`)
	h.MustCall(im.CodeGroupIDMalformed, "group_open_http_svc", "get_online_member_num", `{"GroupId":""}`)
}

// Ensure GetIPList answers the addresses Options.IPList gives, whatever
// nettype asks.
func TestConfigSvc_GetIPList(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.IPList = func() []string { return []string{"127.0.0.1", "10.0.0.2"} }
	})
	for _, body := range []string{`{}`, `{"nettype":1}`, `{"nettype":2}`} { // nettype is Tencent's; timd has one list
		r := h.MustCall(0, "ConfigSvc", "GetIPList", body)
		if got := r.M["IPList"]; !reflect.DeepEqual(got, []any{"127.0.0.1", "10.0.0.2"}) {
			t.Errorf("%s: IPList %v", body, got)
		}
	}
}

// Ensure get_online_member_num counts the members timd_control/set_state
// logged in (Online on some platform), not those only reachable by push,
// logged out, or online but outside the group; on both databases.
func TestGroup_OnlineMemberNumCounts(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice", "bob", "carol", "dave")
		h.MustCall(0, "group_open_http_svc", "create_group",
			`{"Type":"Public","GroupId":"g","Name":"n","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"}]}`)
		count := func() string {
			return fmt.Sprint(h.MustCall(0, "group_open_http_svc", "get_online_member_num", `{"GroupId":"g"}`).M["OnlineMemberNum"])
		}
		if n := count(); n != "0" {
			t.Fatalf("nobody logged in: %v", n)
		}
		state := func(who, platform, action string) {
			t.Helper()
			h.MustCall(0, "timd_control", "set_state", `{"To_Account":"`+who+`","Platform":"`+platform+`","Action":"`+action+`"}`)
		}
		state("alice", "Web", "Login")
		state("alice", "iPhone", "Login") // counted once
		state("bob", "Android", "Login")
		state("bob", "Android", "Disconnect") // PushOnline only
		state("carol", "Web", "Login")
		state("carol", "Web", "Logout")
		state("dave", "Web", "Login") // not a member
		if n := count(); n != "1" {
			t.Errorf("alice online, bob reachable by push, carol logged out, dave outside: %v, want 1", n)
		}
		state("bob", "Web", "Login")
		if n := count(); n != "2" {
			t.Errorf("after bob logs in on the web: %v, want 2", n)
		}
	})
}

// Ensure im_push keeps a task's OfflinePushInfo, compacted, as state export
// shows it, and refuses one that is not an object, recording nothing.
func TestPush_OfflinePushInfoKept(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	h.importUsers("alice")
	h.MustCall(90001, "all_member_push", "im_push", `{"MsgRandom":6,"OfflinePushInfo":"x",`+pushBody+`}`)
	h.MustCall(0, "all_member_push", "im_push", `{"MsgRandom":7,"OfflinePushInfo":{ "PushFlag": 0, "Desc": "offline text" },`+pushBody+`}`)
	doc := h.MustCall(0, "timd_control", "export", `{}`).Raw
	tasks := doc[strings.Index(doc, `"PushTasks"`):]
	if !strings.Contains(tasks, `"push_info":"{\"PushFlag\":0,\"Desc\":\"offline text\"}"`) || strings.Contains(tasks, `"msg_random":6`) {
		t.Fatalf("PushTasks: %s", tasks)
	}
}

// Ensure a NUL character is refused in each of all_member_push's texts:
// an account or a tag (90001), an attribute name or value (90033).
func TestPush_NUL(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	h.importUsers("alice")
	h.MustCall(0, "all_member_push", "im_set_attr_name", `{"AttrNames":{"0":"sex"}}`)
	for _, c := range []struct {
		command, body string
		code          int
	}{
		{"im_add_tag", `{"UserTags":[{"To_Account":"alice","Tags":["a\u0000b"]}]}`, 90001},
		{"im_add_tag", `{"UserTags":[{"To_Account":"al\u0000ice","Tags":["a"]}]}`, 90001},
		{"im_get_tag", `{"To_Account":["al\u0000ice"]}`, 90001},
		{"im_set_attr_name", `{"AttrNames":{"1":"a\u0000b"}}`, 90033},
		{"im_set_attr", `{"UserAttrs":[{"To_Account":"alice","Attrs":{"sex":"m\u0000"}}]}`, 90033},
	} {
		h.MustCall(c.code, "all_member_push", c.command, c.body)
	}
	if r := h.MustCall(0, "all_member_push", "im_get_tag", `{"To_Account":["alice"]}`); !strings.Contains(r.Raw, `"Tags":[]`) {
		t.Errorf("a refused tag was added: %s", r)
	}
}
