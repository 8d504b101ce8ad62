package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure the group administration methods change what Members shows, record
// Group.CallbackAfterMemberFieldChanged only for a role or a name card, and
// fail whole with their codes, changing nothing, on both databases.
func TestGroupAdminService_Members(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol", "dave")
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice", "bob", "carol"))
		mustCreate(t, db, quiet, newGroup("W", im.GroupPrivate, "alice", "bob"))
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		now := time.UnixMilli(fixedMs).Unix()
		admin, card, flag, hour := im.RoleAdmin, "bobby", "Discard", int64(3600)

		wantCode(t, "modify", db.ModifyMember(ctx, recording, "G", im.MemberUpdate{UserID: "bob", Role: &admin, NameCard: &card,
			MsgFlag: &flag, MuteFor: &hour, AppDefined: []im.KV{{Key: "k", Value: "v"}}}), 0)
		mute := int64(60)
		wantCode(t, "mute only", db.ModifyMember(ctx, recording, "G", im.MemberUpdate{UserID: "carol", MuteFor: &mute}), 0)
		owner := im.RoleMember
		wantCode(t, "owner's role", db.ModifyMember(ctx, recording, "G", im.MemberUpdate{UserID: "alice", Role: &owner}), im.CodeGroupInvalid)
		wantCode(t, "not member", db.ModifyMember(ctx, recording, "G", im.MemberUpdate{UserID: "dave", NameCard: &card}), im.CodeGroupInvalid)
		wantCode(t, "not imported", db.ModifyMember(ctx, recording, "G", im.MemberUpdate{UserID: "ghost", NameCard: &card}), im.CodeGroupAccountNotFound)
		wantCode(t, "AVChatRoom", db.ModifyMember(ctx, recording, "Live", im.MemberUpdate{UserID: "alice", NameCard: &card}), im.CodeGroupForbidden)
		wantCode(t, "Private mute", db.ModifyMember(ctx, recording, "W", im.MemberUpdate{UserID: "bob", MuteFor: &mute}), im.CodeGroupForbidden)
		wantCode(t, "unknown", db.ModifyMember(ctx, recording, "nosuch", im.MemberUpdate{UserID: "bob"}), im.CodeGroupNotFound)

		_, ms, _, err := db.Members(ctx, gapp, "G", im.MemberFilter{})
		if err != nil {
			t.Fatal(err)
		}
		bob := ms[1]
		if bob.Role != im.RoleAdmin || bob.NameCard != "bobby" || bob.MsgFlag != "Discard" || bob.MuteUntil != now+3600 ||
			!slices.Equal(bob.AppDefined, []im.KV{{Key: "k", Value: "v"}}) || ms[0].Role != im.RoleOwner || ms[2].MuteUntil != now+60 {
			t.Fatalf("members %+v", ms)
		}
		if bs := bodies(t, db); len(bs) != 1 || !strings.Contains(bs[0],
			`"GroupId":"G","Member_Account":"bob","NameCard":"bobby","Operator_Account":"administrator","Role":"Admin","Type":"Public"}`) {
			t.Fatalf("events %v", bs)
		}

		checkForbidSendMsg(t, db, now)

		roles, err := db.Roles(ctx, gapp, "G", []string{"carol", "alice", "dave", "bob", "ghost", "nul\x00"})
		if err != nil || !slices.Equal(roles, []string{"Member", "Owner", "NotMember", "Admin", "NotMember", "NotMember"}) {
			t.Fatalf("roles %v, %v", roles, err)
		}
		if _, err := db.Roles(ctx, gapp, "Live", []string{"alice"}); im.ErrorCode(err) != im.CodeGroupForbidden {
			t.Fatalf("AVChatRoom roles: %v", err)
		}
	})
}

// checkForbidSendMsg is TestGroupAdminService_Members' forbid_send_msg part,
// on its groups: bob muted for an hour and carol for a minute in G.
func checkForbidSendMsg(t *testing.T, db *sqlstore.DB, now int64) {
	t.Helper()
	ctx := context.Background()
	// forbid_send_msg: all members or nothing; 0 unmutes.
	wantCode(t, "mute with a non-member", db.MuteMembers(ctx, quiet, "G", []string{"carol", "dave"}, 0), im.CodeGroupInvalid)
	wantCode(t, "mute Private", db.MuteMembers(ctx, quiet, "W", []string{"bob"}, 10), im.CodeGroupForbidden)
	wantCode(t, "mute Private, not imported", db.MuteMembers(ctx, quiet, "W", []string{"bob", "ghost"}, 10), im.CodeGroupAccountNotFound)
	// An AVChatRoom keeps no members: any imported account is muted
	// in it, listed in UserID order.
	wantCode(t, "mute AVChatRoom", db.MuteMembers(ctx, quiet, "Live", []string{"dave", "bob"}, 10), 0)
	wantCode(t, "mute AVChatRoom, not imported", db.MuteMembers(ctx, quiet, "Live", []string{"carol", "ghost"}, 10), im.CodeGroupAccountNotFound)
	if muted, err := db.MutedMembers(ctx, gapp, "Live"); err != nil || !slices.Equal(muted, []im.MutedMember{{UserID: "bob", Until: now + 10}, {UserID: "dave", Until: now + 10}}) {
		t.Fatalf("muted in the AVChatRoom %v, %v", muted, err)
	}
	wantCode(t, "unmute AVChatRoom", db.MuteMembers(ctx, quiet, "Live", []string{"bob", "dave"}, 0), 0)
	if muted, err := db.MutedMembers(ctx, gapp, "Live"); err != nil || len(muted) != 0 {
		t.Fatalf("muted in the AVChatRoom after unmuting %v, %v", muted, err)
	}
	muted, err := db.MutedMembers(ctx, gapp, "G")
	if err != nil || !slices.Equal(muted, []im.MutedMember{{UserID: "bob", Until: now + 3600}, {UserID: "carol", Until: now + 60}}) {
		t.Fatalf("muted %v, %v", muted, err)
	}
	wantCode(t, "unmute", db.MuteMembers(ctx, quiet, "G", []string{"bob", "carol"}, 0), 0)
	wantCode(t, "forever", db.MuteMembers(ctx, quiet, "G", []string{"alice"}, im.MaxMuteSeconds), 0)
	if muted, err := db.MutedMembers(ctx, gapp, "G"); err != nil || !slices.Equal(muted, []im.MutedMember{{UserID: "alice", Until: now + im.MaxMuteSeconds}}) {
		t.Fatalf("muted %v, %v", muted, err)
	}
}

// Ensure ImportMembers keeps join times, roles and unread counts and
// records nothing, SetUnread sets an unread count, and both fail whole.
func TestGroupAdminService_Import(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice", "bob", "carol")
		ng := newGroup("Imp", im.GroupPublic, "alice")
		ng.Import, ng.CreateTime = true, 1500000000
		mustCreate(t, db, recording, ng)
		res, err := db.ImportMembers(ctx, recording, "Imp", []im.ImportMember{
			{UserID: "bob", Role: im.RoleAdmin, JoinTime: 1500000100, Unread: 7}, {UserID: "carol", Role: im.RoleMember}, {UserID: "bob", Role: im.RoleMember}})
		if err != nil || !slices.Equal(res, []im.AddResult{im.AddAdded, im.AddAdded, im.AddAlreadyMember}) {
			t.Fatalf("import %v, %v", res, err)
		}
		if _, err := db.ImportMembers(ctx, recording, "Imp", []im.ImportMember{{UserID: "ghost"}}); im.ErrorCode(err) != im.CodeGroupAccountNotFound {
			t.Fatalf("ghost: %v", err)
		}
		wantCode(t, "unread", db.SetUnread(ctx, gapp, "Imp", "carol", 12), 0)
		wantCode(t, "unread ghost", db.SetUnread(ctx, gapp, "Imp", "ghost", 1), im.CodeGroupAccountNotFound)
		groups, ms, err := db.FindGroups(ctx, gapp, []string{"Imp"}, true)
		if err != nil {
			t.Fatal(err)
		}
		if g := groups[0]; g.CreateTime.Unix() != 1500000000 || g.MemberNum != 3 {
			t.Fatalf("group %+v", g)
		}
		m := ms[0]
		if len(m) != 3 || m[0].JoinTime.Unix() != 1500000000 || m[1].JoinTime.Unix() != 1500000100 || m[1].Role != im.RoleAdmin ||
			m[1].Unread != 7 || m[2].Unread != 12 || m[2].JoinTime.UnixMilli() != fixedMs {
			t.Fatalf("members %+v", m)
		}
		if bs := bodies(t, db); len(bs) != 0 {
			t.Fatalf("imports recorded %v", bs)
		}
	})
}

// Ensure the global mute is kept per account, reads 0 once its period has
// ended, and refuses an account that is not imported.
func TestNoSpeakingService(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice")
		forever, hour, zero := int64(im.MaxMuteSeconds), int64(3600), int64(0)
		wantCode(t, "set", db.SetNoSpeaking(ctx, gapp, "alice", &forever, &hour), 0)
		if ns, err := db.GetNoSpeaking(ctx, gapp, "alice"); err != nil || ns != (im.NoSpeaking{C2C: forever, Group: hour}) {
			t.Fatalf("get %+v, %v", ns, err)
		}
		wantCode(t, "lift c2c", db.SetNoSpeaking(ctx, gapp, "alice", &zero, nil), 0)
		if ns, err := db.GetNoSpeaking(ctx, gapp, "alice"); err != nil || ns != (im.NoSpeaking{Group: hour}) {
			t.Fatalf("get %+v, %v", ns, err)
		}
		wantCode(t, "ghost", db.SetNoSpeaking(ctx, gapp, "ghost", &hour, nil), im.CodeConfigNoAccount)
		if _, err := db.GetNoSpeaking(ctx, gapp, "ghost"); im.ErrorCode(err) != im.CodeConfigNoAccount {
			t.Fatalf("get ghost: %v", err)
		}
	})
}
