package sqlstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// codes renders per-item outcomes as their codes (0 for success).
func codes(res []*im.Error) []int {
	out := make([]int, len(res))
	for i, r := range res {
		if r != nil {
			out[i] = r.Code
		}
	}
	return out
}

// item is a friend to add with a valid AddSource.
func item(to string, lists ...string) im.FriendItem {
	return im.FriendItem{To: to, AddSource: "AddSource_Type_Test", Lists: lists}
}

// seqs reads a user's CurrentSequence, StandardSequence and CustomSequence.
func seqs(t *testing.T, db *sqlstore.DB, user string) [3]int64 {
	t.Helper()
	list, _, err := db.FriendLists(context.Background(), gapp, user, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	p, err := db.Friends(context.Background(), gapp, user, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return [3]int64{list, p.Standard, p.Custom}
}

// Ensure the relationship chain store adds, imports, checks, lists and
// deletes friends with per-item outcomes and moves each sequence once per
// changing call; events only for friend_add and friend_delete.
func TestSNSService_Friends(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		db := openGroupDB(t, dsn, "alice", "bob", "carol", "dave")
		addAndImportFriends(t, db)
		checkAliceFriends(t, db)
		checkAliceRelations(t, db)
		deleteAliceFriends(t, db)

		want := []string{
			`{"Admin_Account":"administrator","CallbackCommand":"Sns.CallbackFriendAdd","ClientCmd":"friend_add","EventTime":` + jsonInt(fixedMs) +
				`,"ForceFlag":1,"PairList":[{"From_Account":"alice","Initiator_Account":"alice","To_Account":"bob"},{"From_Account":"bob","Initiator_Account":"alice","To_Account":"alice"}]}`,
			`{"CallbackCommand":"Sns.CallbackFriendDelete","EventTime":` + jsonInt(fixedMs) +
				`,"PairList":[{"From_Account":"alice","To_Account":"carol"},{"From_Account":"alice","To_Account":"bob"}]}`,
		}
		if got := bodies(t, db); !slices.Equal(got, want) {
			t.Fatalf("events\n%v\nwant\n%v", got, want)
		}
	})
}

// addAndImportFriends makes alice and bob friends both ways and imports
// carol as alice's friend, checking each item's outcome and the sequences
// moved.
func addAndImportFriends(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	res, err := db.AddFriends(ctx, recording, im.FriendAdd{From: "alice", Both: true, Force: true,
		Items: []im.FriendItem{item("bob", "L"), item("alice"), item("nobody"), item("bob"), item("carol\x00")}})
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(res); !slices.Equal(got, []int{0, 30001, 30003, 30001, 30003}) {
		t.Fatalf("AddFriends codes %v", got)
	}
	if res[3].Info != "Err_SNS_FriendAdd_Friend_Exist" {
		t.Errorf("exists info %q", res[3].Info)
	}
	_, err = db.AddFriends(ctx, recording, im.FriendAdd{From: "nobody", Items: []im.FriendItem{item("bob")}})
	wantCode(t, "AddFriends from nobody", err, 30003)

	imp := item("carol", "L", "M")
	imp.Remark, imp.RemarkTime, imp.AddWording, imp.AddTime = "c", 7, "w", time.Unix(1420000001, 0)
	imp.Custom = []im.CustomItem{{Tag: "Tag_SNS_Custom_A", Value: json.RawMessage(`"x"`)}}
	if res, err = db.ImportFriends(ctx, recording, "alice", []im.FriendItem{imp, item("carol")}); err != nil {
		t.Fatal(err)
	}
	if got := codes(res); !slices.Equal(got, []int{0, 30001}) {
		t.Fatalf("ImportFriends codes %v", got)
	}
	if got := seqs(t, db, "alice"); got != [3]int64{2, 2, 1} {
		t.Fatalf("alice's sequences %v, want [2 2 1]", got)
	}
	if got := seqs(t, db, "bob"); got != [3]int64{0, 1, 0} {
		t.Fatalf("bob's sequences %v, want [0 1 0]", got)
	}
}

// checkAliceFriends checks alice's friends bob and carol read back as
// addAndImportFriends stored them.
func checkAliceFriends(t *testing.T, db *sqlstore.DB) {
	p, err := db.Friends(context.Background(), gapp, "alice", 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2 || len(p.Friends) != 2 {
		t.Fatalf("Friends %+v", p)
	}
	b, c := p.Friends[0], p.Friends[1]
	if b.UserID != "bob" || !slices.Equal(b.Lists, []string{"L"}) || b.AddSource != "AddSource_Type_Test" || !b.AddTime.Equal(time.UnixMilli(fixedMs).Truncate(time.Second)) {
		t.Errorf("bob %+v", b)
	}
	if c.UserID != "carol" || c.Remark != "c" || c.RemarkTime != 7 || c.AddWording != "w" || c.AddTime.Unix() != 1420000001 ||
		!slices.Equal(c.Lists, []string{"L", "M"}) || len(c.Custom) != 1 || string(c.Custom[0].Value) != `"x"` {
		t.Errorf("carol %+v", c)
	}
}

// checkAliceRelations checks CheckFriends both ways and one way.
func checkAliceRelations(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	rel, err := db.CheckFriends(ctx, gapp, "alice", []string{"bob", "carol", "dave", ""}, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rel, []string{im.RelationBoth, im.RelationAWithB, im.RelationNone, im.RelationNone}) {
		t.Errorf("CheckFriends %v", rel)
	}
	if rel, _ = db.CheckFriends(ctx, gapp, "carol", []string{"alice"}, true); rel[0] != im.RelationBWithA {
		t.Errorf("carol and alice: %v", rel)
	}
	if rel, _ = db.CheckFriends(ctx, gapp, "carol", []string{"alice"}, false); rel[0] != im.RelationNone {
		t.Errorf("carol and alice, one way: %v", rel)
	}
}

// deleteAliceFriends deletes carol, dave (no friend) and bob from alice's
// friends one way: bob keeps alice.
func deleteAliceFriends(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	res, err := db.DeleteFriends(ctx, recording, "alice", []string{"carol", "dave", "bob"}, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := codes(res); !slices.Equal(got, []int{0, 31704, 0}) {
		t.Fatalf("DeleteFriends codes %v", got)
	}
	if got := seqs(t, db, "alice"); got != [3]int64{3, 3, 2} {
		t.Fatalf("alice's sequences after the delete %v, want [3 3 2]", got)
	}
	if rel, _ := db.CheckFriends(ctx, gapp, "alice", []string{"bob"}, true); rel[0] != im.RelationBWithA {
		t.Errorf("bob keeps alice: %v", rel)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

// Ensure lists are created up to 32, deleted all or none, and that
// account_delete removes a user's whole relationship chain and its place in
// others', moving their sequences.
func TestSNSService_ListsAndCascade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		if _, err := db.AddFriends(ctx, quiet, im.FriendAdd{From: "alice", Both: true, Force: true, Items: []im.FriendItem{item("bob"), item("carol")}}); err != nil {
			t.Fatal(err)
		}
		addAndDeleteAliceLists(t, db)
		deleteAccountCascades(t, db)
		if evs := bodies(t, db); len(evs) != 0 {
			t.Errorf("quiet ops recorded %v", evs)
		}
	})
}

// addAndDeleteAliceLists creates alice's lists a and b, refuses a 33rd
// list and deletes of a missing list or user, then deletes a.
func addAndDeleteAliceLists(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	seq, res, err := db.AddFriendLists(ctx, quiet, "alice", []string{"a", "b", "a"}, []string{"bob", "nobody"})
	if err != nil || seq != 1 || !slices.Equal(codes(res), []int{0, 32216}) {
		t.Fatalf("AddFriendLists: %d %v %v", seq, codes(res), err)
	}
	if seq, _, err = db.AddFriendLists(ctx, quiet, "alice", []string{"a"}, []string{"carol"}); err != nil || seq != 1 {
		t.Fatalf("AddFriendLists of an existing list: %d %v", seq, err)
	}
	_, _, err = db.AddFriendLists(ctx, quiet, "alice", append([]string{"a"}, "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9",
		"d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8", "d9", "e0", "e1", "e2", "e3", "e4", "e5", "e6", "e7", "e8", "e9", "f"), nil)
	wantCode(t, "a 33rd list", err, 30011)

	_, err = db.DeleteFriendLists(ctx, quiet, "alice", []string{"a", "zz"})
	wantCode(t, "DeleteFriendLists of a missing list", err, 30001)
	_, err = db.DeleteFriendLists(ctx, quiet, "nobody", []string{"a"})
	wantCode(t, "DeleteFriendLists of nobody", err, 30003)
	seq, lists, err := db.FriendLists(ctx, gapp, "alice", nil, true)
	if err != nil || seq != 1 || len(lists) != 2 || lists[0].Name != "a" || lists[0].Count != 1 || !slices.Equal(lists[0].Members, []string{"bob"}) {
		t.Fatalf("FriendLists %d %+v %v", seq, lists, err)
	}
	if seq, err = db.DeleteFriendLists(ctx, quiet, "alice", []string{"a", "a"}); err != nil || seq != 2 {
		t.Fatalf("DeleteFriendLists: %d %v", seq, err)
	}
	if _, lists, _ = db.FriendLists(ctx, gapp, "alice", []string{"a", "b"}, false); len(lists) != 1 || lists[0].Name != "b" {
		t.Fatalf("after the delete: %+v", lists)
	}
}

// deleteAccountCascades deletes alice, who is in a list of bob's: she
// leaves it and every relationship, bob's sequences move, and alice
// imported again starts with nothing.
func deleteAccountCascades(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	if _, _, err := db.AddFriendLists(ctx, quiet, "bob", []string{"x"}, []string{"alice", "carol"}); err != nil {
		t.Fatal(err)
	}
	bobBefore := seqs(t, db, "bob")
	existed, err := db.DeleteAccounts(ctx, gapp, []string{"alice"})
	if err != nil || !existed[0] {
		t.Fatal(existed, err)
	}
	if got := seqs(t, db, "bob"); got != [3]int64{bobBefore[0] + 1, bobBefore[1] + 1, bobBefore[2]} {
		t.Errorf("bob's sequences %v, were %v", got, bobBefore)
	}
	if _, lists, _ := db.FriendLists(ctx, gapp, "bob", nil, true); len(lists) != 1 || lists[0].Count != 0 {
		t.Errorf("bob's lists %+v", lists)
	}
	if rel, _ := db.CheckFriends(ctx, gapp, "carol", []string{"alice"}, true); rel[0] != im.RelationNone {
		t.Errorf("carol and alice: %v", rel)
	}
	if err := db.ImportAccounts(ctx, gapp, []im.AccountImport{{UserID: "alice"}}); err != nil {
		t.Fatal(err)
	}
	if got := seqs(t, db, "alice"); got != [3]int64{} {
		t.Errorf("re-imported alice's sequences %v", got)
	}
	if p, _ := db.Friends(ctx, gapp, "alice", 0, 10); p.Total != 0 {
		t.Errorf("re-imported alice has %d friends", p.Total)
	}
}

// Ensure a friend_get read takes the sequences before the rows (decisions
// §4.6): while friends are imported one per call, each moving alice's
// StandardSequence by one, every page read counts at least as many friends
// as its StandardSequence says were added, never fewer. On PostgreSQL each
// statement of a read sees the commits before it, so reading the rows
// first would answer sequences newer than its rows.
func TestSNSService_ReadsNeverOlderThanSequences(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		const n = 150
		ids := []string{"alice"}
		for i := range n {
			ids = append(ids, "f"+jsonInt(int64(1000+i)))
		}
		db := openGroupDB(t, dsn, ids...)
		ctx := context.Background()
		if s := seqs(t, db, "alice"); s[1] != 0 {
			t.Fatalf("StandardSequence %d before any friend, want 0", s[1])
		}
		done := make(chan error, 1)
		go func() {
			for _, id := range ids[1:] {
				if _, err := db.ImportFriends(ctx, quiet, "alice", []im.FriendItem{item(id)}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		reads := 0
		for {
			select {
			case err := <-done:
				if err != nil {
					t.Fatal(err)
				}
				if reads < 10 {
					t.Logf("only %d reads raced the imports", reads)
				}
				return
			default:
			}
			p, err := db.Friends(ctx, gapp, "alice", 0, 1)
			if err != nil {
				t.Fatal(err)
			}
			reads++
			if int64(p.Total) < p.Standard {
				t.Fatalf("a read answered StandardSequence %d with %d friends: rows older than the sequence", p.Standard, p.Total)
			}
		}
	})
}
