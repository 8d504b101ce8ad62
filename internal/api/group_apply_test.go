package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure timd_control/apply_join_group does what a client's application
// does: Group.CallbackBeforeApplyJoinGroup first (a rejection is 10016 and
// changes nothing), then the group's ApplyJoinOption: FreeAccess joins with
// Group.CallbackAfterNewMemberJoin (JoinType "Apply"), NeedPermission is
// Pending and changes nothing, DisableApply, Work groups and AVChatRooms
// are 10007, without asking the app backend.
func TestControl_ApplyJoinGroup(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeBefore{}
		h := openBefore(t, dsn, hook)
		h.importUsers("dave")
		for _, g := range []string{
			`{"GroupId":"Free","Owner_Account":"alice","Type":"Public","Name":"f","ApplyJoinOption":"FreeAccess"}`,
			`{"GroupId":"Ask","Owner_Account":"alice","Type":"Public","Name":"a"}`,
			`{"GroupId":"Shut","Owner_Account":"alice","Type":"Public","Name":"s","ApplyJoinOption":"DisableApply"}`,
			`{"GroupId":"Work","Owner_Account":"alice","Type":"Work","Name":"w"}`,
			`{"GroupId":"Live","Owner_Account":"alice","Type":"AVChatRoom","Name":"l"}`,
			`{"GroupId":"Tiny","Owner_Account":"alice","Type":"Public","Name":"t","ApplyJoinOption":"FreeAccess","MaxMemberCount":1}`,
		} {
			h.MustCall(0, "group_open_http_svc", "create_group", g)
		}
		hook.take()
		before := len(h.events())
		apply := func(body string) Reply { return h.Call("timd_control", "apply_join_group", body) }

		// A rejection by the app backend: 10016, bob is not a member.
		hook.answer(im.Errorf(im.CodeGroupCallbackDenied, "no"))
		if r := apply(`{"GroupId":"Free","Requestor_Account":"bob","ApplyMsg":"hi"}`); r.Code(t) != 10016 {
			t.Fatalf("rejected: %s", r)
		}
		calls := hook.take()
		want := `1400000001 Group.CallbackBeforeApplyJoinGroup {"ApplyMsg":"hi","GroupId":"Free","Requestor_Account":"bob","Type":"Public"}`
		if len(calls) != 1 || calls[0] != want {
			t.Fatalf("before-callback calls %q, want %q", calls, want)
		}
		hook.answer(nil)

		r := apply(`{"GroupId":"Free","Requestor_Account":"bob","ApplyMsg":"hi"}`)
		if r.Code(t) != 0 || !strings.Contains(r.Raw, `"Result":"Joined"`) {
			t.Fatalf("FreeAccess: %s", r)
		}
		joins := h.events()[before:]
		if len(joins) != 1 || joins[0].Command != im.CallbackAfterNewMemberJoin ||
			!strings.Contains(joins[0].Raw, `"GroupId":"Free","JoinType":"Apply","NewMemberList":[{"Member_Account":"bob"}],"Operator_Account":"bob","Type":"Public"`) {
			t.Fatalf("events after joining: %+v", joins)
		}
		if r := apply(`{"GroupId":"Ask","Requestor_Account":"carol"}`); r.Code(t) != 0 || !strings.Contains(r.Raw, `"Result":"Pending"`) {
			t.Fatalf("NeedPermission: %s", r)
		}
		if n := len(hook.take()); n != 2 {
			t.Fatalf("%d before-callbacks for two applications", n)
		}
		for _, tc := range []struct {
			body, why string
			code      int
		}{
			{`{"GroupId":"Free","Requestor_Account":"bob"}`, "already a member", 10013},
			{`{"GroupId":"Free","Requestor_Account":"ghost"}`, "not imported", 10019},
			{`{"GroupId":"Shut","Requestor_Account":"carol"}`, "DisableApply", 10007},
			{`{"GroupId":"Work","Requestor_Account":"carol"}`, "Work group", 10007},
			{`{"GroupId":"Live","Requestor_Account":"carol"}`, "AVChatRoom", 10007},
			{`{"GroupId":"Tiny","Requestor_Account":"carol"}`, "full", 10014},
			{`{"GroupId":"Gone","Requestor_Account":"carol"}`, "no such group", 10010},
			{`{"GroupId":"Free"}`, "no Requestor_Account", 91001},
			{`{"GroupId":"Free","Requestor_Account":"carol","ApplyMsg":"` + strings.Repeat("x", 1025) + `"}`, "ApplyMsg too long", 91001},
		} {
			if r := apply(tc.body); r.Code(t) != tc.code {
				t.Errorf("%s: %s, want %d", tc.why, r, tc.code)
			}
		}
		if calls := hook.take(); len(calls) != 3 { // already a member, not imported, full; the rest are not asked
			t.Errorf("before-callbacks for refused applications: %q", calls)
		}
		if n := len(h.events()) - before; n != 1 {
			t.Errorf("%d events, want the one join", n)
		}
		r = h.MustCall(0, "group_open_http_svc", "get_group_member_info", `{"GroupId":"Ask","MemberInfoFilter":["Role"]}`)
		if strings.Contains(r.Raw, "carol") {
			t.Errorf("a pending application made carol a member: %s", r)
		}
	})
}
