package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure a dismissed large group vanishes at once for every reader, even
// while its member rows wait for the reaper, that its custom id can be used
// again straight away without the old members showing through, that its
// attributes are deleted with it, and that the reaper then deletes the rows.
func TestGroupService_DestroyLargeGroup(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		const n = 1500 // more than a dismissal deletes itself
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("m%04d", i)
		}
		db := openGroupDB(t, dsn, append(ids, "owner")...)
		mustCreate(t, db, quiet, newGroup("@TGS#_big", im.GroupCommunity, "owner"))
		for i := 0; i < n; i += im.MaxAddMembers {
			if _, err := db.AddMembers(ctx, quiet, "@TGS#_big", ids[i:i+im.MaxAddMembers]); err != nil {
				t.Fatal(err)
			}
		}
		destroyWithAttrs(t, db, "@TGS#_big")

		// The same id again, with one member: none of the old ones show.
		mustCreate(t, db, quiet, newGroup("@TGS#_big", im.GroupCommunity, "owner", "m0007"))
		g, members, _, err := db.Members(ctx, gapp, "@TGS#_big", im.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if g.MemberNum != 2 || len(members) != 2 || members[0].UserID != "owner" || members[1].UserID != "m0007" {
			t.Fatalf("new group: MemberNum %d, members %+v", g.MemberNum, members)
		}
		total, joined, err := db.JoinedGroups(ctx, gapp, "m0001", im.JoinedFilter{})
		if err != nil || total != 0 || len(joined) != 0 {
			t.Fatalf("former member still sees %d groups (%v)", total, err)
		}
		if _, err := db.DeleteAccounts(ctx, gapp, []string{"m0002"}); err != nil {
			t.Fatal(err)
		}
		if g, _, _, _ := db.Members(ctx, gapp, "@TGS#_big", im.MemberFilter{}); g.MemberNum != 2 {
			t.Fatalf("deleting a former member changed the new group's MemberNum to %d", g.MemberNum)
		}

		waitReaped(t, db)
		// Once reaped, the accounts are in no group but the new one.
		total, _, err = db.JoinedGroups(ctx, gapp, "m0007", im.JoinedFilter{})
		if err != nil || total != 1 {
			t.Fatalf("m0007 in %d groups (%v)", total, err)
		}
	})
}

// destroyWithAttrs gives a group an attribute and a former member who left
// it muted (m0001), and dismisses it: the attributes and the mute go at
// once, not with the reaper.
func destroyWithAttrs(t *testing.T, db *sqlstore.DB, groupID string) {
	t.Helper()
	ctx := context.Background()
	set := im.GroupAttrChange{Op: im.GroupAttrSet, Attrs: []im.GroupAttr{{Key: "k", Value: "v"}}}
	if err := db.ChangeGroupAttrs(ctx, quiet, groupID, set); err != nil {
		t.Fatal(err)
	}
	if err := db.MuteMembers(ctx, quiet, groupID, []string{"m0001"}, 600); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteMembers(ctx, quiet, groupID, []string{"m0001"}); err != nil {
		t.Fatal(err)
	}
	if n, err := db.CountForTest(ctx, "SELECT COUNT(*) FROM group_outside_mutes"); err != nil || n != 1 {
		t.Fatalf("%d mutes kept for members who left (%v), want 1", n, err)
	}
	if err := db.DestroyGroup(ctx, recording, groupID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"group_attrs", "group_outside_mutes"} {
		if n, err := db.CountForTest(ctx, "SELECT COUNT(*) FROM "+table); err != nil || n != 0 {
			t.Fatalf("%d %s rows after the dismissal (%v)", n, table, err)
		}
	}
}

// waitReaped waits up to ten seconds for the reaper to have no group left
// to reap.
func waitReaped(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		pending, err := db.ReapPending(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d groups still to reap", pending)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
