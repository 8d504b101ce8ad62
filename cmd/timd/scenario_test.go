package main

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the spec's end-to-end scenarios 1 to 4 (tencent-rest-api.md §8) hold
// against the real timd on both databases: accounts, a Public group with a
// member, an invited member, and a dismissal that is final and announced
// once with the members at dismissal.
func TestScenario_GroupLifecycle(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		const appID, key, admin = 1400000088, "scenario-key", "administrator"
		m := MustRunMain(t, map[string]string{
			"TIMD_DATA": dsn, "TIMD_SDKAPPID": "1400000088", "TIMD_SECRET_KEY": key,
			"TIMD_CALLBACK_URL": "http://127.0.0.1:9/callback",
		})
		call := func(code int, svc, cmd, body string) Reply {
			t.Helper()
			return m.MustCall(t, code, appID, key, admin, svc, cmd, body)
		}
		const login, group = "im_open_login_svc", "group_open_http_svc"

		// 1. Accounts.
		call(0, login, "multiaccount_import", `{"Accounts":["alice","bob","carol"]}`)
		r := call(0, login, "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"},{"UserID":"carol"}]}`)
		for _, it := range r.M["ResultItem"].([]any) {
			if it.(map[string]any)["AccountStatus"] != "Imported" {
				t.Fatalf("account_check: %s", r.Raw)
			}
		}
		// 2. A Public group owned by alice with bob.
		r = call(0, group, "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"MyFirstGroup","MemberList":[{"Member_Account":"bob"}]}`)
		id := r.M["GroupId"].(string)
		if len(id) != 14 || id[:6] != "@TGS#2" {
			t.Fatalf("GroupId %q", id)
		}
		info := func() map[string]any {
			r := call(0, group, "get_group_info", `{"GroupIdList":["`+id+`"]}`)
			return r.M["GroupInfo"].([]any)[0].(map[string]any)
		}
		if n := info()["MemberNum"]; n != json.Number("2") {
			t.Fatalf("MemberNum %v, want 2", n)
		}
		// 3. carol invited.
		r = call(0, group, "add_group_member", `{"GroupId":"`+id+`","MemberList":[{"Member_Account":"carol"}]}`)
		if r.Raw[len(r.Raw)-len(`[{"Member_Account":"carol","Result":1}]}`):] != `[{"Member_Account":"carol","Result":1}]}` {
			t.Fatalf("add_group_member: %s", r.Raw)
		}
		// 4. Dismissal: final, announced once with the three members.
		call(0, group, "destroy_group", `{"GroupId":"`+id+`"}`)
		if c := info()["ErrorCode"]; c != json.Number("10010") {
			t.Fatalf("get_group_info after dismissal: ErrorCode %v", c)
		}
		call(10010, group, "destroy_group", `{"GroupId":"`+id+`"}`)
		call(10015, group, "destroy_group", `{"GroupId":""}`)

		events, err := m.Store.Events(context.Background(), appID)
		if err != nil {
			t.Fatal(err)
		}
		checkLifecycleEvents(t, events, id, admin)
	})
}

// checkLifecycleEvents checks the events of the scenario are a create, a
// member join by invitation of admin, and the dismissal of group id with
// its three members.
func checkLifecycleEvents(t *testing.T, events []im.Event, id, admin string) {
	var cmds []string
	for _, ev := range events {
		cmds = append(cmds, ev.Command)
	}
	want := []string{im.CallbackAfterCreateGroup, im.CallbackAfterNewMemberJoin, im.CallbackAfterGroupDestroyed}
	if len(cmds) != len(want) || cmds[0] != want[0] || cmds[1] != want[1] || cmds[2] != want[2] {
		t.Fatalf("events %v, want %v", cmds, want)
	}
	var joined struct {
		JoinType, Operator_Account string
	}
	if err := json.Unmarshal(events[1].Body, &joined); err != nil {
		t.Fatalf("NewMemberJoin body: %v: %s", err, events[1].Body)
	}
	if joined.JoinType != "Invited" || joined.Operator_Account != admin {
		t.Fatalf("NewMemberJoin body: %s", events[1].Body)
	}
	var destroyed struct {
		CallbackCommand, GroupId, Type, Owner_Account, Name string
		MemberList                                          []struct{ Member_Account string }
		EventTime                                           json.Number
	}
	if err := json.Unmarshal(events[2].Body, &destroyed); err != nil {
		t.Fatalf("GroupDestroyed body: %v: %s", err, events[2].Body)
	}
	if destroyed.GroupId != id || destroyed.Type != "Public" || destroyed.Owner_Account != "alice" || destroyed.Name != "MyFirstGroup" ||
		len(destroyed.MemberList) != 3 || destroyed.MemberList[0].Member_Account != "alice" ||
		destroyed.MemberList[1].Member_Account != "bob" || destroyed.MemberList[2].Member_Account != "carol" || destroyed.EventTime == "" {
		t.Fatalf("GroupDestroyed body: %s", events[2].Body)
	}
}
