package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

func c2c(id string) im.Contact   { return im.Contact{Type: im.ContactC2C, Peer: id} }
func group(id string) im.Contact { return im.Contact{Type: im.ContactGroup, Peer: id} }

// itemCodes renders per-item outcomes as their codes.
func itemCodes(results []*im.Error) string {
	codes := make([]string, len(results))
	for i, r := range results {
		codes[i] = "0"
		if r != nil {
			codes[i] = fmt.Sprint(r.Code)
		}
	}
	return strings.Join(codes, " ")
}

// contactsOf renders all of a user's conversations as "type:peer[ids]mark/custom".
func contactsOf(t *testing.T, db *sqlstore.DB, user string) []string {
	t.Helper()
	page, err := db.ContactGroups(context.Background(), gapp, user, 0, 10000)
	if err != nil {
		t.Fatal(err)
	}
	if !page.Complete || page.Next != 0 {
		t.Fatalf("one page of 10000 is not complete: %+v", page)
	}
	var out []string
	for _, s := range page.Contacts {
		out = append(out, fmt.Sprintf("%d:%s%v%s/%s", s.Type, s.Peer, s.GroupIDs, im.FormatStandardMark(s.StandardMark), s.CustomMark))
		if !s.Updated.Equal(time.UnixMilli(fixedMs)) {
			t.Errorf("%s updated %v", s.Peer, s.Updated)
		}
	}
	return out
}

// Ensure the conversation-group writes store what they are given, answer
// their codes, and keep ids per user, from 1, never reused.
func TestContactService_Groups(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice"))
		contactGroupsCreateAndUpdate(t, db)
		contactGroupsDeleteAndReuse(t, db)
		contactGroupsLimitAndPages(t, db)
	})
}

// contactGroupsCreateAndUpdate creates alice's g1 and g2, updates g2 and
// renames it "two", checking each answer and the contacts they leave.
func contactGroupsCreateAndUpdate(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	ref, res, err := db.CreateContactGroup(ctx, gapp, "alice", "g1", []im.Contact{c2c("bob"), group("G"), c2c("nobody"), group("NOPE"), c2c("a\x00"), c2c("bob")})
	if err != nil || ref != (im.ContactGroupRef{ID: 1, Name: "g1"}) || itemCodes(res) != "0 0 50001 51007 50001 0" {
		t.Fatalf("create: %v %v %v", ref, itemCodes(res), err)
	}
	_, _, err = db.CreateContactGroup(ctx, gapp, "alice", "g1", nil)
	wantCode(t, "name taken", err, im.CodeContactInvalid)
	_, _, err = db.CreateContactGroup(ctx, gapp, "zed", "g", nil)
	wantCode(t, "unknown user", err, im.CodeContactAccountNotFound)
	ref, _, err = db.CreateContactGroup(ctx, gapp, "alice", "g2", []im.Contact{c2c("carol")})
	if err != nil || ref.ID != 2 {
		t.Fatalf("second: %v %v", ref, err)
	}

	ref, res, err = db.UpdateContactGroup(ctx, gapp, "alice", "g2", []im.ContactChange{
		{Contact: c2c("bob")}, {Contact: group("G")}, {Remove: true, Contact: c2c("carol")}, {Remove: true, Contact: c2c("nobody")}, {Contact: group("NOPE")},
	})
	if err != nil || ref != (im.ContactGroupRef{ID: 2, Name: "g2"}) || itemCodes(res) != "0 0 0 0 51007" {
		t.Fatalf("update: %v %v %v", ref, itemCodes(res), err)
	}
	_, _, err = db.UpdateContactGroup(ctx, gapp, "alice", "nope", nil)
	wantCode(t, "update unknown", err, im.CodeContactGroupNotFound)

	_, err = db.RenameContactGroup(ctx, gapp, "alice", "g2", "g1")
	wantCode(t, "rename to a taken name", err, im.CodeContactInvalid)
	if ref, err = db.RenameContactGroup(ctx, gapp, "alice", "g2", "two"); err != nil || ref != (im.ContactGroupRef{ID: 2, Name: "two"}) {
		t.Fatalf("rename: %v %v", ref, err)
	}
	want := []string{"1:bob[1 2]/", "1:carol[]/", "2:G[1 2]/"}
	if got := contactsOf(t, db, "alice"); !slices.Equal(got, want) {
		t.Fatalf("contacts %v, want %v", got, want)
	}
}

// contactGroupsDeleteAndReuse deletes alice's g1 and creates it again: it
// gets id 3, the id of the deleted group is not reused, and bob's first
// group is his id 1.
func contactGroupsDeleteAndReuse(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	ref, err := db.DeleteContactGroup(ctx, gapp, "alice", "g1")
	if err != nil || ref != (im.ContactGroupRef{ID: 1, Name: "g1"}) {
		t.Fatalf("delete: %v %v", ref, err)
	}
	_, err = db.DeleteContactGroup(ctx, gapp, "alice", "g1")
	wantCode(t, "delete again", err, im.CodeContactGroupNotFound)
	want := []string{"1:bob[2]/", "1:carol[]/", "2:G[2]/"}
	if got := contactsOf(t, db, "alice"); !slices.Equal(got, want) {
		t.Fatalf("after delete %v, want %v", got, want)
	}
	if ref, _, err = db.CreateContactGroup(ctx, gapp, "alice", "g1", nil); err != nil || ref.ID != 3 {
		t.Fatalf("re-create: %v %v", ref, err)
	}
	if ref, _, err = db.CreateContactGroup(ctx, gapp, "bob", "g1", nil); err != nil || ref.ID != 1 {
		t.Fatalf("bob's first: %v %v", ref, err)
	}
}

// contactGroupsLimitAndPages fills alice's 20 groups, checks the 21st is
// refused, and reads her contacts one to a page.
func contactGroupsLimitAndPages(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	for i := 4; i <= 21; i++ { // alice has "two" and "g1": 18 more make 20
		if _, _, err := db.CreateContactGroup(ctx, gapp, "alice", fmt.Sprint(i), nil); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := db.CreateContactGroup(ctx, gapp, "alice", "22", nil)
	wantCode(t, "21st group", err, im.CodeContactGroupLimit)

	page, err := db.ContactGroups(ctx, gapp, "alice", 1, 1)
	if err != nil || len(page.Contacts) != 1 || page.Contacts[0].Peer != "carol" || page.Complete || page.Next != 2 || len(page.Groups) != 20 {
		t.Fatalf("page: %+v %v", page, err)
	}
	page, err = db.ContactGroups(ctx, gapp, "alice", 2, 1)
	if err != nil || page.Contacts[0].Peer != "G" || !page.Complete || page.Next != 0 {
		t.Fatalf("last page: %+v %v", page, err)
	}
}

// Ensure marks are set, cleared and replaced bit for bit (bit 63 too), that
// clearing the marks of a conversation timd has nothing of stores nothing,
// and that search returns only the conversations the user has.
func TestContactService_Marks(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice"))
		res, err := db.MarkContacts(ctx, gapp, "alice", []im.Mark{
			{Contact: c2c("bob"), Standard: true, Set: 1<<63 | 1},
			{Contact: group("G"), Standard: true, Custom: true, Set: 0b1110, CustomMark: "abcd"},
			{Contact: group("G"), Standard: true, Clear: 0b0110, Set: 0b0100},
			{Contact: c2c("carol"), Standard: true, Clear: 1},
			{Contact: c2c("nobody"), Custom: true, CustomMark: "x"},
			{Contact: group("NOPE"), Custom: true, CustomMark: "x"},
		})
		if err != nil || itemCodes(res) != "0 0 0 0 50001 51007" {
			t.Fatalf("mark: %v %v", itemCodes(res), err)
		}
		want := []string{"1:bob[]1" + strings.Repeat("0", 62) + "1/", "2:G[]1100/abcd"}
		if got := contactsOf(t, db, "alice"); !slices.Equal(got, want) {
			t.Fatalf("contacts %v, want %v", got, want)
		}
		_, err = db.MarkContacts(ctx, gapp, "zed", nil)
		wantCode(t, "unknown user", err, im.CodeContactAccountNotFound)

		found, groups, err := db.SearchContacts(ctx, gapp, "alice", []im.Contact{group("G"), c2c("carol"), group("G"), c2c("bad\x00")})
		if err != nil || len(found) != 1 || found[0].CustomMark != "abcd" || found[0].StandardMark != 0b1100 || len(groups) != 0 {
			t.Fatalf("search: %+v %v %v", found, groups, err)
		}
		_, _, err = db.SearchContacts(ctx, gapp, "zed", nil)
		wantCode(t, "search unknown user", err, im.CodeContactAccountNotFound)
	})
}

// Ensure a dismissal removes the group's conversation from every user, and
// account_delete the user's own conversation groups and marks only.
func TestContactService_DismissalAndAccountDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice"))
		mustCreate(t, db, quiet, newGroup("H", im.GroupPublic, "alice"))
		for _, u := range []string{"alice", "bob"} {
			other := map[string]string{"alice": "bob", "bob": "alice"}[u]
			if _, _, err := db.CreateContactGroup(ctx, gapp, u, "g", []im.Contact{group("G"), group("H"), c2c(other)}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.MarkContacts(ctx, gapp, u, []im.Mark{{Contact: group("G"), Custom: true, CustomMark: "m"}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DestroyGroup(ctx, quiet, "G"); err != nil {
			t.Fatal(err)
		}
		want := map[string][]string{"alice": {"1:bob[1]/", "2:H[1]/"}, "bob": {"1:alice[1]/", "2:H[1]/"}}
		for u, w := range want {
			if got := contactsOf(t, db, u); !slices.Equal(got, w) {
				t.Errorf("%s after dismissal: %v, want %v", u, got, w)
			}
		}

		if existed, err := db.DeleteAccounts(ctx, gapp, []string{"alice"}); err != nil || !existed[0] {
			t.Fatalf("delete alice: %v %v", existed, err)
		}
		_, err := db.ContactGroups(ctx, gapp, "alice", 0, 10)
		wantCode(t, "deleted user", err, im.CodeContactAccountNotFound)
		if got := contactsOf(t, db, "bob"); !slices.Equal(got, want["bob"]) {
			t.Errorf("bob after alice's deletion: %v", got)
		}
		if err := db.ImportAccounts(ctx, gapp, []im.AccountImport{{UserID: "alice"}}); err != nil {
			t.Fatal(err)
		}
		if got := contactsOf(t, db, "alice"); len(got) != 0 {
			t.Errorf("re-imported alice: %v", got)
		}
		if ref, _, err := db.CreateContactGroup(ctx, gapp, "alice", "g", nil); err != nil || ref.ID != 1 {
			t.Errorf("re-imported alice's first group: %v %v", ref, err)
		}
	})
}

// Ensure the 1000 grouped and 1000 marked conversations limits, and that a
// user with 2000 conversations kept makes room for a new one by dropping
// the least recently changed one that is neither grouped nor marked.
func TestContactService_Bounds(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		var ids []string
		for i := range 2001 {
			ids = append(ids, fmt.Sprintf("u%04d", i))
		}
		db := openGroupDB(t, dsn, append(ids, "alice")...)
		var grouped []im.Contact
		for _, id := range ids[:1000] {
			grouped = append(grouped, c2c(id))
		}
		if _, res, err := db.CreateContactGroup(ctx, gapp, "alice", "g", grouped); err != nil || strings.Trim(itemCodes(res), "0 ") != "" {
			t.Fatalf("group 1000: %v", err)
		}
		var marks []im.Mark
		for _, id := range ids[1000:2001] {
			marks = append(marks, im.Mark{Contact: c2c(id), Standard: true, Set: 1})
		}
		res, err := db.MarkContacts(ctx, gapp, "alice", marks)
		if err != nil || !strings.HasSuffix(itemCodes(res), " 0 51008") {
			t.Fatalf("mark 1001: %v", err)
		}
		_, res, err = db.UpdateContactGroup(ctx, gapp, "alice", "g", []im.ContactChange{{Contact: c2c(ids[2000])}})
		if err != nil || itemCodes(res) != "51008" {
			t.Fatalf("1001st grouped: %v %v", itemCodes(res), err)
		}
		// u0000 leaves the group and is kept, neither grouped nor marked:
		// 2000 conversations. The next new one takes its place.
		_, res, err = db.UpdateContactGroup(ctx, gapp, "alice", "g", []im.ContactChange{{Remove: true, Contact: c2c(ids[0])}, {Contact: c2c(ids[2000])}})
		if err != nil || itemCodes(res) != "0 0" {
			t.Fatalf("swap: %v %v", itemCodes(res), err)
		}
		got := contactsOf(t, db, "alice")
		if len(got) != 2000 || got[0] != "1:u0001[1]/" || got[1999] != "1:u2000[1]/" {
			t.Fatalf("%d kept: %v ... %v", len(got), got[:2], got[len(got)-2:])
		}
	})
}
