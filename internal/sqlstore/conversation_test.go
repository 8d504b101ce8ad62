package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// sendC2C and sendGroup seed one message each.
func sendC2C(t *testing.T, db *sqlstore.DB, from, to string, at int64) {
	t.Helper()
	if _, err := db.SeedC2CMessage(context.Background(), gapp, from, to, at); err != nil {
		t.Fatal(err)
	}
}

func sendGroup(t *testing.T, db *sqlstore.DB, id, from string, at int64) {
	t.Helper()
	if err := db.SeedGroupMessage(context.Background(), gapp, id, from, at); err != nil {
		t.Fatal(err)
	}
}

// convList renders conversations as "c:peer@time" / "g:peer@time", with
// "*" for pinned.
func convList(items []im.Conversation) string {
	parts := make([]string, len(items))
	for i, c := range items {
		kind := "c"
		if c.Type == im.ContactGroup {
			kind = "g"
		}
		pin := ""
		if c.Pinned {
			pin = "*"
		}
		parts[i] = fmt.Sprintf("%s%s:%s@%d", pin, kind, c.Peer, c.MsgTime)
	}
	return strings.Join(parts, " ")
}

// pageAll follows get_list's cursors from the first page to the last, as a
// client does, and returns every page rendered.
func pageAll(t *testing.T, db *sqlstore.DB, owner string, flags, limit int) []string {
	t.Helper()
	q := im.ConversationQuery{Flags: flags, Limit: limit}
	var pages []string
	for range 100 {
		p, err := db.Conversations(context.Background(), gapp, owner, q)
		if err != nil {
			t.Fatal(err)
		}
		pages = append(pages, convList(p.Items))
		if p.Complete {
			done := im.ConversationCursor{Time: fixedMs / 1000}
			if p.Normal != done || p.Pinned != done {
				t.Errorf("last page's cursors %+v %+v, want %+v", p.Normal, p.Pinned, done)
			}
			return pages
		}
		q.Normal, q.Pinned = p.Normal, p.Pinned
	}
	t.Fatalf("no last page after 100: %q", pages)
	return nil
}

// openConvDB opens a store with alice, bob, u0..u9 and groups G1 (alice a
// member), G2 (alice a member, no messages yet) and G3 (without alice).
func openConvDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	ids := []string{"alice", "bob"}
	for i := range 10 {
		ids = append(ids, fmt.Sprintf("u%d", i))
	}
	db := openGroupDB(t, dsn, ids...)
	mustCreate(t, db, quiet, newGroup("G1", im.GroupPublic, "bob", "alice"))
	mustCreate(t, db, quiet, newGroup("G2", im.GroupPrivate, "alice"))
	mustCreate(t, db, quiet, newGroup("G3", im.GroupPublic, "bob"))
	return db
}

// Ensure get_list is newest first, one-to-one before group on one MsgTime,
// then by peer, and that a client following the cursors with any page size
// sees each conversation exactly once, even when many share one MsgTime.
func TestConversations_PagingWithTies(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		db := openConvDB(t, dsn)
		for i := range 10 {
			sendC2C(t, db, fmt.Sprintf("u%d", i), "alice", 100+int64(i%3)*10) // times 100, 110, 120
		}
		sendGroup(t, db, "G1", "bob", 110)
		sendGroup(t, db, "G3", "bob", 500) // alice is not a member
		want := "c:u2@120 c:u5@120 c:u8@120 c:u1@110 c:u4@110 c:u7@110 g:G1@110 c:u0@100 c:u3@100 c:u6@100 c:u9@100 g:G2@0"
		for limit := 1; limit <= 12; limit++ {
			pages := pageAll(t, db, "alice", 7, limit)
			if got := strings.Join(strings.Fields(strings.Join(pages, " ")), " "); got != want {
				t.Errorf("limit %d: %q\nwant %s", limit, pages, want)
			}
		}
		// The other side has its own conversation.
		if pages := pageAll(t, db, "u4", 0, 100); pages[0] != "c:alice@110" {
			t.Errorf("u4: %q", pages)
		}
	})
}

// Ensure pinned conversations form their own section: first, paged on their
// own cursor with AssistFlags bit 2, all on the first page without it, and
// mixed in (TopFlag still 1) without bit 0.
func TestConversations_Pinned(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openConvDB(t, dsn)
		for i := range 5 {
			sendC2C(t, db, "alice", fmt.Sprintf("u%d", i), 100+int64(i))
		}
		sendGroup(t, db, "G1", "bob", 102)
		for _, k := range []im.Contact{c2c("u1"), group("G1"), c2c("u3")} {
			if err := db.SetPinned(ctx, gapp, "alice", []im.Contact{k}, true); err != nil {
				t.Fatal(err)
			}
		}
		check := func(flags, limit int, want ...string) {
			t.Helper()
			if got := pageAll(t, db, "alice", flags, limit); strings.Join(got, " | ") != strings.Join(want, " | ") {
				t.Errorf("flags %d limit %d:\n got %q\nwant %q", flags, limit, got, want)
			}
		}
		check(5, 2, "*c:u3@103 *g:G1@102", "*c:u1@101 c:u4@104", "c:u2@102 c:u0@100")
		check(5, 4, "*c:u3@103 *g:G1@102 *c:u1@101 c:u4@104", "c:u2@102 c:u0@100")
		check(1, 2, "*c:u3@103 *g:G1@102 *c:u1@101 c:u4@104 c:u2@102", "c:u0@100")
		check(0, 3, "c:u4@104 *c:u3@103 c:u2@102", "*g:G1@102 *c:u1@101 c:u0@100")

		// Unpinning puts it back in time order; pinning a conversation
		// without messages makes an empty one (bit 1 shows it).
		if err := db.SetPinned(ctx, gapp, "alice", []im.Contact{{Type: im.ContactC2C, Peer: "u3"}}, false); err != nil {
			t.Fatal(err)
		}
		if err := db.SetPinned(ctx, gapp, "alice", []im.Contact{{Type: im.ContactC2C, Peer: "bob"}}, true); err != nil {
			t.Fatal(err)
		}
		check(5, 10, "*g:G1@102 *c:u1@101 c:u4@104 c:u3@103 c:u2@102 c:u0@100")
		check(7, 10, "*g:G1@102 *c:u1@101 *c:bob@0 c:u4@104 c:u3@103 c:u2@102 c:u0@100 g:G2@0")
	})
}

// Ensure the pinned limit (51012) and the codes of SetPinned.
func TestConversations_PinLimitAndCodes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openConvDB(t, dsn)
		ids := []string{"bob", "u0", "u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9"}
		accts := []im.AccountImport{}
		for i := len(ids); i < im.MaxPinnedConversations; i++ {
			id := fmt.Sprintf("p%02d", i)
			ids = append(ids, id)
			accts = append(accts, im.AccountImport{UserID: id})
		}
		if err := db.ImportAccounts(ctx, gapp, accts); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids[1:] {
			if err := db.SetPinned(ctx, gapp, "alice", []im.Contact{{Type: im.ContactC2C, Peer: id}}, true); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 { // the 50th; pinning again changes nothing
			if err := db.SetPinned(ctx, gapp, "alice", []im.Contact{{Type: im.ContactGroup, Peer: "G1"}}, true); err != nil {
				t.Fatal(err)
			}
		}
		for _, tc := range []struct {
			owner, peer string
			typ, code   int
		}{
			{"alice", "bob", im.ContactC2C, im.CodeContactPinLimit},
			{"nobody", "bob", im.ContactC2C, im.CodeContactAccountNotFound},
			{"alice", "nobody", im.ContactC2C, im.CodeContactAccountNotFound},
			{"alice", "@TGS#none", im.ContactGroup, im.CodeContactGroupGone},
			{"alice", "bob", 3, im.CodeContactInvalid},
		} {
			err := db.SetPinned(ctx, gapp, tc.owner, []im.Contact{{Type: tc.typ, Peer: tc.peer}}, true)
			var e *im.Error
			if !errors.As(err, &e) || e.Code != tc.code {
				t.Errorf("SetPinned(%s, %d %s): %v, want %d", tc.owner, tc.typ, tc.peer, err, tc.code)
			}
		}
		if err := db.SetPinned(ctx, gapp, "alice", []im.Contact{{Type: im.ContactC2C, Peer: "bob"}}, false); err != nil { // unpinning is always fine
			t.Fatal(err)
		}
	})
}
