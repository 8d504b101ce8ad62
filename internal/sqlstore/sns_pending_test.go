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

// setAllowType sets user's Tag_Profile_IM_AllowType.
func setAllowType(t *testing.T, db *sqlstore.DB, user, value string) {
	t.Helper()
	v, _ := json.Marshal(value)
	if err := db.SetProfile(context.Background(), quiet, user, []im.ProfileItem{{Tag: im.TagAllowType, Value: v}}); err != nil {
		t.Fatal(err)
	}
}

// pending renders the pending requests user sent or received as "from>to"
// with "+" for two-way.
func pending(t *testing.T, db *sqlstore.DB, user string) []string {
	t.Helper()
	reqs, err := db.FriendRequests(context.Background(), gapp, user)
	if err != nil {
		t.Fatal(err)
	}
	out := []string{}
	for _, r := range reqs {
		s := r.From + ">" + r.To
		if r.Both {
			s += "+"
		}
		out = append(out, s)
	}
	return out
}

// Ensure friend_add honours the peer's AllowType on both databases: an
// account that never set it and NeedConfirm store a pending request
// (30539, no row, no event, no sequence moved), DenyAny refuses (30516),
// AllowAny and ForceAddFlags add; a repeated request replaces the pending
// one, the friendship it asked for removes it, and account_delete removes
// the requests of and to the deleted account.
func TestSNSService_AllowType(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol", "dave", "erin")
		setAllowType(t, db, "carol", im.AllowTypeDenyAny)
		setAllowType(t, db, "dave", im.AllowTypeAllowAny)
		setAllowType(t, db, "erin", im.AllowTypeNeedConfirm)
		before := seqs(t, db, "alice")
		it := item("bob", "L")
		it.Remark, it.AddWording = "r", "hi"
		res, err := db.AddFriends(ctx, recording, im.FriendAdd{From: "alice", Both: true,
			Items: []im.FriendItem{it, item("carol"), item("dave"), item("erin")}})
		if err != nil || !slices.Equal(codes(res), []int{30539, 30516, 0, 30539}) {
			t.Fatalf("AddFriends %v %v", codes(res), err)
		}
		if got := seqs(t, db, "alice"); got[0] != before[0] || got[1] != before[1]+1 {
			t.Errorf("alice's sequences %v, were %v: only dave was added", got, before)
		}
		if evs := bodies(t, db); len(evs) != 1 {
			t.Errorf("events %v, want dave's Sns.CallbackFriendAdd only", evs)
		}
		reqs, err := db.FriendRequests(ctx, gapp, "bob")
		if err != nil || len(reqs) != 1 {
			t.Fatalf("bob's requests %v %v", reqs, err)
		}
		want := im.FriendRequest{From: "alice", To: "bob", Both: true, Remark: "r", List: "L",
			AddSource: "AddSource_Type_Test", AddWording: "hi", Time: time.UnixMilli(fixedMs).Truncate(time.Second)}
		if !reqs[0].Time.Equal(want.Time) || reqs[0].From != want.From || reqs[0].List != want.List || reqs[0].Remark != want.Remark ||
			reqs[0].AddWording != want.AddWording || reqs[0].AddSource != want.AddSource || !reqs[0].Both {
			t.Errorf("bob's request %+v, want %+v", reqs[0], want)
		}
		if rel, _ := db.CheckFriends(ctx, gapp, "alice", []string{"bob", "carol", "erin"}, true); slices.ContainsFunc(rel, func(r string) bool { return r != im.RelationNone }) {
			t.Errorf("relations %v after refused and pending adds", rel)
		}
		checkPendingLifecycle(t, db)
	})
}

// checkPendingLifecycle replaces, fulfils and cascades alice's pending
// requests to bob and erin.
func checkPendingLifecycle(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	// A repeated request, one-way now, replaces the pending one.
	if res, err := db.AddFriends(ctx, quiet, im.FriendAdd{From: "alice", Items: []im.FriendItem{item("bob")}}); err != nil || !slices.Equal(codes(res), []int{30539}) {
		t.Fatalf("repeated request %v %v", codes(res), err)
	}
	if got := pending(t, db, "alice"); !slices.Equal(got, []string{"alice>bob", "alice>erin+"}) {
		t.Errorf("alice's requests %v", got)
	}
	// ForceAddFlags bypasses AllowType, DenyAny too, and the friendship
	// made removes the request that asked for it.
	res, err := db.AddFriends(ctx, quiet, im.FriendAdd{From: "alice", Both: true, Force: true, Items: []im.FriendItem{item("bob"), item("carol")}})
	if err != nil || !slices.Equal(codes(res), []int{0, 0}) {
		t.Fatalf("forced %v %v", codes(res), err)
	}
	if got := pending(t, db, "bob"); len(got) != 0 {
		t.Errorf("bob's requests after the forced add %v", got)
	}
	// erin asks dave (AllowAny: added) and alice (the default: pending).
	if res, err = db.AddFriends(ctx, quiet, im.FriendAdd{From: "erin", Items: []im.FriendItem{item("alice")}}); err != nil || !slices.Equal(codes(res), []int{30539}) {
		t.Fatalf("erin's request %v %v", codes(res), err)
	}
	if got := pending(t, db, "alice"); !slices.Equal(got, []string{"alice>erin+", "erin>alice"}) {
		t.Errorf("alice's requests %v", got)
	}
	if _, err := db.DeleteAccounts(ctx, gapp, []string{"alice"}); err != nil {
		t.Fatal(err)
	}
	if got := pending(t, db, "erin"); len(got) != 0 {
		t.Errorf("erin's requests after alice's deletion %v", got)
	}
}
