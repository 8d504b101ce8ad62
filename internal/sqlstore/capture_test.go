package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

const captureApp, captureOther = 1400000051, 1400000052

// seqsOf lists the Seq of each captured callback.
func seqsOf(list []im.Captured) []int64 {
	out := []int64{}
	for _, c := range list {
		out = append(out, c.Seq)
	}
	return out
}

func equalSeqs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// mustCapture captures a callback of app and returns its Seq.
func mustCapture(t *testing.T, db *sqlstore.DB, app uint64, command, group string, accounts ...string) int64 {
	t.Helper()
	seq, err := db.CaptureCallback(context.Background(), im.Captured{AppID: app, Command: command, Phase: im.CaptureBefore,
		Body: []byte(`{"CallbackCommand":"` + command + `"}`), Query: "SdkAppid=1&CallbackCommand=" + command,
		GroupID: group, Accounts: accounts, CapturedAt: time.UnixMilli(1700000000123)})
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

// Ensure captured callbacks get per-app sequences in order, list by each
// filter and after a cursor within a limit, wake waiters, and clear by
// filter or all without reusing a sequence.
func TestCapture_ListFilterClear(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		woken := db.CaptureSignal()
		a := mustCapture(t, db, captureApp, "Group.CallbackAfterCreateGroup", "g1", "alice", "bob")
		select {
		case <-woken:
		default:
			t.Fatal("a capture did not close the signal")
		}
		b := mustCapture(t, db, captureApp, "Group.CallbackAfterNewMemberJoin", "g1", "carol")
		c := mustCapture(t, db, captureApp, "Sns.CallbackFriendAdd", "", "alice")
		o := mustCapture(t, db, captureOther, "Sns.CallbackFriendAdd", "", "alice")
		if a != 1 || b != 2 || c != 3 || o != 1 {
			t.Fatalf("seqs %d %d %d, other app %d: want 1 2 3 and 1", a, b, c, o)
		}
		checkCaptureFilters(t, db)
		if n, err := db.ClearCaptured(ctx, captureApp, im.CaptureFilter{Account: "alice"}); err != nil || n != 2 {
			t.Fatalf("clear by account: %d, %v; want 2", n, err)
		}
		if got, _ := db.ListCaptured(ctx, captureApp, im.CaptureFilter{}, 100); !equalSeqs(seqsOf(got), []int64{2}) {
			t.Errorf("after clearing alice's: %v, want [2]", seqsOf(got))
		}
		if n, err := db.ClearCaptured(ctx, captureApp, im.CaptureFilter{}); err != nil || n != 1 {
			t.Fatalf("clear all: %d, %v; want 1", n, err)
		}
		if got, _ := db.ListCaptured(ctx, captureOther, im.CaptureFilter{}, 100); len(got) != 1 {
			t.Errorf("clearing one app's captures left %d of the other's, want 1", len(got))
		}
		if d := mustCapture(t, db, captureApp, "Sns.CallbackFriendAdd", "", "alice"); d != 4 {
			t.Errorf("seq after clearing: %d, want 4 (never reused)", d)
		}
		if got, _ := db.ListCaptured(ctx, captureApp, im.CaptureFilter{Account: "alice"}, 100); !equalSeqs(seqsOf(got), []int64{4}) {
			t.Errorf("a cleared capture's accounts still match: %v, want [4]", seqsOf(got))
		}
	})
}

// checkCaptureFilters lists captureApp's callbacks 1 to 3 by each filter.
func checkCaptureFilters(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	for _, tc := range []struct {
		f     im.CaptureFilter
		limit int
		want  []int64
	}{
		{im.CaptureFilter{}, 100, []int64{1, 2, 3}},
		{im.CaptureFilter{}, 2, []int64{1, 2}},
		{im.CaptureFilter{After: 1}, 100, []int64{2, 3}},
		{im.CaptureFilter{After: 3}, 100, []int64{}},
		{im.CaptureFilter{Command: "Sns.CallbackFriendAdd"}, 100, []int64{3}},
		{im.CaptureFilter{GroupID: "g1"}, 100, []int64{1, 2}},
		{im.CaptureFilter{Account: "alice"}, 100, []int64{1, 3}},
		{im.CaptureFilter{Account: "alice", GroupID: "g1", After: 0}, 100, []int64{1}},
		{im.CaptureFilter{Account: "nobody"}, 100, []int64{}},
		{im.CaptureFilter{Account: "al\x00ice"}, 100, []int64{}},
	} {
		got, err := db.ListCaptured(context.Background(), captureApp, tc.f, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if !equalSeqs(seqsOf(got), tc.want) {
			t.Errorf("%+v limit %d: seqs %v, want %v", tc.f, tc.limit, seqsOf(got), tc.want)
		}
	}
	got, _ := db.ListCaptured(context.Background(), captureApp, im.CaptureFilter{After: 2}, 1)
	if len(got) != 1 || got[0].Command != "Sns.CallbackFriendAdd" || string(got[0].Body) != `{"CallbackCommand":"Sns.CallbackFriendAdd"}` ||
		got[0].Query != "SdkAppid=1&CallbackCommand=Sns.CallbackFriendAdd" || got[0].Phase != im.CaptureBefore ||
		got[0].CapturedAt.UnixMilli() != 1700000000123 {
		t.Errorf("captured callback read back as %+v", got)
	}
}

// Ensure an after-callback's capture is stored with its event marked
// delivered in one step, and only while this instance holds the event.
func TestCapture_Delivered(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		op := im.Op{App: &im.App{SDKAppID: captureApp, Callback: im.CallbackConfig{URL: im.CaptureURL}}, Operator: "admin"}
		if err := db.ImportAccounts(ctx, captureApp, []im.AccountImport{{UserID: "alice"}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetState(ctx, op, im.StateChange{UserID: "alice", Platform: "Web", Action: im.ActionLogin, Reason: "Register"}); err != nil {
			t.Fatal(err)
		}
		evs, err := db.ClaimEvents(ctx, "me", captureApp, time.Now().Add(time.Second), time.Minute, 10, 0)
		if err != nil || len(evs) != 1 {
			t.Fatalf("claimed %d events, %v; want 1", len(evs), err)
		}
		ev := evs[0]
		c := im.Captured{AppID: captureApp, Command: ev.Command, Phase: im.CaptureAfter, Body: ev.Body, Query: "q",
			Accounts: []string{"alice"}, EventID: ev.ID, CapturedAt: time.Now()}
		if err := db.CaptureDelivered(ctx, "someone else", 0, c); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.ListCaptured(ctx, captureApp, im.CaptureFilter{}, 100); len(got) != 0 {
			t.Fatalf("an instance without the lease captured %d", len(got))
		}
		if err := db.CaptureDelivered(ctx, "me", 0, c); err != nil {
			t.Fatal(err)
		}
		if err := db.CaptureDelivered(ctx, "me", 0, c); err != nil { // delivered already: nothing
			t.Fatal(err)
		}
		got, _ := db.ListCaptured(ctx, captureApp, im.CaptureFilter{Account: "alice"}, 100)
		if len(got) != 1 || got[0].EventID != ev.ID || got[0].Command != im.CallbackStateChange || string(got[0].Body) != string(ev.Body) {
			t.Fatalf("captures %+v, want the one of event %d", got, ev.ID)
		}
		all, err := db.Events(ctx, captureApp)
		if err != nil || len(all) != 1 || all[0].State != im.EventDelivered || all[0].Attempts != 1 {
			t.Fatalf("event after capture: %+v, %v; want delivered after 1 attempt", all, err)
		}
	})
}

// Ensure the retention sweep's PurgeCaptured deletes every app's captures
// made before the time, and the accounts they name, and keeps later ones.
func TestCapture_Purge(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		capture := func(app uint64, at int64, account string) {
			t.Helper()
			if _, err := db.CaptureCallback(ctx, im.Captured{AppID: app, Command: "Sns.CallbackFriendAdd", Phase: im.CaptureAfter,
				Body: []byte(`{}`), Accounts: []string{account}, CapturedAt: time.UnixMilli(at)}); err != nil {
				t.Fatal(err)
			}
		}
		capture(captureApp, 1000, "old")
		capture(captureOther, 1500, "old")
		capture(captureApp, 2000, "new")
		if n, err := db.PurgeCaptured(ctx, time.UnixMilli(2000)); err != nil || n != 2 {
			t.Fatalf("purge before 2000: %d, %v; want 2", n, err)
		}
		for app, want := range map[uint64]int{captureApp: 1, captureOther: 0} {
			if got, _ := db.ListCaptured(ctx, app, im.CaptureFilter{}, 100); len(got) != want {
				t.Errorf("app %d after the purge: %d captures, want %d", app, len(got), want)
			}
		}
		if got, _ := db.ListCaptured(ctx, captureApp, im.CaptureFilter{Account: "old"}, 100); len(got) != 0 {
			t.Errorf("a purged capture's account still matches: %v", seqsOf(got))
		}
		if got, _ := db.ListCaptured(ctx, captureApp, im.CaptureFilter{Account: "new"}, 100); len(got) != 1 {
			t.Errorf("the kept capture's account: %v", seqsOf(got))
		}
		if n, err := db.PurgeCaptured(ctx, time.UnixMilli(2000)); err != nil || n != 0 {
			t.Errorf("a second purge: %d, %v; want 0", n, err)
		}
	})
}
