package sqlstore_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

const stateApp = 1400000001

var stateOp = im.Op{App: &im.App{SDKAppID: stateApp, Callback: im.CallbackConfig{URL: "http://127.0.0.1:1/cb"}},
	Operator: "admin", ClientIP: "127.0.0.1"}

// stateBodies lists the State.StateChange bodies recorded after event id
// after, and the last id.
func stateBodies(t *testing.T, db *sqlstore.DB, after int64) ([]string, int64) {
	t.Helper()
	evs, err := db.ListEvents(context.Background(), stateApp,
		im.EventFilter{Command: im.CallbackStateChange, AfterID: after, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, ev := range evs {
		bodies = append(bodies, string(ev.Body))
		after = ev.ID
	}
	return bodies, after
}

// Ensure set_state's changes show in QueryStates per platform, with the
// overall Status and Detail in platform order, each change records
// State.StateChange with Tencent's keys, and a refused change stores and
// records nothing.
func TestStateService_SetAndQuery(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		if err := db.ImportAccounts(ctx, stateApp, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}}); err != nil {
			t.Fatal(err)
		}
		for _, ch := range []im.StateChange{
			{UserID: "alice", Platform: "Web", Action: im.ActionLogin, Reason: "Register"},
			{UserID: "alice", Platform: "iPhone", Action: im.ActionLogin, Reason: "Register", Kicked: []string{"Android"}},
			{UserID: "alice", Platform: "iPhone", Action: im.ActionDisconnect, Reason: "TimeOut"},
			{UserID: "bob", Platform: "PC", Action: im.ActionDisconnect, Reason: "LinkClose"},
		} {
			if err := db.SetState(ctx, stateOp, ch); err != nil {
				t.Fatal(err)
			}
		}
		err := db.SetState(ctx, stateOp, im.StateChange{UserID: "nobody", Platform: "Web", Action: im.ActionLogin, Reason: "Register"})
		if im.ErrorCode(err) != im.CodeAccountNotFound {
			t.Fatalf("unknown account: %v, want 70107", err)
		}
		got, err := db.QueryStates(ctx, stateApp, []string{"alice", "bob", "nobody", "carol"})
		if err != nil {
			t.Fatal(err)
		}
		want := []im.AccountState{
			{UserID: "alice", Imported: true, Status: im.StatusOnline, Detail: []im.PlatformState{
				{Platform: "iPhone", Status: im.StatusPushOnline}, {Platform: "Web", Status: im.StatusOnline}}},
			{UserID: "bob", Imported: true, Status: im.StatusPushOnline, Detail: []im.PlatformState{
				{Platform: "PC", Status: im.StatusPushOnline}}},
			{UserID: "nobody", Status: im.StatusOffline},
			{UserID: "carol", Status: im.StatusOffline},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("states:\n got %+v\nwant %+v", got, want)
		}
		bodies, _ := stateBodies(t, db, 0)
		const at = `"EventTime":1767323045000`
		wantBodies := []string{
			`{"CallbackCommand":"State.StateChange",` + at + `,"Info":{"Action":"Login","To_Account":"alice","Reason":"Register"}}`,
			`{"CallbackCommand":"State.StateChange",` + at + `,"Info":{"Action":"Login","To_Account":"alice","Reason":"Register"},"KickedDevice":[{"Platform":"Android"}]}`,
			`{"CallbackCommand":"State.StateChange",` + at + `,"Info":{"Action":"Disconnect","To_Account":"alice","Reason":"TimeOut"}}`,
			`{"CallbackCommand":"State.StateChange",` + at + `,"Info":{"Action":"Disconnect","To_Account":"bob","Reason":"LinkClose"}}`,
		}
		if !reflect.DeepEqual(bodies, wantBodies) {
			t.Fatalf("events:\n got %q\nwant %q", bodies, wantBodies)
		}
	})
}

// Ensure Logout takes one platform offline, kick takes every platform
// offline and records one Logout (Unregister), a kick of an account on no
// platform records nothing, an unknown account is 70107, and account_delete
// removes the state: a re-imported account starts offline.
func TestStateService_LogoutKickDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		if err := db.ImportAccounts(ctx, stateApp, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}}); err != nil {
			t.Fatal(err)
		}
		for _, ch := range []im.StateChange{
			{UserID: "alice", Platform: "Web", Action: im.ActionLogin, Reason: "Register"},
			{UserID: "alice", Platform: "Mac", Action: im.ActionLogin, Reason: "Register"},
			{UserID: "alice", Platform: "Web", Action: im.ActionLogout, Reason: "Unregister"},
			{UserID: "bob", Platform: "Android", Action: im.ActionLogin, Reason: "Register"},
		} {
			if err := db.SetState(ctx, stateOp, ch); err != nil {
				t.Fatal(err)
			}
		}
		status := func(id string) im.AccountState {
			t.Helper()
			st, err := db.QueryStates(ctx, stateApp, []string{id})
			if err != nil {
				t.Fatal(err)
			}
			return st[0]
		}
		if st := status("alice"); st.Status != im.StatusOnline || len(st.Detail) != 1 || st.Detail[0].Platform != "Mac" {
			t.Fatalf("alice after Web logout: %+v", st)
		}
		_, last := stateBodies(t, db, 0)
		if err := db.Kick(ctx, stateOp, "alice"); err != nil {
			t.Fatal(err)
		}
		if st := status("alice"); st.Status != im.StatusOffline || st.Detail != nil {
			t.Fatalf("alice after kick: %+v", st)
		}
		if err := db.Kick(ctx, stateOp, "alice"); err != nil { // offline already: no event
			t.Fatal(err)
		}
		if err := db.Kick(ctx, stateOp, "nobody"); im.ErrorCode(err) != im.CodeAccountNotFound {
			t.Fatalf("kick nobody: %v, want 70107", err)
		}
		bodies, _ := stateBodies(t, db, last)
		want := []string{`{"CallbackCommand":"State.StateChange","EventTime":1767323045000,"Info":{"Action":"Logout","To_Account":"alice","Reason":"Unregister"}}`}
		if !reflect.DeepEqual(bodies, want) {
			t.Fatalf("kick events:\n got %q\nwant %q", bodies, want)
		}

		if _, err := db.DeleteAccounts(ctx, stateApp, []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		if err := db.ImportAccounts(ctx, stateApp, []im.AccountImport{{UserID: "bob"}}); err != nil {
			t.Fatal(err)
		}
		if st := status("bob"); st.Status != im.StatusOffline || st.Detail != nil {
			t.Fatalf("re-imported bob: %+v", st)
		}
	})
}
