package sqlstore_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

func items(kv ...string) []im.ProfileItem {
	var out []im.ProfileItem
	for i := 0; i < len(kv); i += 2 {
		out = append(out, im.ProfileItem{Tag: kv[i], Value: json.RawMessage(kv[i+1])})
	}
	return out
}

// wantFields fails unless p holds exactly the fields of want.
func wantFields(t *testing.T, who string, p im.Profile, want map[string]string) {
	t.Helper()
	if len(p.Fields) != len(want) {
		t.Errorf("%s: fields %v, want %v", who, p.Fields, want)
	}
	for tag, v := range want {
		if got := string(p.Fields[tag]); got != v {
			t.Errorf("%s: %s = %s, want %s", who, tag, got, v)
		}
	}
}

// Ensure SetProfile (portrait_set) writes Nick and Image to the accounts
// row, where account_import writes them, and every other field to a row of
// its own, keeping the JSON type of each value; that a second set replaces
// only the fields it names; that GetProfiles (portrait_get) reads them back
// per id, with Found false for an id that is not imported; and that
// Profile.CallbackPortraitSet is recorded with the fields as set.
func TestProfile_SetAndGet(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob")
		if err := db.SetProfile(ctx, recording, "alice", items(
			im.TagNick, `"Alice"`, im.TagImage, `"http://x/a.png"`, im.TagBirthDay, `20190419`,
			im.TagAllowType, `"AllowType_Type_DenyAny"`, "Tag_Profile_Custom_Test", `"c1"`)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetProfile(ctx, recording, "alice", items(im.TagBirthDay, `20200101`)); err != nil {
			t.Fatal(err)
		}
		a, err := db.FindAccount(ctx, gapp, "alice")
		if err != nil || a.Nick != "Alice" || a.FaceURL != "http://x/a.png" {
			t.Fatalf("account = %+v, %v", a, err)
		}
		ps, err := db.GetProfiles(ctx, gapp, []string{"alice", "nobody", "bob", "alice"})
		if err != nil || len(ps) != 4 {
			t.Fatalf("GetProfiles = %v, %v", ps, err)
		}
		want := map[string]string{im.TagNick: `"Alice"`, im.TagImage: `"http://x/a.png"`, im.TagBirthDay: `20200101`,
			im.TagAllowType: `"AllowType_Type_DenyAny"`, "Tag_Profile_Custom_Test": `"c1"`}
		wantFields(t, "alice", ps[0], want)
		wantFields(t, "alice again", ps[3], want)
		wantFields(t, "nobody", ps[1], nil)
		wantFields(t, "bob", ps[2], map[string]string{im.TagNick: `""`, im.TagImage: `""`})
		if ps[1].Found || !ps[2].Found {
			t.Errorf("Found: nobody %v, bob %v", ps[1].Found, ps[2].Found)
		}
		evs, err := db.Events(ctx, gapp)
		if err != nil || len(evs) != 2 {
			t.Fatalf("events = %v, %v", evs, err)
		}
		var body im.PortraitSetBody
		if err := json.Unmarshal(evs[0].Body, &body); err != nil {
			t.Fatal(err)
		}
		if evs[0].Command != im.CallbackPortraitSet || evs[0].Key != "alice" || body.Operator != "administrator" ||
			body.From != "alice" || len(body.ProfileItem) != 5 || string(body.ProfileItem[2].Value) != `20190419` {
			t.Errorf("event = %+v %s", evs[0], evs[0].Body)
		}
	})
}

// Ensure SetProfile for an account that is not imported (or an id that
// could never be one) is 40003 and writes nothing, no event either; and
// that account_delete's cascade removes the account's profile rows, so
// that an account imported again under the same id starts with none.
func TestProfile_MissingAccountAndDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice")
		for _, id := range []string{"nobody", "", "bad\x00id"} {
			err := db.SetProfile(ctx, recording, id, items(im.TagLevel, `3`))
			if im.ErrorCode(err) != im.CodeProfileAccountNotFound {
				t.Errorf("SetProfile(%q) = %v, want 40003", id, err)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM profiles"); n != 0 {
			t.Errorf("%d profile rows after refused sets", n)
		}
		if evs, err := db.Events(ctx, gapp); err != nil || len(evs) != 0 {
			t.Errorf("events = %v, %v", evs, err)
		}
		if err := db.SetProfile(ctx, quiet, "alice", items(im.TagLevel, `3`, im.TagGender, `"Gender_Type_Male"`)); err != nil {
			t.Fatal(err)
		}
		if existed, err := db.DeleteAccounts(ctx, gapp, []string{"alice"}); err != nil || !existed[0] {
			t.Fatalf("DeleteAccounts = %v, %v", existed, err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM profiles"); n != 0 {
			t.Errorf("%d profile rows after account_delete", n)
		}
		if err := db.ImportAccounts(ctx, gapp, []im.AccountImport{{UserID: "alice"}}); err != nil {
			t.Fatal(err)
		}
		ps, err := db.GetProfiles(ctx, gapp, []string{"alice"})
		if err != nil || !ps[0].Found || len(ps[0].Fields) != 2 {
			t.Errorf("re-imported alice = %+v, %v", ps, err)
		}
	})
}

// countRows runs a SELECT COUNT(*) through CountForTest.
func countRows(t *testing.T, db *sqlstore.DB, query string) int {
	t.Helper()
	n, err := db.CountForTest(context.Background(), query)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
