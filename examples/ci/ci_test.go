package ci

import (
	"os"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
)

// TestCI is docs/ci-usage.md as a test: start timd, create an app of the
// test's own, seed it from a fixture, call it, wait for the captured
// callback, inject faults, move the clock and reset — on SQLite, and on
// PostgreSQL when TIMD_TEST_POSTGRES_DSN names a server.
func TestCI(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		timd := startTimd(t, dsn)
		dev := newClient(t, timd.URL, timd.SDKAppID, timd.SecretKey, timd.Admin)

		// An app per test: parallel tests on one timd see nothing of each other.
		created := dev.ok("timd/v1/apps/create", map[string]any{"CallbackURL": "internal"})
		app := &client{t: t, base: timd.URL, sdkAppID: int(created["SdkAppId"].(float64)),
			admin: created["Identifier"].(string), userSig: created["UserSig"].(string)}
		key := created["SecretKey"].(string)
		deleted := false
		t.Cleanup(func() {
			if !deleted {
				dev.ok("timd/v1/apps/delete", map[string]any{"SdkAppId": app.sdkAppID})
			}
		})

		steps := []struct {
			name string
			run  func(t *testing.T, app *client, key string)
		}{
			{"Seed", stepSeed},
			{"CallAndWaitForCallback", stepCallAndWait},
			{"APIFault", stepAPIFault},
			{"CallbackFaultAndClock", stepCallbackFaultAndClock},
			{"ClockExpiresUserSig", stepClockExpiresUserSig},
			{"Reset", stepReset},
		}
		for _, s := range steps {
			if !t.Run(s.name, func(t *testing.T) { s.run(t, app.on(t), key) }) {
				return // each step builds on the one before
			}
		}
		// The app is gone once deleted: 60006, as for an app timd never served.
		dev.ok("timd/v1/apps/delete", map[string]any{"SdkAppId": app.sdkAppID})
		deleted = true
		if r := app.on(t).call("v4/im_open_login_svc/account_check", map[string]any{"CheckItem": []any{}}); r.code() != 60006 {
			t.Errorf("call to a deleted app: %v, want 60006", r)
		}
	})
}

// stepSeed loads the committed fixture (an export of a small app: three
// accounts, a group of three with a message, a friendship).
func stepSeed(t *testing.T, app *client, _ string) {
	fixture, err := os.ReadFile("testdata/fixture.json")
	if err != nil {
		t.Fatal(err)
	}
	app.ok("timd/v1/control/import", fixture)

	r := app.ok("v4/im_open_login_svc/account_check", map[string]any{
		"CheckItem": []map[string]string{{"UserID": "alice"}, {"UserID": "nobody"}}})
	items := r["ResultItem"].([]any)
	if got := items[0].(map[string]any)["AccountStatus"]; got != "Imported" {
		t.Errorf("alice after the seed: %v", got)
	}
	if got := items[1].(map[string]any)["AccountStatus"]; got != "NotImported" {
		t.Errorf("nobody after the seed: %v", got)
	}
	info := app.ok("v4/group_open_http_svc/get_group_info", map[string]any{"GroupIdList": []string{"fixture_group"}})
	g := info["GroupInfo"].([]any)[0].(map[string]any)
	if g["ErrorCode"].(float64) != 0 || g["MemberNum"].(float64) != 3 || g["Owner_Account"] != "alice" {
		t.Errorf("the seeded group: %v", g)
	}
	msgs := app.ok("v4/group_open_http_svc/group_msg_get_simple", map[string]any{"GroupId": "fixture_group", "ReqMsgNumber": 10})
	if list := msgs["RspMsgList"].([]any); len(list) != 1 {
		t.Errorf("the seeded group's messages: %v", list)
	}
	friends := app.ok("v4/sns/friend_check", map[string]any{"From_Account": "alice", "To_Account": []string{"bob"}, "CheckType": "CheckResult_Type_Both"})
	if rel := friends["InfoItem"].([]any)[0].(map[string]any)["Relation"]; rel != "CheckResult_Type_BothWay" {
		t.Errorf("alice and bob after the seed: %v", rel)
	}
}

// stepCallAndWait dismisses the seeded group and waits for the callback
// the app's backend would have received.
func stepCallAndWait(t *testing.T, app *client, _ string) {
	app.ok("v4/group_open_http_svc/destroy_group", map[string]any{"GroupId": "fixture_group"})
	cb := waitOne(t, app, map[string]any{"CallbackCommand": "Group.CallbackAfterGroupDestroyed", "GroupId": "fixture_group"}, 10*time.Second)
	body := cb["Body"].(map[string]any)
	if body["Owner_Account"] != "alice" || body["Type"] != "Public" || body["Name"] != "Fixture group" {
		t.Errorf("callback body: %v", body)
	}
	var members []string
	for _, m := range body["MemberList"].([]any) {
		members = append(members, m.(map[string]any)["Member_Account"].(string))
	}
	if len(members) != 3 {
		t.Errorf("MemberList of the dismissed group: %v", members)
	}
	info := app.ok("v4/group_open_http_svc/get_group_info", map[string]any{"GroupIdList": []string{"fixture_group"}})
	if code := info["GroupInfo"].([]any)[0].(map[string]any)["ErrorCode"]; code != float64(10010) {
		t.Errorf("the dismissed group's info answers %v, want 10010", code)
	}
}

// stepAPIFault makes create_group answer 10002 once: the call changes
// nothing, and the next one goes through.
func stepAPIFault(t *testing.T, app *client, _ string) {
	app.ok("timd/v1/fault/set", map[string]any{"Service": "group_open_http_svc", "Command": "create_group", "ErrorCode": 10002, "Count": 1})
	create := map[string]any{"Owner_Account": "bob", "Type": "Public", "Name": "second", "GroupId": "g_fault"}
	if r := app.call("v4/group_open_http_svc/create_group", create); r.code() != 10002 || r["ActionStatus"] != "FAIL" {
		t.Fatalf("create_group under the fault: %v, want 10002", r)
	}
	info := app.ok("v4/group_open_http_svc/get_group_info", map[string]any{"GroupIdList": []string{"g_fault"}})
	if code := info["GroupInfo"].([]any)[0].(map[string]any)["ErrorCode"]; code != float64(10010) {
		t.Errorf("a faulted create_group made the group: %v", info)
	}
	app.ok("v4/group_open_http_svc/create_group", create)
	waitOne(t, app, map[string]any{"CallbackCommand": "Group.CallbackAfterCreateGroup", "GroupId": "g_fault"}, 10*time.Second)
}

// stepCallbackFaultAndClock fails the first delivery of a dismissal's
// callback; its retry is due 5 s later on the app's clock, so moving the
// clock a minute on delivers it at once.
func stepCallbackFaultAndClock(t *testing.T, app *client, _ string) {
	app.ok("timd/v1/fault/set_callback", map[string]any{"CallbackCommand": "Group.CallbackAfterGroupDestroyed", "Action": "Fail", "Count": 1})
	app.ok("v4/group_open_http_svc/destroy_group", map[string]any{"GroupId": "g_fault"})
	filter := map[string]any{"CallbackCommand": "Group.CallbackAfterGroupDestroyed", "GroupId": "g_fault"}
	if got := wait(t, app, filter, time.Second); len(got) != 0 {
		t.Fatalf("a failed delivery was captured: %v", got)
	}
	app.ok("timd/v1/clock/advance", map[string]any{"Seconds": 60})
	start := time.Now()
	cb := waitOne(t, app, filter, 10*time.Second)
	if took := time.Since(start); took > 4*time.Second {
		t.Errorf("the retry came %v after the clock moved: it waited for the real 5 s", took)
	}
	if et := int64(cb["Body"].(map[string]any)["EventTime"].(float64)); et > time.Now().UnixMilli() {
		t.Errorf("EventTime %d: the event happened before the clock moved", et)
	}
	app.ok("timd/v1/clock/reset", map[string]any{})
}

// stepClockExpiresUserSig signs a UserSig valid for a minute and moves
// the app's clock past it: timd answers 70001, as Tencent does for an
// expired one, and dates what happens next by the moved clock.
func stepClockExpiresUserSig(t *testing.T, app *client, key string) {
	short := app.withSig(key, 60)
	short.ok("v4/im_open_login_svc/account_check", map[string]any{"CheckItem": []map[string]string{{"UserID": "alice"}}})
	app.ok("timd/v1/clock/advance", map[string]any{"Seconds": 120})
	if r := short.call("v4/im_open_login_svc/account_check", map[string]any{"CheckItem": []map[string]string{{"UserID": "alice"}}}); r.code() != 70001 {
		t.Errorf("a UserSig expired on the app's clock: %v, want 70001", r)
	}
	// What happens now happens on the app's clock: a callback's EventTime.
	app.ok("v4/group_open_http_svc/create_group", map[string]any{"Owner_Account": "bob", "Type": "Public", "Name": "later", "GroupId": "g_later"})
	cb := waitOne(t, app, map[string]any{"CallbackCommand": "Group.CallbackAfterCreateGroup", "GroupId": "g_later"}, 10*time.Second)
	if et := int64(cb["Body"].(map[string]any)["EventTime"].(float64)); et < time.Now().Add(100*time.Second).UnixMilli() {
		t.Errorf("EventTime %d is not on the app's advanced clock", et)
	}
	app.ok("timd/v1/clock/reset", map[string]any{})
	short.ok("v4/im_open_login_svc/account_check", map[string]any{"CheckItem": []map[string]string{{"UserID": "alice"}}})
}

// stepReset empties the app in one call: the seeded accounts, groups and
// captured callbacks are gone; the admin is imported again.
func stepReset(t *testing.T, app *client, _ string) {
	app.ok("timd/v1/control/reset", map[string]any{})
	r := app.ok("v4/im_open_login_svc/account_check", map[string]any{
		"CheckItem": []map[string]string{{"UserID": "alice"}, {"UserID": app.admin}}})
	items := r["ResultItem"].([]any)
	if got := items[0].(map[string]any)["AccountStatus"]; got != "NotImported" {
		t.Errorf("alice after the reset: %v", got)
	}
	if got := items[1].(map[string]any)["AccountStatus"]; got != "Imported" {
		t.Errorf("the admin after the reset: %v", got)
	}
	if got := app.ok("timd/v1/capture/list", map[string]any{})["Callbacks"].([]any); len(got) != 0 {
		t.Errorf("captures after the reset: %v", got)
	}
	list := app.ok("v4/group_open_http_svc/get_appid_group_list", map[string]any{})
	if n := list["TotalCount"].(float64); n != 0 {
		t.Errorf("groups after the reset: %v", list)
	}
}

// wait long-polls timd_capture/wait for captures matching filter.
func wait(t *testing.T, app *client, filter map[string]any, timeout time.Duration) []any {
	t.Helper()
	body := map[string]any{"TimeoutMs": timeout.Milliseconds()}
	for k, v := range filter {
		body[k] = v
	}
	return app.ok("timd/v1/capture/wait", body)["Callbacks"].([]any)
}

// waitOne waits for exactly one capture matching filter.
func waitOne(t *testing.T, app *client, filter map[string]any, timeout time.Duration) map[string]any {
	t.Helper()
	got := wait(t, app, filter, timeout)
	if len(got) != 1 {
		t.Fatalf("captures matching %v: %v, want one", filter, got)
	}
	return got[0].(map[string]any)
}
