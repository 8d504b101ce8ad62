package sqlstore

import (
	"context"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// openAt opens the store on dsn, closed when the test ends.
func openAt(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// Ensure runtime apps are stored with their settings and admins, that a
// missing SDKAppID is allocated from 1600000000 up around the taken ones,
// and that they are there again after a restart.
func TestRuntimeApps_SurviveRestart(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openAt(t, dsn)
		named := &im.App{SDKAppID: 1500000001, SecretKey: "k1", Admins: []string{"root", "ops"},
			Edition: im.EditionPro, Control: true,
			Callback: im.CallbackConfig{URL: "http://127.0.0.1:9/cb", Token: "tok", Secret: []string{"whsec_c2VjcmV0"},
				Commands: []string{"Group.CallbackAfterCreateGroup"}, Timeout: 1500 * time.Millisecond,
				Retry: []time.Duration{0, time.Second}, Concurrency: 3, BeforeTimeout: time.Second, RejectOnFailure: true},
			ProfileFields: []im.ProfileField{{Name: "Level", Type: im.ProfileFieldInteger}, {Name: "Motto", Type: im.ProfileFieldString, MaxBytes: 40}}}
		if err := db.CreateApp(ctx, named, nil); err != nil {
			t.Fatal(err)
		}
		taken := func(id uint64) bool { return id == im.FirstRuntimeAppID }
		auto := &im.App{SecretKey: "k2", Admins: []string{"administrator"}, Edition: im.EditionUltimate}
		if err := db.CreateApp(ctx, auto, taken); err != nil {
			t.Fatal(err)
		}
		if auto.SDKAppID != im.FirstRuntimeAppID+1 {
			t.Errorf("allocated %d, want %d (the first is taken)", auto.SDKAppID, im.FirstRuntimeAppID+1)
		}
		err := db.CreateApp(ctx, &im.App{SDKAppID: 1500000001, SecretKey: "k3", Admins: []string{"x"}, Edition: im.EditionPro}, nil)
		if e, ok := err.(*im.Error); !ok || e.Code != im.CodeMgmtInvalid {
			t.Fatalf("creating a stored app again: %v, want 91001", err)
		}
		if ok, err := accountIn(db, named.SDKAppID, "ops"); err != nil || !ok {
			t.Fatalf("admin ops imported: %v %v", ok, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db = openAt(t, dsn)
		apps, err := db.RuntimeApps(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(apps) != 2 || !sameApp(apps[0], named) || !sameApp(apps[1], auto) {
			t.Fatalf("after restart: %+v, want %+v and %+v", apps, named, auto)
		}
		if a, err := db.RuntimeApp(ctx, auto.SDKAppID); err != nil || a == nil || !sameApp(a, auto) {
			t.Fatalf("RuntimeApp: %+v %v", a, err)
		}
		if a, err := db.RuntimeApp(ctx, 42); err != nil || a != nil {
			t.Fatalf("RuntimeApp of no app: %+v %v", a, err)
		}
	})
}

func sameApp(a, b *im.App) bool {
	return a.SDKAppID == b.SDKAppID && a.SecretKey == b.SecretKey && slices.Equal(a.Admins, b.Admins) &&
		a.Edition == b.Edition && reflect.DeepEqual(a.Callback, b.Callback) && a.Control == b.Control &&
		reflect.DeepEqual(a.ProfileFields, b.ProfileFields)
}

func accountIn(db *DB, app uint64, user string) (bool, error) {
	var n int
	err := db.r.QueryRow("SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), user).Scan(&n)
	return n == 1, err
}

// appRows counts, per table keyed by app, the rows of app.
func appRows(t *testing.T, db *DB, app uint64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range db.appTables {
		var n int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM "`+tbl+`" WHERE app_id = $1`, int64(app)).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			out[tbl] = n
		}
	}
	return out
}

// seedApp gives app accounts, a group with members and a message, a
// one-to-one message, friends and callback events.
func seedApp(t *testing.T, db *DB, app uint64) {
	t.Helper()
	ctx := context.Background()
	op := im.Op{App: &im.App{SDKAppID: app, Callback: im.CallbackConfig{URL: "http://127.0.0.1:9/cb"}}, Operator: "administrator"}
	if err := db.ImportAccounts(ctx, app, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}}); err != nil {
		t.Fatal(err)
	}
	ng := im.NewGroup{Group: im.Group{GroupID: "G", Type: "Public", Name: "g", Owner: "alice", MaxMemberNum: im.MemberCap("Public"),
		ApplyJoin: "NeedPermission", InviteJoin: "FreeAccess"}, CustomID: true, Members: []im.Member{{UserID: "bob", Role: im.RoleMember}}}
	if _, err := db.CreateGroup(ctx, op, ng); err != nil {
		t.Fatal(err)
	}
	body := im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"t"}}]`)
	if _, err := db.SendGroupMsg(ctx, op, "G", im.NewGroupMsg{From: "bob", AsMember: true, Random: 1, Priority: im.PriorityNormal, Body: body, After: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SendC2C(ctx, op, im.C2CMsg{From: "alice", To: "bob", Seq: 1, Random: 1, Body: body, CRC: im.ContentCRC(body, "") + 1, LifeTime: im.MaxMsgLifeTime}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddFriends(ctx, op, im.FriendAdd{From: "alice", Both: true, Force: true,
		Items: []im.FriendItem{{To: "bob", AddSource: "AddSource_Type_Test"}}}); err != nil {
		t.Fatal(err)
	}
}

// Ensure DeleteApp deletes every row of the app in every table keyed by
// app, and nothing of another app; that a configured-only or unknown app
// is 91001; and that the app's SDKAppID can then be created afresh, empty.
func TestRuntimeApps_DeleteTakesAllData(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openAt(t, dsn)
		for _, want := range []string{"accounts", "events", "im_groups", "group_members", "group_msgs", "c2c_msgs", "friends", "conversations", "profiles"} {
			if !slices.Contains(db.appTables, want) {
				t.Errorf("tables keyed by app %v lack %s", db.appTables, want)
			}
		}
		const doomed, kept = 1600000010, 1600000011
		for _, id := range []uint64{doomed, kept} {
			if err := db.CreateApp(ctx, &im.App{SDKAppID: id, SecretKey: "k", Admins: []string{"administrator"}, Edition: im.EditionUltimate}, nil); err != nil {
				t.Fatal(err)
			}
			seedApp(t, db, id)
		}
		before, keptBefore := appRows(t, db, doomed), appRows(t, db, kept)
		if len(before) < 6 {
			t.Fatalf("seeded rows in only %v", before)
		}
		if err := db.DeleteApp(ctx, doomed); err != nil {
			t.Fatal(err)
		}
		if left := appRows(t, db, doomed); len(left) != 0 {
			t.Errorf("rows left of the deleted app: %v (had %v)", left, before)
		}
		if after := appRows(t, db, kept); !mapsEqual(after, keptBefore) {
			t.Errorf("the other app's rows: %v, were %v", after, keptBefore)
		}
		for _, id := range []uint64{doomed, 1400000001} {
			if e, ok := db.DeleteApp(ctx, id).(*im.Error); !ok || e.Code != im.CodeMgmtInvalid {
				t.Errorf("deleting %d, not stored: %v, want 91001", id, e)
			}
		}
		if err := db.CreateApp(ctx, &im.App{SDKAppID: doomed, SecretKey: "new", Admins: []string{"root"}, Edition: im.EditionPro}, nil); err != nil {
			t.Fatal(err)
		}
		if rows := appRows(t, db, doomed); len(rows) != 1 || rows["accounts"] != 1 {
			t.Errorf("created again: %v, want its one admin account", rows)
		}
	})
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// Ensure apps created at once without an SDKAppID each get their own.
func TestRuntimeApps_ConcurrentCreatesGetDistinctIDs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		db := openAt(t, dsn)
		const n = 8
		ids := make([]uint64, n)
		errs := make(chan error, n)
		for i := range n {
			go func() {
				a := &im.App{SecretKey: "k", Admins: []string{"administrator"}, Edition: im.EditionUltimate}
				err := db.CreateApp(context.Background(), a, nil)
				ids[i] = a.SDKAppID
				errs <- err
			}()
		}
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		slices.Sort(ids)
		for i, id := range ids {
			if id != im.FirstRuntimeAppID+uint64(i) {
				t.Fatalf("allocated %v, want %d from %d on", ids, n, im.FirstRuntimeAppID)
			}
		}
	})
}
