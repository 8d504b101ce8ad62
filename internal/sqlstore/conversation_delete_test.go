package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// listed renders owner's whole conversation list (AssistFlags 7).
func listed(t *testing.T, db *DB, owner string) string {
	t.Helper()
	p, err := db.Conversations(context.Background(), convApp, owner, im.ConversationQuery{Flags: 7, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	s := ""
	for _, c := range p.Items {
		s += fmt.Sprintf("%d:%s@%d ", c.Type, c.Peer, c.MsgTime)
	}
	return s
}

// Ensure recentcontact/delete hides a conversation until its next message,
// that ClearRamble 1 records the last message for the owner only (clear_id),
// that deleting a conversation the owner does not have succeeds and changes
// nothing, and the codes.
func TestDeleteConversation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, clock := openClocked(t, dsn, time.Hour)
		var last int64
		for i := range 3 {
			var err error
			if last, err = db.SeedC2CMessage(ctx, convApp, "alice", "bob", 100+int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SeedGroupMessage(ctx, convApp, "G", "bob", 90); err != nil {
			t.Fatal(err)
		}
		if got := listed(t, db, "alice"); got != "1:bob@102 2:G@90 " {
			t.Fatalf("before: %q", got)
		}
		bob, grp := im.Contact{Type: im.ContactC2C, Peer: "bob"}, im.Contact{Type: im.ContactGroup, Peer: "G"}
		if err := db.SetPinned(ctx, convApp, "alice", []im.Contact{{Type: im.ContactGroup, Peer: "G"}}, true); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteConversation(ctx, convApp, "alice", bob, true); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteConversation(ctx, convApp, "alice", grp, true); err != nil {
			t.Fatal(err)
		}
		if got := listed(t, db, "alice"); got != "" {
			t.Errorf("after delete: %q", got)
		}
		clear := count(t, db, "SELECT clear_id FROM conversations WHERE owner = 'alice' AND type = 1 AND peer = 'bob'")
		gclear := count(t, db, "SELECT clear_id FROM conversations WHERE owner = 'alice' AND type = 2 AND peer = 'G'")
		bclear := count(t, db, "SELECT clear_id FROM conversations WHERE owner = 'bob' AND type = 1 AND peer = 'alice'")
		if int64(clear) != last || gclear != 1 || bclear != 0 {
			t.Errorf("clear_id alice %d (want %d), group %d (want 1), bob %d (want 0)", clear, last, gclear, bclear)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM conversations WHERE pinned > 0"); got != 0 {
			t.Errorf("a deleted conversation stays pinned")
		}
		if got := listed(t, db, "bob"); got != "1:alice@102 2:G@90 " {
			t.Errorf("bob's list changed: %q", got)
		}

		deleteThenNewMessage(t, db, clock, bob, last)
		deleteNothingAndCodes(t, db, bob, grp)
	})
}

// Ensure a dismissal takes what accounts changed about the group's
// conversation with it: a new group of the same id is not pinned.
func TestDestroyGroup_ConversationRows(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _ := openClocked(t, dsn, time.Hour)
		if err := db.SetPinned(ctx, convApp, "bob", []im.Contact{{Type: im.ContactGroup, Peer: "G"}}, true); err != nil {
			t.Fatal(err)
		}
		op := im.Op{App: &im.App{SDKAppID: convApp}, Operator: "administrator"}
		if err := db.DestroyGroup(ctx, op, "G"); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM conversations WHERE type = 2"); got != 0 {
			t.Errorf("%d group conversation rows left", got)
		}
	})
}

// BenchmarkConversations_5000 reads the first page and a page deep in the
// list of an account with 5,000 one-to-one conversations and 200 group
// ones, among 100,000 other conversations of the app. The cost of a page
// does not grow with the list: compare -bench with other sizes.
//
//	go test ./internal/sqlstore/ -run XXX -bench Conversations
func BenchmarkConversations_5000(b *testing.B) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	_, err = db.w.ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 105000)
		INSERT INTO conversations (app_id, owner, type, peer, msg_time)
		SELECT $1, CASE WHEN x <= 5000 THEN 'owner' ELSE 'o' || CAST(x % 1000 AS TEXT) END, 1, 'p' || CAST(x AS TEXT), 1000 + x % 700 FROM c`,
		convApp)
	if err != nil {
		b.Fatal(err)
	}
	if err := db.EnsureAccounts(ctx, convApp, []string{"owner"}); err != nil {
		b.Fatal(err)
	}
	for i := range 200 {
		fillMembers(b, db, fmt.Sprintf("bg%d", i), im.GroupPublic, 1)
		if _, err := db.w.ExecContext(ctx, `UPDATE group_members SET user_id = 'owner' WHERE group_seq =
			(SELECT seq FROM im_groups WHERE group_id = $1)`, fmt.Sprintf("bg%d", i)); err != nil {
			b.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, "UPDATE im_groups SET last_msg_time = $1 WHERE group_id = $2", 1000+i*3, fmt.Sprintf("bg%d", i)); err != nil {
			b.Fatal(err)
		}
	}
	deep := im.ConversationQuery{Flags: 63, Limit: im.ConversationPageSize, Normal: im.ConversationCursor{Time: 1100, Index: 3}}
	for _, bc := range []struct {
		name string
		q    im.ConversationQuery
	}{{"first", im.ConversationQuery{Flags: 63, Limit: im.ConversationPageSize}}, {"deep", deep}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				p, err := db.Conversations(ctx, convApp, "owner", bc.q)
				if err != nil || len(p.Items) != im.ConversationPageSize {
					b.Fatalf("%d items, %v", len(p.Items), err)
				}
			}
		})
	}
}

// deleteThenNewMessage checks that a later message brings each deleted
// conversation back, and that deleting again without ClearRamble keeps the
// clear point (last).
func deleteThenNewMessage(t *testing.T, db *DB, clock *testClock, bob im.Contact, last int64) {
	ctx := context.Background()
	// A later message brings each back; deleting again without
	// ClearRamble keeps the clear point.
	clock.advance(time.Second)
	if _, err := db.SeedC2CMessage(ctx, convApp, "bob", "alice", clock.now().Unix()); err != nil {
		t.Fatal(err)
	}
	if err := db.SeedGroupMessage(ctx, convApp, "G", "bob", clock.now().Unix()); err != nil {
		t.Fatal(err)
	}
	at := clock.now().Unix()
	if got, want := listed(t, db, "alice"), fmt.Sprintf("1:bob@%d 2:G@%d ", at, at); got != want {
		t.Errorf("after new messages: %q, want %q", got, want)
	}
	if err := db.DeleteConversation(ctx, convApp, "alice", bob, false); err != nil {
		t.Fatal(err)
	}
	if got := count(t, db, "SELECT clear_id FROM conversations WHERE owner = 'alice' AND type = 1 AND peer = 'bob'"); int64(got) != last {
		t.Errorf("clear_id %d after a delete without ClearRamble, want %d", got, last)
	}

}

// deleteNothingAndCodes checks that deleting a conversation the owner does
// not have succeeds and writes nothing, and the codes of the refusals.
func deleteNothingAndCodes(t *testing.T, db *DB, bob, grp im.Contact) {
	ctx := context.Background()
	// Nothing to delete: fine, and nothing written.
	before := count(t, db, "SELECT COUNT(*) FROM conversations")
	for _, k := range []im.Contact{{Type: im.ContactC2C, Peer: "carol"}, grp} {
		if err := db.DeleteConversation(ctx, convApp, "carol", k, true); err != nil {
			t.Errorf("carol deletes %+v: %v", k, err)
		}
	}
	if after := count(t, db, "SELECT COUNT(*) FROM conversations"); after != before {
		t.Errorf("conversations %d -> %d", before, after)
	}
	for _, tc := range []struct {
		owner string
		k     im.Contact
		code  int
	}{
		{"nobody", bob, im.CodeContactAccountNotFound},
		{"alice", im.Contact{Type: im.ContactC2C, Peer: "nobody"}, im.CodeContactAccountNotFound},
		{"alice", im.Contact{Type: im.ContactGroup, Peer: "@TGS#gone"}, im.CodeContactGroupGone},
		{"alice", im.Contact{Type: im.ContactGroup, Peer: "bad\x00id"}, im.CodeContactGroupGone},
	} {
		var e *im.Error
		if err := db.DeleteConversation(ctx, convApp, tc.owner, tc.k, false); !errors.As(err, &e) || e.Code != tc.code {
			t.Errorf("%s deletes %+v: %v, want %d", tc.owner, tc.k, err, tc.code)
		}
	}
}

// Ensure deleting a conversation also reads it: its unread count goes to 0,
// in the total too, and a read afterwards does not count the messages from
// before the deletion again; a later message counts anew.
func TestDeleteConversation_ClearsUnread(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, clock := openClocked(t, dsn, time.Hour)
		at := clock.now().Unix()
		for i := range 3 {
			if _, err := db.SeedC2CMessage(ctx, convApp, "alice", "bob", at-10+int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		unread := func(want int) {
			t.Helper()
			total, per, err := db.C2CUnread(ctx, convApp, "bob", []string{"alice"})
			if err != nil || total != want || len(per) != 1 || per[0] != want {
				t.Fatalf("bob's unread: total %d, per peer %v, %v; want %d", total, per, err, want)
			}
		}
		unread(3)
		if err := db.DeleteConversation(ctx, convApp, "bob", im.Contact{Type: im.ContactC2C, Peer: "alice"}, false); err != nil {
			t.Fatal(err)
		}
		unread(0)
		if err := db.SetC2CRead(ctx, convApp, "bob", "alice", at-20); err != nil {
			t.Fatal(err)
		}
		unread(0)
		clock.advance(time.Second)
		if _, err := db.SeedC2CMessage(ctx, convApp, "alice", "bob", clock.now().Unix()); err != nil {
			t.Fatal(err)
		}
		unread(1)
	})
}
