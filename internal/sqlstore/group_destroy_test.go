package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure DestroyGroup removes the group and its memberships in one go,
// records exactly one event with the members in joining order (none listed
// for a Community, Owner_Account "" without owner) and the dismissing
// Operator_Account, is 10010 afterwards, and records nothing for an app that
// does not record that command.
func TestGroupService_Destroy(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice", "carol"))
		if _, err := db.AddMembers(ctx, quiet, "G", []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		mustCreate(t, db, quiet, newGroup("@TGS#_C", im.GroupCommunity, "alice", "bob"))
		mustCreate(t, db, quiet, newGroup("NoOwner", im.GroupPrivate, "", "bob"))
		mustCreate(t, db, quiet, newGroup("Quiet", im.GroupPrivate, "alice"))
		mustCreate(t, db, quiet, newGroup("Keep", im.GroupPublic, "alice", "bob", "carol"))

		// Operator_Account is whoever dismissed the group.
		otherAdmin := recording
		otherAdmin.Operator = "admin2"
		for _, id := range []string{"G", "@TGS#_C", "NoOwner"} {
			op := recording
			if id == "NoOwner" {
				op = otherAdmin
			}
			wantCode(t, "destroy "+id, db.DestroyGroup(ctx, op, id), 0)
			wantCode(t, "destroy again "+id, db.DestroyGroup(ctx, op, id), im.CodeGroupNotFound)
		}
		// Only creation and membership events are enabled: no dismissal event.
		createOnly := im.Op{App: &im.App{SDKAppID: gapp, Callback: im.CallbackConfig{URL: "http://127.0.0.1:1/cb",
			Commands: []string{im.CallbackAfterCreateGroup}}}, Operator: "administrator"}
		wantCode(t, "destroy Quiet", db.DestroyGroup(ctx, createOnly, "Quiet"), 0)
		wantCode(t, "destroy unknown", db.DestroyGroup(ctx, recording, "nosuch"), im.CodeGroupNotFound)

		want := []string{
			`{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","EventTime":1767323045000,"GroupId":"G",` +
				`"MemberList":[{"Member_Account":"alice"},{"Member_Account":"carol"},{"Member_Account":"bob"}],"Name":"n-G","Operator_Account":"administrator","Owner_Account":"alice","Type":"Public"}`,
			`{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","EventTime":1767323045000,"GroupId":"@TGS#_C","Name":"n-@TGS#_C","Operator_Account":"administrator","Owner_Account":"alice","Type":"Community"}`,
			`{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","EventTime":1767323045000,"GroupId":"NoOwner",` +
				`"MemberList":[{"Member_Account":"bob"}],"Name":"n-NoOwner","Operator_Account":"admin2","Owner_Account":"","Type":"Private"}`,
		}
		if got := bodies(t, db); strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		evs, _ := db.Events(ctx, gapp)
		for i, id := range []string{"G", "@TGS#_C", "NoOwner"} {
			if evs[i].Key != id || evs[i].Command != im.CallbackAfterGroupDestroyed {
				t.Fatalf("event %d: key %q command %q", i, evs[i].Key, evs[i].Command)
			}
		}

		groups, _, err := db.FindGroups(ctx, gapp, []string{"G", "@TGS#_C", "NoOwner", "Quiet", "Keep"}, false)
		if err != nil {
			t.Fatal(err)
		}
		for i, g := range groups {
			if (g != nil) != (i == 4) {
				t.Fatalf("group %d after dismissals: %+v", i, g)
			}
		}
		for _, user := range []string{"alice", "bob", "carol"} {
			total, js, err := db.JoinedGroups(ctx, gapp, user, im.JoinedFilter{WithHugeGroups: true})
			if err != nil || total != 1 || len(js) != 1 || js[0].Group.GroupID != "Keep" {
				t.Fatalf("%s's groups: %d %+v %v", user, total, js, err)
			}
		}
		if _, _, _, err := db.Members(ctx, gapp, "G", im.MemberFilter{}); im.ErrorCode(err) != im.CodeGroupNotFound {
			t.Fatalf("members of a dismissed group: %v", err)
		}
		if total, _, _, _ := db.AppGroups(ctx, gapp, im.GroupListFilter{Limit: 10}); total != 1 {
			t.Fatalf("TotalCount %d", total)
		}
		// The id is free again; the new group starts empty.
		mustCreate(t, db, quiet, newGroup("G", im.GroupChatRoom, "carol"))
		if got, _ := memberIDs(t, db, "G", im.MemberFilter{}); strings.Join(got, ",") != "carol:Owner" {
			t.Fatalf("reused G: %v", got)
		}
	})
}

// Ensure concurrent dismissals of one group on one store let exactly one
// through and record one event.
func TestGroupService_DestroyConcurrent(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob")
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice", "bob"))
		codes := make([]int, 16)
		var wg sync.WaitGroup
		for i := range codes {
			wg.Go(func() { codes[i] = im.ErrorCode(db.DestroyGroup(ctx, recording, "G")) })
		}
		wg.Wait()
		slices.Sort(codes)
		if codes[0] != 0 || codes[1] != im.CodeGroupNotFound || codes[len(codes)-1] != im.CodeGroupNotFound {
			t.Fatalf("codes %v", codes)
		}
		if n := len(bodies(t, db)); n != 1 {
			t.Fatalf("%d events", n)
		}
	})
}

// Ensure deleting accounts takes them out of every group and keeps the
// member counts, leaves their groups without owner, and records nothing.
func TestGroupService_AccountDeleteCascade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		mustCreate(t, db, quiet, newGroup("G1", im.GroupPublic, "alice", "bob", "carol"))
		mustCreate(t, db, quiet, newGroup("G2", im.GroupCommunity, "bob", "alice"))
		mustCreate(t, db, quiet, newGroup("Other", im.GroupPublic, "carol"))

		if _, err := db.DeleteAccounts(ctx, gapp, []string{"bob", "alice"}); err != nil {
			t.Fatal(err)
		}
		groups, members, err := db.FindGroups(ctx, gapp, []string{"G1", "G2", "Other"}, true)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for i, g := range groups {
			s := g.GroupID + " owner=" + g.Owner + " n=" + itoa(g.MemberNum) + ":"
			for _, m := range members[i] {
				s += " " + m.UserID + "/" + m.Role
			}
			got = append(got, s)
		}
		if want := "G1 owner= n=1: carol/Member|G2 owner= n=0:|Other owner=carol n=1: carol/Owner"; strings.Join(got, "|") != want {
			t.Fatalf("after deleting alice and bob:\n got %s\nwant %s", strings.Join(got, "|"), want)
		}
		// A re-imported id starts without groups.
		if err := db.ImportAccounts(ctx, gapp, []im.AccountImport{{UserID: "bob"}}); err != nil {
			t.Fatal(err)
		}
		if total, _, err := db.JoinedGroups(ctx, gapp, "bob", im.JoinedFilter{WithHugeGroups: true}); err != nil || total != 0 {
			t.Fatalf("re-imported bob: %d %v", total, err)
		}
		if n := len(bodies(t, db)); n != 0 {
			t.Fatalf("cascade recorded %d events", n)
		}
		// An ownerless group still takes member changes, and ChangeOwner
		// gives it an owner again.
		wantCode(t, "delete carol", db.DeleteMembers(ctx, recording, "G1", []string{"carol"}), 0)
		if _, err := db.AddMembers(ctx, quiet, "G1", []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "change owner", db.ChangeOwner(ctx, quiet, "G1", "bob"), 0)
		if got, _ := memberIDs(t, db, "G1", im.MemberFilter{}); strings.Join(got, ",") != "bob:Owner" {
			t.Fatalf("G1: %v", got)
		}
	})
}

// Ensure UpdateGroup and ChangeOwner change what FindGroups shows, bump
// InfoSeq, and refuse what docs/decisions.md §3.6 and §3.7 refuse.
func TestGroupService_UpdateAndChangeOwner(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		ng := newGroup("G", im.GroupPublic, "alice", "bob")
		ng.AppDefined = []im.KV{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}
		mustCreate(t, db, quiet, ng)
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))

		name, on, limit := "renamed", true, 10
		wantCode(t, "update", db.UpdateGroup(ctx, recording, "G", im.GroupUpdate{Name: &name, MuteAll: &on, MaxMemberNum: &limit,
			AppDefined: []im.KV{{Key: "a", Value: ""}, {Key: "b", Value: "two"}, {Key: "c", Value: "3"}, {Key: "z", Value: ""}}}), 0)
		over, under := 2001, 1
		wantCode(t, "over cap", db.UpdateGroup(ctx, recording, "G", im.GroupUpdate{MaxMemberNum: &over}), im.CodeGroupInvalid)
		wantCode(t, "under members", db.UpdateGroup(ctx, recording, "G", im.GroupUpdate{MaxMemberNum: &under}), im.CodeGroupInvalid)
		var many []im.KV
		for i := range 19 {
			many = append(many, im.KV{Key: "k" + itoa(i), Value: "v"})
		}
		wantCode(t, "21 keys", db.UpdateGroup(ctx, recording, "G", im.GroupUpdate{AppDefined: many}), im.CodeGroupInvalid)
		wantCode(t, "update unknown", db.UpdateGroup(ctx, recording, "nosuch", im.GroupUpdate{Name: &name}), im.CodeGroupNotFound)

		wantCode(t, "owner not member", db.ChangeOwner(ctx, recording, "G", "carol"), im.CodeGroupInvalid)
		wantCode(t, "owner not imported", db.ChangeOwner(ctx, recording, "G", "ghost"), im.CodeGroupAccountNotFound)
		wantCode(t, "owner of AVChatRoom", db.ChangeOwner(ctx, recording, "Live", "alice"), im.CodeGroupForbidden)
		wantCode(t, "owner of unknown", db.ChangeOwner(ctx, recording, "nosuch", "bob"), im.CodeGroupNotFound)
		wantCode(t, "change owner", db.ChangeOwner(ctx, recording, "G", "bob"), 0)

		groups, members, err := db.FindGroups(ctx, gapp, []string{"G"}, true)
		if err != nil {
			t.Fatal(err)
		}
		g := groups[0]
		if g.Name != "renamed" || !g.MuteAll || g.MaxMemberNum != 10 || g.InfoSeq != 3 || g.Owner != "bob" ||
			!slices.Equal(g.AppDefined, []im.KV{{Key: "b", Value: "two"}, {Key: "c", Value: "3"}}) {
			t.Fatalf("group %+v", g)
		}
		if len(members[0]) != 2 || members[0][0].Role != im.RoleMember || members[0][1].Role != im.RoleOwner {
			t.Fatalf("members %+v", members[0])
		}
		// Only the updates that named the name, introduction, notification
		// or face URL record Group.CallbackAfterGroupInfoChanged.
		if bs := bodies(t, db); len(bs) != 1 || !strings.Contains(bs[0], `"CallbackCommand":"Group.CallbackAfterGroupInfoChanged"`) ||
			!strings.Contains(bs[0], `"GroupId":"G","Name":"renamed","Operator_Account":`) {
			t.Fatalf("updates recorded %v", bs)
		}
	})
}

func itoa(n int) string { return jsonOf(n) }
