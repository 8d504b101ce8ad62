package sqlstore_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// blackSeq reads a user's blocklist sequence.
func blackSeq(t *testing.T, db *sqlstore.DB, user string) int64 {
	t.Helper()
	p, err := db.Blacklist(context.Background(), gapp, user, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	return p.Seq
}

// Ensure the blocklist store blocks and unblocks with per-item outcomes,
// ends a friendship both ways, moves the blocklist sequence once per
// changing call, pages in the order of blocking, records the blocklist
// callbacks, and account_delete removes the rows naming the deleted user.
func TestSNSService_Blacklist(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol", "dave")
		if _, err := db.AddFriends(ctx, quiet, im.FriendAdd{From: "alice", Both: true, Force: true, Items: []im.FriendItem{item("bob")}}); err != nil {
			t.Fatal(err)
		}
		res, err := db.AddBlacklist(ctx, recording, "alice", []string{"bob", "bob", "alice", "nobody", "carol"})
		if err != nil {
			t.Fatal(err)
		}
		if got := codes(res); !slices.Equal(got, []int{0, 30001, 30001, 30003, 0}) {
			t.Fatalf("AddBlacklist codes %v", got)
		}
		_, err = db.AddBlacklist(ctx, recording, "nobody", []string{"bob"})
		wantCode(t, "AddBlacklist from nobody", err, 30003)
		if rel, _ := db.CheckFriends(ctx, gapp, "alice", []string{"bob"}, true); rel[0] != im.RelationNone {
			t.Errorf("alice and bob after blocking: %v", rel)
		}
		if _, err := db.AddBlacklist(ctx, quiet, "dave", []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		checkAliceBlacklist(t, db)
		if res, err = db.DeleteBlacklist(ctx, recording, "alice", []string{"bob", "dave"}); err != nil || !slices.Equal(codes(res), []int{0, 30001}) {
			t.Fatalf("DeleteBlacklist %v, %v", codes(res), err)
		}
		if got := blackSeq(t, db, "alice"); got != 2 {
			t.Errorf("alice's blocklist sequence %d, want 2", got)
		}
		want := []string{
			`{"CallbackCommand":"Sns.CallbackBlackListAdd","PairList":[{"From_Account":"alice","To_Account":"bob"},{"From_Account":"alice","To_Account":"carol"}],"EventTime":` + jsonInt(fixedMs) + `}`,
			`{"CallbackCommand":"Sns.CallbackFriendDelete","EventTime":` + jsonInt(fixedMs) + `,"PairList":[{"From_Account":"alice","To_Account":"bob"},{"From_Account":"bob","To_Account":"alice"}]}`,
			`{"CallbackCommand":"Sns.CallbackBlackListDelete","PairList":[{"From_Account":"alice","To_Account":"bob"}],"EventTime":` + jsonInt(fixedMs) + `}`,
		}
		if got := bodies(t, db); !slices.Equal(got, want) {
			t.Fatalf("events\n%v\nwant\n%v", got, want)
		}
		deleteBlockedAccount(t, db)
	})
}

// checkAliceBlacklist checks the relations and pages of alice's blocklist
// (bob and carol) with dave blocking her.
func checkAliceBlacklist(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	rel, err := db.CheckBlacklist(ctx, gapp, "alice", []string{"bob", "dave", "nobody"}, true)
	if err != nil || !slices.Equal(rel, []string{im.BlackRelationAWithB, im.BlackRelationBWithA, im.BlackRelationNone}) {
		t.Errorf("CheckBlacklist both %v, %v", rel, err)
	}
	if rel, _ = db.CheckBlacklist(ctx, gapp, "alice", []string{"dave"}, false); rel[0] != im.BlackRelationNone {
		t.Errorf("CheckBlacklist single %v", rel)
	}
	p, err := db.Blacklist(ctx, gapp, "alice", 0, 1)
	if err != nil || len(p.Items) != 1 || p.Items[0].UserID != "bob" || p.Next != 1 || p.Seq != 1 {
		t.Errorf("page 1 %+v, %v", p, err)
	}
	if p, _ = db.Blacklist(ctx, gapp, "alice", 1, 1); len(p.Items) != 1 || p.Items[0].UserID != "carol" || p.Next != 0 {
		t.Errorf("page 2 %+v", p)
	}
}

// deleteBlockedAccount deletes alice: her rows and dave's row naming her
// go, dave's sequence moves, and alice imported again has an empty
// blocklist.
func deleteBlockedAccount(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	daveBefore := blackSeq(t, db, "dave")
	if _, err := db.DeleteAccounts(ctx, gapp, []string{"alice"}); err != nil {
		t.Fatal(err)
	}
	if got := blackSeq(t, db, "dave"); got != daveBefore+1 {
		t.Errorf("dave's blocklist sequence %d, was %d", got, daveBefore)
	}
	if p, _ := db.Blacklist(ctx, gapp, "dave", 0, 10); len(p.Items) != 0 {
		t.Errorf("dave's blocklist %+v", p.Items)
	}
	if err := db.ImportAccounts(ctx, gapp, []im.AccountImport{{UserID: "alice"}}); err != nil {
		t.Fatal(err)
	}
	if p, _ := db.Blacklist(ctx, gapp, "alice", 0, 10); len(p.Items) != 0 || p.Seq != 0 {
		t.Errorf("re-imported alice's blocklist %+v", p)
	}
}

// Ensure friend_update replaces remarks, lists and custom fields per item
// and moves each sequence once; friend_delete_all empties the list.
func TestSNSService_UpdateAndDeleteAll(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		if _, err := db.AddFriends(ctx, quiet, im.FriendAdd{From: "alice", Both: true, Force: true, Items: []im.FriendItem{item("bob", "old")}}); err != nil {
			t.Fatal(err)
		}
		before := seqs(t, db, "alice")
		remark, lists := "r", []string{"new"}
		res, err := db.UpdateFriends(ctx, quiet, "alice", []im.FriendUpdate{
			{To: "bob", Remark: &remark, Lists: &lists, Custom: []im.CustomItem{{Tag: "Tag_SNS_Custom_A", Value: json.RawMessage(`1`)}}},
			{To: "carol", Remark: &remark},
		})
		if err != nil || !slices.Equal(codes(res), []int{0, 30001}) {
			t.Fatalf("UpdateFriends %v, %v", codes(res), err)
		}
		if got := seqs(t, db, "alice"); got != [3]int64{before[0] + 1, before[1] + 1, before[2] + 1} {
			t.Errorf("alice's sequences %v, were %v", got, before)
		}
		infos, err := db.FriendInfos(ctx, gapp, "alice", []string{"bob", "carol"})
		if err != nil || infos[1].Friend != nil || infos[0].Friend == nil {
			t.Fatalf("FriendInfos %+v, %v", infos, err)
		}
		if f := infos[0].Friend; f.Remark != "r" || !slices.Equal(f.Lists, []string{"new"}) || len(f.Custom) != 1 {
			t.Errorf("bob after update %+v", f)
		}
		if err := db.DeleteAllFriends(ctx, quiet, "alice", true); err != nil {
			t.Fatal(err)
		}
		if rel, _ := db.CheckFriends(ctx, gapp, "alice", []string{"bob"}, true); rel[0] != im.RelationNone {
			t.Errorf("alice and bob after delete_all: %v", rel)
		}
		err = db.DeleteAllFriends(ctx, quiet, "nobody", false)
		wantCode(t, "DeleteAllFriends of nobody", err, 30003)
	})
}
