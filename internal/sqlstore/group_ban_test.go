package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure AVChatRoom bans are kept per room until they run out, listed the
// soonest to end first in pages, replaced by a ban given again and lifted
// by an unban; that a banned account may not send to the room (10007) until
// its ban is lifted or runs out; that a refused ban changes nothing (an
// unknown account, a group of another type, an unknown group); and that an
// account's deletion and the room's dismissal take its bans away. Bans
// record no callback event.
func TestGroupBanService(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1_700_000_000, 0)}
		db := openMsgDB(t, dsn, c)
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		now := c.Now().Unix()
		bans := func(offset, limit int, next int, want ...im.GroupBan) {
			t.Helper()
			page, err := db.BannedMembers(ctx, gapp, "Live", offset, limit)
			if err != nil || page.Bans == nil || !slices.Equal(page.Bans, want) || page.NextOffset != next {
				t.Fatalf("bans from %d: %+v (%v), want %v next %d", offset, page, err, want, next)
			}
		}
		ban := func(what string, code int, group string, secs int64, ids ...string) {
			t.Helper()
			wantCode(t, what, db.BanMembers(ctx, recording, group, ids, secs, "spam"), code)
		}
		send := func(what, from string, code int) {
			t.Helper()
			_, err := db.SendGroupMsg(ctx, quiet, "Live", msg(from, uint32(c.Now().UnixNano()), what))
			wantCode(t, what, err, code)
		}
		bans(0, 10, 0)
		ban("ban bob and carol", 0, "Live", 600, "bob", "carol")
		ban("ban dave", 0, "Live", 60, "dave")
		bans(0, 10, 0, im.GroupBan{Member_Account: "dave", BannedUntil: now + 60},
			im.GroupBan{Member_Account: "bob", BannedUntil: now + 600}, im.GroupBan{Member_Account: "carol", BannedUntil: now + 600})
		bans(0, 2, 2, im.GroupBan{Member_Account: "dave", BannedUntil: now + 60}, im.GroupBan{Member_Account: "bob", BannedUntil: now + 600})
		bans(2, 2, 0, im.GroupBan{Member_Account: "carol", BannedUntil: now + 600})
		bans(3, 2, 0)

		ban("unknown account", im.CodeGroupAccountNotFound, "Live", 30, "alice", "nosuch")
		ban("not an AVChatRoom", im.CodeGroupForbidden, "G", 30, "alice")
		ban("unknown group", im.CodeGroupNotFound, "nosuch", 30, "alice")
		wantCode(t, "unban in G", db.UnbanMembers(ctx, quiet, "G", []string{"bob"}), im.CodeGroupForbidden)
		if _, err := db.BannedMembers(ctx, gapp, "G", 0, 10); im.ErrorCode(err) != im.CodeGroupForbidden {
			t.Fatalf("G's bans: %v", err)
		}

		send("banned bob", "bob", im.CodeGroupForbidden)
		send("alice", "alice", 0)
		ban("ban bob again, for less", 0, "Live", 30, "bob")
		bans(0, 10, 0, im.GroupBan{Member_Account: "bob", BannedUntil: now + 30},
			im.GroupBan{Member_Account: "dave", BannedUntil: now + 60}, im.GroupBan{Member_Account: "carol", BannedUntil: now + 600})
		c.add(45 * time.Second) // bob's ban runs out
		send("bob, free again", "bob", 0)
		bans(0, 10, 0, im.GroupBan{Member_Account: "dave", BannedUntil: now + 60}, im.GroupBan{Member_Account: "carol", BannedUntil: now + 600})
		wantCode(t, "unban carol", db.UnbanMembers(ctx, recording, "Live", []string{"carol", "bob"}), 0)
		send("carol, unbanned", "carol", 0)
		bans(0, 10, 0, im.GroupBan{Member_Account: "dave", BannedUntil: now + 60})

		if _, err := db.DeleteAccounts(ctx, gapp, []string{"dave"}); err != nil {
			t.Fatal(err)
		}
		bans(0, 10, 0)
		ban("ban bob", 0, "Live", 600, "bob")
		if err := db.DestroyGroup(ctx, quiet, "Live"); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		bans(0, 10, 0)
		send("bob in the new room", "bob", 0)
		if b := bodies(t, db); len(b) != 0 {
			t.Fatalf("bans recorded callback events: %v", b)
		}
	})
}
