package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// stateCtlBuild builds state of every kind through the REST API.
func stateCtlBuild(h *Harness) {
	for _, c := range []struct{ svc, cmd, body string }{
		{"im_open_login_svc", "multiaccount_import", `{"Accounts":["alice","bob","carol","dave"]}`},
		{"im_open_login_svc", "account_import", `{"UserID":"erin","Nick":"Erin","FaceUrl":"http://x/e.png"}`},
		{"profile", "portrait_set", `{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"Al"},{"Tag":"Tag_Profile_IM_Level","Value":3}]}`},
		{"group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"g","GroupId":"g1","MemberList":[{"Member_Account":"bob"},{"Member_Account":"dave"}]}`},
		{"group_open_http_svc", "create_group", `{"Owner_Account":"bob","Type":"Private","Name":"p"}`},
		{"group_open_http_svc", "set_group_attr", `{"GroupId":"g1","GroupAttr":[{"key":"s","value":"1"},{"key":"d","value":"2"}]}`},
		{"group_open_http_svc", "send_group_msg", `{"GroupId":"g1","Random":1,"From_Account":"alice","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`},
		{"group_open_http_svc", "send_group_msg", `{"GroupId":"g1","Random":2,"From_Account":"bob","MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"yo"}}]}`},
		{"group_open_http_svc", "group_msg_recall", `{"GroupId":"g1","MsgSeqList":[{"MsgSeq":1}]}`},
		{"group_open_http_svc", "set_unread_msg_num", `{"GroupId":"g1","Member_Account":"bob","UnreadMsgNum":1}`},
		{"sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Test"}],"ForceAddFlags":1}`},
		{"sns", "group_add", `{"From_Account":"alice","GroupName":["L1"],"To_Account":["bob"]}`},
		{"sns", "black_list_add", `{"From_Account":"carol","To_Account":["dave"]}`},
		{"openim", "sendmsg", `{"From_Account":"alice","To_Account":"bob","MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"one"}}]}`},
		{"openim", "sendmsg", `{"From_Account":"bob","To_Account":"alice","MsgRandom":2,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"two"}}]}`},
		{"openim", "admin_set_msg_read", `{"Report_Account":"alice","Peer_Account":"bob"}`},
		{"recentcontact", "delete", `{"From_Account":"alice","Type":1,"To_Account":"bob","ClearRamble":1}`},
		{"openim", "sendmsg", `{"From_Account":"bob","To_Account":"alice","MsgRandom":3,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"three"}}]}`},
		{"recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"cg","ContactItem":[{"Type":1,"To_Account":"bob"}]}]}`},
		{"recentcontact", "mark_contact", `{"From_Account":"alice","MarkItem":[{"OptType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"SetMark":[1]}]}`},
		{"recentcontact", "top", `{"From_Account":"bob","OperationType":1,"RecentContactItem":[{"Type":1,"To_Account":"alice"},{"Type":2,"GroupId":"g1"}]}`},
		{"all_member_push", "im_set_attr_name", `{"AttrNames":{"0":"sex"}}`},
		{"all_member_push", "im_set_attr", `{"UserAttrs":[{"To_Account":"alice","Attrs":{"sex":"f"}}]}`},
		{"all_member_push", "im_add_tag", `{"UserTags":[{"To_Account":"alice","Tags":["a","b"]}]}`},
		{"openconfigsvr", "setnospeaking", `{"Set_Account":"carol","C2CmsgNospeakingTime":100}`},
		{"timd_control", "set_state", `{"To_Account":"alice","Platform":"Web","Action":"Login"}`},
	} {
		h.MustCall(0, c.svc, c.cmd, c.body)
	}
}

// stateCtlReads reads what the built state shows to clients.
func stateCtlReads(t *testing.T, h *Harness) string {
	t.Helper()
	var b strings.Builder
	for _, c := range []struct{ svc, cmd, body string }{
		{"group_open_http_svc", "get_appid_group_list", `{}`},
		{"group_open_http_svc", "get_group_info", `{"GroupIdList":["g1"]}`},
		{"group_open_http_svc", "get_group_member_info", `{"GroupId":"g1"}`},
		{"group_open_http_svc", "group_msg_get_simple", `{"GroupId":"g1","ReqMsgNumber":10}`},
		{"group_open_attr_http_svc", "get_group_attr", `{"GroupId":"g1"}`},
		{"group_open_http_svc", "get_joined_group_list", `{"Member_Account":"bob"}`},
		{"openim", "admin_getroammsg", `{"Operator_Account":"alice","Peer_Account":"bob","MaxCnt":10,"MinTime":0,"MaxTime":4000000000}`},
		{"openim", "admin_getroammsg", `{"Operator_Account":"bob","Peer_Account":"alice","MaxCnt":10,"MinTime":0,"MaxTime":4000000000}`},
		{"openim", "get_c2c_unread_msg_num", `{"To_Account":"alice"}`},
		{"sns", "friend_get", `{"From_Account":"alice","StartIndex":0}`},
		{"sns", "group_get", `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`},
		{"sns", "black_list_get", `{"From_Account":"carol","StartIndex":0,"MaxLimited":10,"LastSequence":0}`},
		{"profile", "portrait_get", `{"To_Account":["alice","erin"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Level","Tag_Profile_IM_Image"]}`},
		{"recentcontact", "get_contact_group", `{"From_Account":"alice","StartIndex":0}`},
		{"all_member_push", "im_get_attr", `{"To_Account":["alice"]}`},
		{"all_member_push", "im_get_tag", `{"To_Account":["alice"]}`},
		{"openconfigsvr", "getnospeaking", `{"Get_Account":"carol"}`},
		{"openim", "querystate", `{"To_Account":["alice"],"IsNeedDetail":1}`},
	} {
		b.WriteString(c.cmd + " " + h.MustCall(0, c.svc, c.cmd, c.body).Raw + "\n")
	}
	return b.String()
}

// Ensure state built through the REST API survives export, reset and
// import: the second export is the first, and every read answers as
// before; the reset in between leaves only the admins.
func TestStateControl_RoundTrip(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		stateCtlBuild(h)
		reads := stateCtlReads(t, h)
		first := h.MustCall(0, "timd_control", "export", `{}`)
		if !strings.Contains(first.Raw, `"Format":"timd-export","Version":1,"SdkAppId":`) {
			t.Fatalf("export head: %.200s", first.Raw)
		}
		h.MustCall(0, "timd_control", "reset", `{}`)
		empty := h.MustCall(0, "timd_control", "export", `{}`)
		if !strings.Contains(empty.Raw, `"Groups":[],`) || strings.Contains(empty.Raw, `"alice"`) ||
			!strings.Contains(empty.Raw, `"user_id":"`+Admin+`"`) || !strings.Contains(empty.Raw, `"user_id":"admin2"`) {
			t.Fatalf("after reset: %s", empty.Raw)
		}
		h.MustCall(10010, "group_open_attr_http_svc", "get_group_attr", `{"GroupId":"g1"}`)
		// The export's reply, envelope and all, is a document import takes.
		h.MustCall(0, "timd_control", "import", first.Raw)
		if again := h.MustCall(0, "timd_control", "export", `{}`); again.Raw != first.Raw {
			t.Fatalf("export after import:\n%s\nwant\n%s", again.Raw, first.Raw)
		}
		if got := stateCtlReads(t, h); got != reads {
			t.Fatalf("reads after import differ:\n%s", stateDiff(reads, got))
		}
	})
}

// Ensure snapshots restore the state they saved, are listed by name, and
// that unknown names, missing names and invalid documents are 91001 and
// change nothing.
func TestStateControl_SnapshotsREST(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		stateCtlBuild(h)
		saved := h.MustCall(0, "timd_control", "export", `{}`).Raw
		snap := h.MustCall(0, "timd_control", "snapshot", `{"Name":"before"}`)
		if !strings.Contains(snap.Raw, `"Name":"before","CreatedAt":`) {
			t.Fatalf("snapshot reply: %s", snap.Raw)
		}
		h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"later"}`)
		h.MustCall(0, "timd_control", "snapshot", `{"Name":"after"}`)
		if l := h.MustCall(0, "timd_control", "list_snapshots", `{}`); !strings.Contains(l.Raw, `"Snapshots":[{"Name":"after",`) ||
			!strings.Contains(l.Raw, `{"Name":"before",`) {
			t.Fatalf("list_snapshots: %s", l.Raw)
		}
		h.MustCall(0, "timd_control", "restore", `{"Name":"before"}`)
		if got := h.MustCall(0, "timd_control", "export", `{}`).Raw; got != saved {
			t.Fatalf("restored:\n%s\nwant\n%s", got, saved)
		}
		for _, c := range []struct{ cmd, body string }{
			{"restore", `{"Name":"nope"}`},
			{"restore", `{}`},
			{"delete_snapshot", `{"Name":"nope"}`},
			{"snapshot", `{"Name":""}`},
			{"import", `{"Format":"timd-export","Version":2}`},
			{"import", `{}`},
			{"import", `{"Format":"timd-export","Version":1,"Accounts":[{"user_id":"x","created_at":"soon"}]}`},
			{"import", `{"Format":"timd-export","Version":1,"Accounts":[{"user_id":"x","created_at":1},{"user_id":"x","created_at":2}]}`},
		} {
			h.MustCall(91001, "timd_control", c.cmd, c.body)
		}
		if got := h.MustCall(0, "timd_control", "export", `{}`).Raw; got != saved {
			t.Fatalf("a refused call changed the state:\n%s", got)
		}
		h.MustCall(0, "timd_control", "delete_snapshot", `{"Name":"before"}`)
		h.MustCall(91001, "timd_control", "restore", `{"Name":"before"}`)
		if l := h.MustCall(0, "timd_control", "list_snapshots", `{}`); strings.Contains(l.Raw, `"before"`) {
			t.Fatalf("deleted snapshot listed: %s", l.Raw)
		}
	})
}

// Ensure import refuses a key that is not the document's, however cased,
// and a body that is not JSON, and changes nothing.
func TestStateControl_ImportKeys(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
		saved := h.MustCall(0, "timd_control", "export", `{}`).Raw
		for _, c := range []struct {
			body string
			code int
		}{
			{`{"Format":"timd-export","Version":1,"accounts":[]}`, 91001},
			{`{"Format":"timd-export","Version":1,"Acounts":[]}`, 91001},
			{`{"format":"timd-export","Version":1}`, 91001},
			{`{"Format":"timd-export","Version":1,"Accounts":{}}`, 91001},
			{`{"Format":"timd-export","Version":1,"Accounts":[[]]}`, 91001},
			{`{"Format":"timd-export"`, 60003},
			{`[]`, 91001},
			{``, 91001},
		} {
			h.MustCall(c.code, "timd_control", "import", c.body)
		}
		if got := h.MustCall(0, "timd_control", "export", `{}`).Raw; got != saved {
			t.Fatalf("a refused import changed the state:\n%s", got)
		}
	})
}
