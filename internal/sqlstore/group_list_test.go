package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure AppGroups pages in creation order with an exact TotalCount, per
// type and per app, and forgets dismissed groups.
func TestGroupService_AppGroups(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn)
		ids := []string{"A", "B", "C", "D", "E"}
		for i, id := range ids {
			mustCreate(t, db, quiet, newGroup(id, []string{"Private", "Public", "Private", "ChatRoom", "Public"}[i], ""))
		}
		mustCreate(t, db, im.Op{App: &im.App{SDKAppID: gapp + 1}}, newGroup("X", im.GroupPublic, ""))

		page := func(f im.GroupListFilter) (string, int, int64) {
			t.Helper()
			return appGroupPage(t, db, f)
		}
		if all := appGroupPagesOfTwo(t, db); strings.Join(all, "|") != "A,B|C,D|E" {
			t.Fatalf("pages %v", all)
		}
		if got, total, next := page(im.GroupListFilter{Limit: 10000}); got != "A,B,C,D,E" || total != 5 || next != 0 {
			t.Fatalf("all: %s %d %d", got, total, next)
		}
		if got, total, next := page(im.GroupListFilter{Type: im.GroupPublic, Limit: 1}); got != "B" || total != 2 || next == 0 {
			t.Fatalf("Public: %s %d %d", got, total, next)
		}
		wantCode(t, "destroy B", db.DestroyGroup(ctx, quiet, "B"), 0)
		wantCode(t, "destroy D", db.DestroyGroup(ctx, quiet, "D"), 0)
		if got, total, next := page(im.GroupListFilter{Limit: 2}); got != "A,C" || total != 3 || next == 0 {
			t.Fatalf("after dismissals: %s %d %d", got, total, next)
		} else if got, _, next := page(im.GroupListFilter{Limit: 2, After: next}); got != "E" || next != 0 {
			t.Fatalf("second page after dismissals: %s %d", got, next)
		}
		if got, total, _ := page(im.GroupListFilter{Type: im.GroupChatRoom, Limit: 10}); got != "" || total != 0 {
			t.Fatalf("ChatRoom: %s %d", got, total)
		}
	})
}

// appGroupPage is one page of the groups of the app, joined with commas,
// with the total count and the cursor of the next page.
func appGroupPage(t *testing.T, db *sqlstore.DB, f im.GroupListFilter) (string, int, int64) {
	t.Helper()
	total, got, next, err := db.AppGroups(context.Background(), gapp, f)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(got, ","), total, next
}

// appGroupPagesOfTwo reads the app's five groups two to a page, checking
// each page's total, and returns the pages.
func appGroupPagesOfTwo(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	var all []string
	var after int64
	for i := 0; ; i++ {
		got, total, next := appGroupPage(t, db, im.GroupListFilter{Limit: 2, After: after})
		if total != 5 || i > 3 {
			t.Fatalf("page %d: %s total %d", i, got, total)
		}
		all = append(all, got)
		if after = next; after == 0 {
			return all
		}
	}
}

// Ensure JoinedGroups lists a user's groups with the user's own role,
// filters and pages them, and is 10019 for an account never imported.
func TestGroupService_JoinedGroups(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob")
		mustCreate(t, db, quiet, newGroup("A", im.GroupPrivate, "alice", "bob"))
		mustCreate(t, db, quiet, newGroup("B", im.GroupAVChatRoom, "bob"))
		mustCreate(t, db, quiet, newGroup("C", im.GroupCommunity, "bob"))
		mustCreate(t, db, quiet, newGroup("D", im.GroupPublic, "alice"))
		joined := func(user string, f im.JoinedFilter) (string, int) {
			t.Helper()
			total, js, err := db.JoinedGroups(ctx, gapp, user, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, j := range js {
				out = append(out, j.Group.GroupID+":"+j.Self.Role)
			}
			return strings.Join(out, ","), total
		}
		for _, tc := range []struct {
			f     im.JoinedFilter
			want  string
			total int
		}{
			{im.JoinedFilter{}, "A:Member,C:Owner", 2},
			{im.JoinedFilter{WithHugeGroups: true}, "A:Member,B:Owner,C:Owner", 3},
			{im.JoinedFilter{WithHugeGroups: true, Limit: 1, Offset: 1}, "B:Owner", 3},
			{im.JoinedFilter{WithHugeGroups: true, Offset: 2}, "C:Owner", 3},
			{im.JoinedFilter{Type: im.GroupCommunity}, "C:Owner", 1},
			{im.JoinedFilter{Type: im.GroupPublic}, "", 0},
		} {
			if got, total := joined("bob", tc.f); got != tc.want || total != tc.total {
				t.Errorf("%+v: %s (%d), want %s (%d)", tc.f, got, total, tc.want, tc.total)
			}
		}
		_, js, err := db.JoinedGroups(ctx, gapp, "alice", im.JoinedFilter{Limit: 1})
		if err != nil || len(js) != 1 || js[0].Group.Name != "n-A" || js[0].Group.MemberNum != 2 || !js[0].Self.JoinTime.Equal(time.UnixMilli(fixedMs)) {
			t.Fatalf("alice's first group: %+v %v", js, err)
		}
		_, _, err = db.JoinedGroups(ctx, gapp, "ghost", im.JoinedFilter{})
		wantCode(t, "unknown account", err, im.CodeGroupAccountNotFound)
	})
}

// Ensure CountOwnedGroups counts an owner's live groups of one type in one
// app: not other types, owners or apps, not dismissed groups, not groups
// whose owner changed; 0 for no owner or an id that cannot exist.
func TestGroupService_CountOwnedGroups(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob")
		if err := db.ImportAccounts(ctx, gapp+1, []im.AccountImport{{UserID: "alice"}}); err != nil {
			t.Fatal(err)
		}
		other := im.Op{App: &im.App{SDKAppID: gapp + 1}, Operator: "administrator"}
		a1 := mustCreate(t, db, quiet, newGroup("", im.GroupPublic, "alice", "bob"))
		mustCreate(t, db, quiet, newGroup("", im.GroupPublic, "alice"))
		a3 := mustCreate(t, db, quiet, newGroup("", im.GroupPublic, "alice"))
		mustCreate(t, db, quiet, newGroup("", im.GroupPrivate, "alice"))
		mustCreate(t, db, quiet, newGroup("", im.GroupPublic, "bob"))
		mustCreate(t, db, quiet, newGroup("", im.GroupPublic, ""))
		mustCreate(t, db, other, newGroup("", im.GroupPublic, "alice"))

		count := func(owner, typ string) int {
			t.Helper()
			n, err := db.CountOwnedGroups(ctx, gapp, owner, typ)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count("alice", im.GroupPublic); n != 3 {
			t.Errorf("alice Public = %d, want 3", n)
		}
		if err := db.DestroyGroup(ctx, quiet, a3); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeOwner(ctx, quiet, a1, "bob"); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			owner, typ string
			want       int
		}{
			{"alice", im.GroupPublic, 1}, {"alice", im.GroupPrivate, 1}, {"alice", im.GroupChatRoom, 0},
			{"bob", im.GroupPublic, 2}, {"carol", im.GroupPublic, 0}, {"", im.GroupPublic, 0}, {"al\x00ice", im.GroupPublic, 0},
		} {
			if n := count(tc.owner, tc.typ); n != tc.want {
				t.Errorf("CountOwnedGroups(%q, %s) = %d, want %d", tc.owner, tc.typ, n, tc.want)
			}
		}
	})
}
