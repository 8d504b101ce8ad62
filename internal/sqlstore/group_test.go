package sqlstore_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

const gapp = 1400000001

// fixedMs is MustOpenDB's clock in unix milliseconds.
var fixedMs = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMilli()

// recording is an op whose app records every event; quiet one that records
// none (no callback URL).
var (
	recording = im.Op{App: &im.App{SDKAppID: gapp, Callback: im.CallbackConfig{URL: "http://127.0.0.1:1/cb"}}, Operator: "administrator"}
	quiet     = im.Op{App: &im.App{SDKAppID: gapp}, Operator: "administrator"}
)

// openGroupDB opens a store with the given accounts imported in gapp.
func openGroupDB(t *testing.T, dsn string, ids ...string) *sqlstore.DB {
	t.Helper()
	db := MustOpenDB(t, dsn)
	var accts []im.AccountImport
	for _, id := range ids {
		accts = append(accts, im.AccountImport{UserID: id})
	}
	if err := db.ImportAccounts(context.Background(), gapp, accts); err != nil {
		t.Fatal(err)
	}
	return db
}

// newGroup describes a group as create_group's handler would: a custom id
// unless id is "", the type's member cap, plain members.
func newGroup(id, typ, owner string, members ...string) im.NewGroup {
	ng := im.NewGroup{Group: im.Group{GroupID: id, Type: typ, Name: "n-" + id, Owner: owner, MaxMemberNum: im.MemberCap(typ),
		ApplyJoin: "NeedPermission", InviteJoin: "FreeAccess"}, CustomID: id != ""}
	for _, m := range members {
		ng.Members = append(ng.Members, im.Member{UserID: m, Role: im.RoleMember})
	}
	return ng
}

func mustCreate(t *testing.T, db *sqlstore.DB, op im.Op, ng im.NewGroup) string {
	t.Helper()
	id, err := db.CreateGroup(context.Background(), op, ng)
	if err != nil {
		t.Fatalf("create %+v: %v", ng.Group, err)
	}
	return id
}

// wantCode fails unless err carries code (0: nil).
func wantCode(t *testing.T, what string, err error, code int) {
	t.Helper()
	if got := im.ErrorCode(err); got != code {
		t.Fatalf("%s: code %d (%v), want %d", what, got, err, code)
	}
}

// bodies returns the recorded events' bodies as strings, oldest first.
func bodies(t *testing.T, db *sqlstore.DB) []string {
	t.Helper()
	evs, err := db.Events(context.Background(), gapp)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = string(ev.Body)
		if ev.State != im.EventPending || !ev.CreatedAt.Equal(time.UnixMilli(fixedMs)) || ev.AppID != gapp {
			t.Fatalf("event %d: %+v", i, ev)
		}
	}
	return out
}

// memberIDs lists a group's members in joining order, as "id:Role".
func memberIDs(t *testing.T, db *sqlstore.DB, groupID string, f im.MemberFilter) ([]string, int64) {
	t.Helper()
	_, ms, next, err := db.Members(context.Background(), gapp, groupID, f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range ms {
		out = append(out, m.UserID+":"+m.Role)
	}
	return out, next
}

// Ensure CreateGroup stores what it is given under a fresh or custom id,
// fails whole with 10019, 10021 and 10014, and records its event.
func TestGroupService_Create(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		createWithFreshIDs(t, db)
		createAndReadBack(t, db)
		checkCreateEvent(t, db)
		createFailingWhole(t, db)

		// Ids are per app; an owner listed again as a member counts once.
		other := im.Op{App: &im.App{SDKAppID: gapp + 1}, Operator: "administrator"}
		mustCreate(t, db, other, newGroup("G", im.GroupPrivate, ""))
		mustCreate(t, db, quiet, newGroup("Dup", im.GroupPublic, "alice", "alice", "bob", "bob"))
		if got, _ := memberIDs(t, db, "Dup", im.MemberFilter{}); strings.Join(got, ",") != "alice:Owner,bob:Member" {
			t.Fatalf("Dup members %v", got)
		}
	})
}

// createWithFreshIDs creates a group of each type without an id and checks
// the id timd makes up: @TGS#, the type's character, eight more.
func createWithFreshIDs(t *testing.T, db *sqlstore.DB) {

	for typ, char := range map[string]string{"Private": "1", "Public": "2", "ChatRoom": "3", "AVChatRoom": "a", "Community": "_"} {
		id := mustCreate(t, db, quiet, newGroup("", typ, ""))
		if !regexp.MustCompile(`^@TGS#` + regexp.QuoteMeta(char) + `[A-Z0-9]{8}$`).MatchString(id) {
			t.Fatalf("%s: id %q", typ, id)
		}
	}
}

// createAndReadBack creates group G with every field set, recording its
// event, and checks FindGroups gives back what was stored, members only
// when asked.
func createAndReadBack(t *testing.T, db *sqlstore.DB) {

	ctx := context.Background()
	ng := newGroup("G", im.GroupPublic, "alice", "bob")
	ng.Members[0].Role = im.RoleAdmin
	ng.Members[0].AppDefined = []im.KV{{Key: "m", Value: "1"}}
	ng.Introduction, ng.Notification, ng.FaceURL, ng.MaxMemberNum = "i", "no", "http://f", 500
	ng.AppDefined = []im.KV{{Key: "k", Value: "abc\x00\x01"}, {Key: "k2", Value: ""}}
	mustCreate(t, db, recording, ng)

	groups, members, err := db.FindGroups(ctx, gapp, []string{"nosuch", "G"}, true)
	if err != nil {
		t.Fatal(err)
	}
	if groups[0] != nil || len(members[0]) != 0 {
		t.Fatalf("unknown group found: %+v", groups[0])
	}
	checkStoredGroup(t, groups[1], ng)
	checkStoredMembers(t, members[1])
	if _, noMembers, _ := db.FindGroups(ctx, gapp, []string{"G"}, false); len(noMembers[0]) != 0 {
		t.Fatalf("members read without asking: %+v", noMembers)
	}
}

// checkStoredGroup checks g is createAndReadBack's group ng as stored.
func checkStoredGroup(t *testing.T, g *im.Group, ng im.NewGroup) {
	t.Helper()
	at := time.UnixMilli(fixedMs)
	if g.GroupID != "G" || g.Type != "Public" || g.Name != "n-G" || g.Owner != "alice" || g.Introduction != "i" || g.Notification != "no" ||
		g.FaceURL != "http://f" || g.MemberNum != 2 || g.MaxMemberNum != 500 || g.InfoSeq != 1 || !g.CreateTime.Equal(at) || !g.LastInfoTime.Equal(at) ||
		g.ApplyJoin != "NeedPermission" || g.InviteJoin != "FreeAccess" || g.MuteAll || !slices.Equal(g.AppDefined, ng.AppDefined) {
		t.Fatalf("stored group %+v", g)
	}
}

// checkStoredMembers checks ms are createAndReadBack's members as stored.
func checkStoredMembers(t *testing.T, ms []im.Member) {
	t.Helper()
	at := time.UnixMilli(fixedMs)
	if len(ms) != 2 || ms[0].UserID != "alice" || ms[0].Role != im.RoleOwner || ms[1].UserID != "bob" || ms[1].Role != im.RoleAdmin ||
		ms[0].Seq != 1 || ms[1].Seq != 2 || !ms[1].JoinTime.Equal(at) || ms[1].MsgFlag != "AcceptAndNotify" ||
		!slices.Equal(ms[1].AppDefined, []im.KV{{Key: "m", Value: "1"}}) || ms[0].AppDefined == nil {
		t.Fatalf("stored members %+v", ms)
	}
}

// checkCreateEvent checks the one event recorded, createAndReadBack's:
// every documented field, EventTime in ms of the clock.
func checkCreateEvent(t *testing.T, db *sqlstore.DB) {

	evs := bodies(t, db)
	if len(evs) != 1 {
		t.Fatalf("events %v", evs)
	}
	var body map[string]any
	if err := json.Unmarshal([]byte(evs[0]), &body); err != nil {
		t.Fatal(err)
	}
	list := jsonOf(body["MemberList"])
	delete(body, "MemberList")
	if got, want := jsonOf(body), `{"CallbackCommand":"Group.CallbackAfterCreateGroup","EventTime":1767323045000,"GroupId":"G",`+
		`"Name":"n-G","Operator_Account":"administrator","Owner_Account":"alice","Type":"Public",`+
		`"UserDefinedDataList":[{"Key":"k","Value":"abc\u0000\u0001"},{"Key":"k2","Value":""}]}`; got != want {
		t.Fatalf("event\n got %s\nwant %s", got, want)
	}
	if !strings.HasSuffix(list, `{"Member_Account":"bob"}]`) {
		t.Fatalf("event MemberList %s", list)
	}
}

// createFailingWhole checks creates fail with 10021, 10019 and 10014 and
// leave neither a group nor an event.
func createFailingWhole(t *testing.T, db *sqlstore.DB) {

	ctx := context.Background()
	wantCode(t, "id in use", errOf(db.CreateGroup(ctx, recording, newGroup("G", im.GroupPrivate, ""))), im.CodeGroupIDInUse)
	wantCode(t, "owner not imported", errOf(db.CreateGroup(ctx, recording, newGroup("H", im.GroupPublic, "leckie"))), im.CodeGroupAccountNotFound)
	wantCode(t, "member not imported", errOf(db.CreateGroup(ctx, recording, newGroup("H", im.GroupPublic, "alice", "bob", "peter"))), im.CodeGroupAccountNotFound)
	wantCode(t, "member with NUL", errOf(db.CreateGroup(ctx, recording, newGroup("H", im.GroupPublic, "alice", "b\x00"))), im.CodeGroupAccountNotFound)
	small := newGroup("H", im.GroupPrivate, "alice", "bob", "carol")
	small.MaxMemberNum = 2
	wantCode(t, "over MaxMemberNum", errOf(db.CreateGroup(ctx, recording, small)), im.CodeGroupFull)
	if gs, _, _ := db.FindGroups(ctx, gapp, []string{"H"}, false); gs[0] != nil {
		t.Fatalf("failed creates left %+v", gs[0])
	}
	if n := len(bodies(t, db)); n != 1 {
		t.Fatalf("failed creates recorded %d events", n-1)
	}
}

func errOf(_ string, err error) error { return err }

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Ensure AddMembers and DeleteMembers change only what they report, keep
// MemberNum, record events naming exactly the members added or removed,
// and that Members pages by Offset or by join sequence.
func TestGroupService_Members(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol", "dave", "erin")
		mustCreate(t, db, recording, newGroup("G", im.GroupPublic, "alice", "bob"))
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		small := newGroup("Small", im.GroupPrivate, "alice")
		small.MaxMemberNum = 2
		mustCreate(t, db, quiet, small)
		n0 := len(bodies(t, db))

		res, err := db.AddMembers(ctx, recording, "G", []string{"carol", "bob", "dave", "carol"})
		if err != nil || !slices.Equal(res, []im.AddResult{im.AddAdded, im.AddAlreadyMember, im.AddAdded, im.AddAlreadyMember}) {
			t.Fatalf("add: %v %v", res, err)
		}
		res, err = db.AddMembers(ctx, recording, "G", []string{"bob"})
		if err != nil || !slices.Equal(res, []im.AddResult{im.AddAlreadyMember}) {
			t.Fatalf("add again: %v %v", res, err)
		}
		_, err = db.AddMembers(ctx, recording, "G", []string{"erin", "ghost"})
		wantCode(t, "add not imported", err, im.CodeGroupAccountNotFound)
		_, err = db.AddMembers(ctx, recording, "Live", []string{"bob"})
		wantCode(t, "add to AVChatRoom", err, im.CodeGroupForbidden)
		_, err = db.AddMembers(ctx, recording, "nosuch", []string{"bob"})
		wantCode(t, "add to unknown", err, im.CodeGroupNotFound)
		_, err = db.AddMembers(ctx, recording, "Small", []string{"bob", "carol"})
		wantCode(t, "add beyond cap", err, im.CodeGroupFull)

		wantCode(t, "delete owner", db.DeleteMembers(ctx, recording, "G", []string{"bob", "alice"}), im.CodeGroupInvalid)
		wantCode(t, "delete non-members", db.DeleteMembers(ctx, recording, "G", []string{"erin", "ghost", "x\x00"}), 0)
		wantCode(t, "delete from AVChatRoom", db.DeleteMembers(ctx, recording, "Live", []string{"alice"}), im.CodeGroupForbidden)
		wantCode(t, "delete from unknown", db.DeleteMembers(ctx, recording, "nosuch", []string{"bob"}), im.CodeGroupNotFound)
		if got, _ := memberIDs(t, db, "G", im.MemberFilter{}); strings.Join(got, ",") != "alice:Owner,bob:Member,carol:Member,dave:Member" {
			t.Fatalf("members %v", got)
		}
		wantCode(t, "delete", db.DeleteMembers(ctx, recording, "G", []string{"carol", "erin", "carol"}), 0)

		evs := bodies(t, db)[n0:]
		want := []string{
			`{"CallbackCommand":"Group.CallbackAfterNewMemberJoin","EventTime":1767323045000,"GroupId":"G","JoinType":"Invited",` +
				`"NewMemberList":[{"Member_Account":"carol"},{"Member_Account":"dave"}],"Operator_Account":"administrator","Type":"Public"}`,
			`{"CallbackCommand":"Group.CallbackAfterMemberExit","EventTime":1767323045000,"ExitMemberList":[{"Member_Account":"carol"}],` +
				`"ExitType":"Kicked","GroupId":"G","Operator_Account":"administrator","Type":"Public"}`,
		}
		if strings.Join(evs, "\n") != strings.Join(want, "\n") {
			t.Fatalf("events\n%s\nwant\n%s", strings.Join(evs, "\n"), strings.Join(want, "\n"))
		}

		// Paging: G now holds alice(1) bob(2) dave(4); add erin(5).
		if _, err := db.AddMembers(ctx, quiet, "G", []string{"erin"}); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			f    im.MemberFilter
			want string
			next int64
		}{
			{im.MemberFilter{}, "alice:Owner,bob:Member,dave:Member,erin:Member", 0},
			{im.MemberFilter{Limit: 2}, "alice:Owner,bob:Member", 2},
			{im.MemberFilter{Limit: 2, After: 2}, "dave:Member,erin:Member", 0},
			{im.MemberFilter{Limit: 1, After: 2}, "dave:Member", 4},
			{im.MemberFilter{Limit: 2, Offset: 1}, "bob:Member,dave:Member", 4},
			{im.MemberFilter{Offset: 3}, "erin:Member", 0},
			{im.MemberFilter{Offset: 9}, "", 0},
			{im.MemberFilter{Roles: []string{im.RoleMember}, Limit: 2}, "bob:Member,dave:Member", 4},
			{im.MemberFilter{Roles: []string{im.RoleOwner, im.RoleAdmin}}, "alice:Owner", 0},
		} {
			got, next := memberIDs(t, db, "G", tc.f)
			if strings.Join(got, ",") != tc.want || next != tc.next {
				t.Errorf("%+v: %v next %d, want %s next %d", tc.f, got, next, tc.want, tc.next)
			}
		}
		g, _, _, err := db.Members(ctx, gapp, "G", im.MemberFilter{Limit: 1})
		if err != nil || g.MemberNum != 4 {
			t.Fatalf("MemberNum: %+v %v", g, err)
		}
		_, _, _, err = db.Members(ctx, gapp, "Live", im.MemberFilter{})
		wantCode(t, "members of AVChatRoom", err, im.CodeGroupForbidden)
	})
}

// TestCreateGroup_ManyMembersInOrder creates a group whose members take
// several INSERTs (insertMembers writes 8 rows per statement): every member
// is stored once, in the order given after the owner, with its role.
func TestCreateGroup_ManyMembersInOrder(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ids := []string{"own"}
		var members []string
		for i := range 19 {
			members = append(members, fmt.Sprintf("m%02d", 18-i)) // not in byte order
		}
		db := openGroupDB(t, dsn, append(ids, members...)...)
		ng := newGroup("many", im.GroupPublic, "own", members...)
		ng.Members[3].Role = im.RoleAdmin
		mustCreate(t, db, quiet, ng)
		gs, ms, err := db.FindGroups(context.Background(), gapp, []string{"many"}, true)
		if err != nil || gs[0] == nil {
			t.Fatalf("%v %v", gs, err)
		}
		if gs[0].MemberNum != 20 || len(ms[0]) != 20 {
			t.Fatalf("MemberNum %d, %d members", gs[0].MemberNum, len(ms[0]))
		}
		want := append([]string{"own"}, members...)
		for i, m := range ms[0] {
			role := im.RoleMember
			switch i {
			case 0:
				role = im.RoleOwner
			case 4:
				role = im.RoleAdmin
			}
			if m.UserID != want[i] || m.Seq != int64(i+1) || m.Role != role {
				t.Errorf("member %d: %+v, want %s (seq %d, %s)", i, m, want[i], i+1, role)
			}
		}
	})
}
