package sqlstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// pinnedRows is the number of owner's conversations rows with pinned set.
func pinnedRows(t *testing.T, db *DB, owner string) int {
	t.Helper()
	return count(t, db, "SELECT COUNT(*) FROM conversations WHERE owner = $1 AND pinned > 0", owner)
}

// wantPinCode fails unless err is an *im.Error with code.
func wantPinCode(t *testing.T, what string, err error, code int) {
	t.Helper()
	var e *im.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Errorf("%s: %v, want %d", what, err, code)
	}
}

// openPinDB is openClocked with groups H (bob's, alice not in it) and AV
// (an AVChatRoom of alice's), and messages: alice to bob and to carol at
// 100, in G and H at 90.
func openPinDB(t *testing.T, dsn string) *DB {
	t.Helper()
	ctx := context.Background()
	db, _ := openClocked(t, dsn, time.Hour) // group G: alice (owner), bob
	op := im.Op{App: &im.App{SDKAppID: convApp}, Operator: "administrator"}
	for _, g := range []im.Group{
		{GroupID: "H", Type: im.GroupPublic, Owner: "bob"},
		{GroupID: "AV", Type: im.GroupAVChatRoom, Owner: "alice"},
	} {
		g.Name, g.MaxMemberNum, g.ApplyJoin, g.InviteJoin = "n", im.MemberCap(g.Type), "FreeAccess", "FreeAccess"
		if _, err := db.CreateGroup(ctx, op, im.NewGroup{Group: g, CustomID: true}); err != nil {
			t.Fatal(err)
		}
	}
	for _, peer := range []string{"bob", "carol"} {
		if _, err := db.SeedC2CMessage(ctx, convApp, "alice", peer, 100); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range []string{"G", "H"} {
		if err := db.SeedGroupMessage(ctx, convApp, g, "bob", 90); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// Ensure SetPinned with several conversations (recentcontact/top) pins or
// unpins all of them in one transaction, or none when any item fails; that
// pinning a group conversation the owner's list cannot show (not a member,
// an AVChatRoom) writes nothing; and that pinning a deleted conversation
// lists it again.
func TestSetPinned_Batch(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openPinDB(t, dsn)
		bob, carol := im.Contact{Type: im.ContactC2C, Peer: "bob"}, im.Contact{Type: im.ContactC2C, Peer: "carol"}
		grp := im.Contact{Type: im.ContactGroup, Peer: "G"}

		if err := db.SetPinned(ctx, convApp, "alice", []im.Contact{bob, grp, bob}, true); err != nil {
			t.Fatal(err)
		}
		if got := pinnedRows(t, db, "alice"); got != 2 {
			t.Errorf("%d pinned, want 2", got)
		}
		// A failing item undoes the items before it.
		wantPinCode(t, "unknown peer", db.SetPinned(ctx, convApp, "alice", []im.Contact{carol, {Type: im.ContactC2C, Peer: "ghost"}}, true), 50001)
		wantPinCode(t, "unknown group", db.SetPinned(ctx, convApp, "alice", []im.Contact{bob, {Type: im.ContactGroup, Peer: "gone"}}, false), 51007)
		wantPinCode(t, "Type 3", db.SetPinned(ctx, convApp, "alice", []im.Contact{carol, {Type: 3, Peer: "bob"}}, true), 50002)
		wantPinCode(t, "unknown owner", db.SetPinned(ctx, convApp, "ghost", []im.Contact{bob}, true), 50001)
		if got := pinnedRows(t, db, "alice"); got != 2 {
			t.Errorf("failed calls: %d pinned, want 2", got)
		}

		// Groups alice's list does not show: OK, nothing written.
		if err := db.SetPinned(ctx, convApp, "alice", []im.Contact{{Type: im.ContactGroup, Peer: "H"}, {Type: im.ContactGroup, Peer: "AV"}}, true); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM conversations WHERE type = 2 AND peer IN ('H', 'AV')"); got != 0 {
			t.Errorf("%d rows for groups alice's list does not show", got)
		}

		// Deleted conversations come back when pinned.
		for _, k := range []im.Contact{carol, grp} {
			if err := db.DeleteConversation(ctx, convApp, "alice", k, false); err != nil {
				t.Fatal(err)
			}
		}
		if got := listed(t, db, "alice"); got != "1:bob@100 " {
			t.Fatalf("after deleting: %q", got)
		}
		if err := db.SetPinned(ctx, convApp, "alice", []im.Contact{carol, grp}, true); err != nil {
			t.Fatal(err)
		}
		if got := listed(t, db, "alice"); got != "1:bob@100 1:carol@100 2:G@90 " {
			t.Errorf("pinned again: %q", got)
		}

		if err := db.SetPinned(ctx, convApp, "alice", []im.Contact{bob, carol, grp, {Type: im.ContactC2C, Peer: "alice"}}, false); err != nil {
			t.Fatal(err)
		}
		if got := pinnedRows(t, db, "alice"); got != 0 {
			t.Errorf("%d pinned after unpinning all", got)
		}
	})
}
