package sqlstore_test

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

const stateCtlApp, stateCtlOther = 1400000077, 1400000078

// loadStateDoc reads testdata/state_doc.json, a document using every
// column of the tables it fills.
func loadStateDoc(t *testing.T) *im.StateDoc {
	t.Helper()
	b, err := os.ReadFile("testdata/state_doc.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc im.StateDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return &doc
}

// docJSON is a document as JSON, with SdkAppId zeroed so that documents of
// two apps compare.
func docJSON(t *testing.T, doc *im.StateDoc) string {
	t.Helper()
	d := *doc
	d.SdkAppId = 0
	b, err := json.Marshal(&d)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exportJSON(t *testing.T, db *sqlstore.DB, app uint64) string {
	t.Helper()
	doc, err := db.ExportApp(context.Background(), app)
	if err != nil {
		t.Fatal(err)
	}
	if doc.SdkAppId != app || doc.Format != im.StateFormat || doc.Version != im.StateVersion {
		t.Fatalf("export head %d %q %d", doc.SdkAppId, doc.Format, doc.Version)
	}
	return docJSON(t, doc)
}

// Ensure a document imported into two apps exports back as it was from
// both (64-bit integers, groups by GroupId, clear_pos), although the second
// app's groups and messages get other storage numbers.
func TestStateControl_ImportExport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		doc := loadStateDoc(t)
		want := docJSON(t, doc)
		for _, app := range []uint64{stateCtlApp, stateCtlOther} {
			if err := db.ImportApp(ctx, app, doc, []string{"admin"}); err != nil {
				t.Fatal(err)
			}
		}
		for _, app := range []uint64{stateCtlApp, stateCtlOther} {
			if got := exportJSON(t, db, app); got != want {
				t.Fatalf("app %d exports\n%s\nwant\n%s", app, got, want)
			}
		}
		// Import again: the app's state is replaced, not added to.
		if err := db.ImportApp(ctx, stateCtlApp, doc, []string{"admin"}); err != nil {
			t.Fatal(err)
		}
		if got := exportJSON(t, db, stateCtlApp); got != want {
			t.Fatalf("second import exports\n%s", got)
		}
	})
}

// Ensure an invalid document is refused with 91001 naming the row at
// fault, and changes nothing.
func TestStateControl_ImportInvalid(t *testing.T) {
	cases := []struct {
		name, info string
		edit       func(d *im.StateDoc)
	}{
		{"format", "Format", func(d *im.StateDoc) { d.Format = "other" }},
		{"version", "Version", func(d *im.StateDoc) { d.Version = 2 }},
		{"unknown column", `"nick_name" is not a column`, func(d *im.StateDoc) { d.Accounts[1]["nick_name"] = raw(`"x"`) }},
		{"text as number", "nick must be a string", func(d *im.StateDoc) { d.Accounts[1]["nick"] = raw(`1`) }},
		{"null", "nick must be a string", func(d *im.StateDoc) { d.Accounts[1]["nick"] = raw(`null`) }},
		{"NUL", "NUL", func(d *im.StateDoc) { d.Accounts[1]["nick"] = raw(`"a\u0000b"`) }},
		{"number as text", "created_at must be an integer", func(d *im.StateDoc) { d.Accounts[1]["created_at"] = raw(`"1"`) }},
		{"fraction", "created_at must be an integer", func(d *im.StateDoc) { d.Accounts[1]["created_at"] = raw(`1.5`) }},
		{"unknown group", "GroupMembers[1]: group_id \"gx\"", func(d *im.StateDoc) { d.GroupMembers[1]["group_id"] = raw(`"gx"`) }},
		{"no group", "group_id is required", func(d *im.StateDoc) { delete(d.GroupAttrs[0], "group_id") }},
		{"clear_pos", "clear_pos 3 is past", func(d *im.StateDoc) { d.Conversations[0]["clear_pos"] = raw(`3`) }},
		{"negative clear_pos", "must not be negative", func(d *im.StateDoc) { d.Conversations[0]["clear_pos"] = raw(`-1`) }},
		{"duplicate", "Accounts[4]: a row with the same key", func(d *im.StateDoc) { d.Accounts = append(d.Accounts, d.Accounts[1]) }},
		{"duplicate group", "Groups[2]: a row with the same key", func(d *im.StateDoc) { d.Groups = append(d.Groups, d.Groups[0]) }},
		{"missing column", "Accounts[1]: the database refused", func(d *im.StateDoc) { delete(d.Accounts[1], "created_at") }},
		{"no object", "Profiles[0]: a row must be an object", func(d *im.StateDoc) { d.Profiles[0] = nil }},
	}
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		if err := db.ImportApp(ctx, stateCtlApp, loadStateDoc(t), nil); err != nil {
			t.Fatal(err)
		}
		before := exportJSON(t, db, stateCtlApp)
		for _, c := range cases {
			doc := loadStateDoc(t)
			doc.Accounts[1]["nick"] = raw(`"changed"`) // a valid change the refusal must not apply
			c.edit(doc)
			err := db.ImportApp(ctx, stateCtlApp, doc, nil)
			if im.ErrorCode(err) != im.CodeMgmtInvalid || !strings.Contains(err.Error(), c.info) {
				t.Errorf("%s: %v, want 91001 with %q", c.name, err, c.info)
			}
			if got := exportJSON(t, db, stateCtlApp); got != before {
				t.Fatalf("%s: a refused import changed the state:\n%s", c.name, got)
			}
		}
	})
}

func raw(s string) json.RawMessage { return json.RawMessage(s) }

// Ensure a reset empties the app but for its admins, drops its callback
// events and keeps its snapshots and other apps; a snapshot restores the
// state it saved, a name is replaced by a new snapshot, and a deleted or
// unknown name is 91001.
func TestStateControl_ResetAndSnapshots(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		doc := loadStateDoc(t)
		for _, app := range []uint64{stateCtlApp, stateCtlOther} {
			if err := db.ImportApp(ctx, app, doc, []string{"admin"}); err != nil {
				t.Fatal(err)
			}
		}
		op := im.Op{App: &im.App{SDKAppID: stateCtlApp, Callback: im.CallbackConfig{URL: "http://127.0.0.1:1/cb"}}, Operator: "admin"}
		if err := db.SetState(ctx, op, im.StateChange{UserID: "bob", Platform: "Web", Action: im.ActionLogin, Reason: "Register"}); err != nil {
			t.Fatal(err)
		}
		if n := eventCount(t, db); n != 1 {
			t.Fatalf("events before reset: %d", n)
		}
		withState := exportJSON(t, db, stateCtlApp)
		if _, err := db.SaveSnapshot(ctx, stateCtlApp, "s1"); err != nil {
			t.Fatal(err)
		}
		if err := db.ResetApp(ctx, stateCtlApp, []string{"admin", "root"}); err != nil {
			t.Fatal(err)
		}
		empty, err := db.ExportApp(ctx, stateCtlApp)
		if err != nil {
			t.Fatal(err)
		}
		got := []string{}
		for _, a := range empty.Accounts {
			got = append(got, string(a["user_id"]))
		}
		if strings.Join(got, ",") != `"admin","root"` || len(empty.Groups)+len(empty.C2CMsgs)+len(empty.Friends)+len(empty.OnlineStates) != 0 {
			t.Fatalf("after reset: %s", docJSON(t, empty))
		}
		if n := eventCount(t, db); n != 0 {
			t.Fatalf("events after reset: %d", n)
		}
		if exportJSON(t, db, stateCtlOther) != docJSON(t, doc) {
			t.Fatal("the reset changed another app")
		}
		checkSnapshots(t, db, "s1")
		if err := db.RestoreSnapshot(ctx, stateCtlApp, "s1", []string{"admin"}); err != nil {
			t.Fatal(err)
		}
		if got := exportJSON(t, db, stateCtlApp); got != withState {
			t.Fatalf("restored:\n%s\nwant\n%s", got, withState)
		}
		if err := db.DeleteSnapshot(ctx, stateCtlApp, "s1"); err != nil {
			t.Fatal(err)
		}
		checkSnapshots(t, db)
		for _, err := range []error{
			db.RestoreSnapshot(ctx, stateCtlApp, "s1", nil), db.DeleteSnapshot(ctx, stateCtlApp, "s1"),
			db.DeleteSnapshot(ctx, stateCtlApp, ""), db.RestoreSnapshot(ctx, stateCtlApp, strings.Repeat("n", 129), nil),
		} {
			if im.ErrorCode(err) != im.CodeMgmtInvalid {
				t.Errorf("unknown or invalid snapshot name: %v, want 91001", err)
			}
		}
	})
}

// checkSnapshots checks the names ListSnapshots gives.
func checkSnapshots(t *testing.T, db *sqlstore.DB, names ...string) {
	t.Helper()
	snaps, err := db.ListSnapshots(context.Background(), stateCtlApp)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range snaps {
		if s.Size < 100 || s.CreatedAt.IsZero() {
			t.Errorf("snapshot %+v", s)
		}
		got = append(got, s.Name)
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Fatalf("snapshots %v, want %v", got, names)
	}
}

// eventCount counts the app's callback events.
func eventCount(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	evs, err := db.ListEvents(context.Background(), stateCtlApp, im.EventFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}
