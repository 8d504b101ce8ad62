package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure modify_group_member_info changes what get_group_member_info shows,
// records Group.CallbackAfterMemberFieldChanged for a role or a name card
// (only the fields given), and refuses what Tencent refuses with its codes,
// changing nothing.
func TestGroupAdmin_ModifyMember(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"}]}`)
		h.create(`{"Owner_Account":"alice","Type":"Private","GroupId":"W","Name":"w","MemberList":[{"Member_Account":"bob"}]}`)
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		mod := func(name string, code int, fields string) groupCase {
			return groupCase{name: name, command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"bob",` + fields + `}`, code: code}
		}
		changed := "Group.CallbackAfterMemberFieldChanged"
		bob := `{"GroupId":"G","MemberInfoFilter":["Role","MsgFlag","NameCard","MuteUntil"],"AppDefinedDataFilter_GroupMember":["k1","k2"]}`
		runGroupCases(t, h, []groupCase{
			{name: "SetAdmin", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"bob","Role":"Admin"}`, event: changed,
				evWant: []string{`"GroupId":"G","Member_Account":"bob","Operator_Account":"administrator","Role":"Admin","Type":"Public"}`}},
			{name: "NameCard", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"bob","NameCard":"bobby"}`, event: changed,
				evWant: []string{`"Member_Account":"bob","NameCard":"bobby","Operator_Account":"administrator","Type":"Public"}`}},
			mod("MsgFlag", 0, `"MsgFlag":"AcceptNotNotify"`),
			mod("Defined", 0, `"AppMemberDefinedData":[{"Key":"k1","Value":"v1"},{"Key":"k2","Value":"v2"}]`),
			mod("DefinedDelete", 0, `"AppMemberDefinedData":[{"Key":"k2","Value":""}]`),
			mod("Mute", 0, `"ShutUpTime":3600`),
			{name: "Shows", command: "get_group_member_info", body: bob,
				want: []string{`{"Member_Account":"bob","Role":"Admin","MsgFlag":"AcceptNotNotify","MuteUntil":`, `"NameCard":"bobby","AppMemberDefinedData":[{"Key":"k1","Value":"v1"}]}`}},
			mod("Unmute", 0, `"ShutUpTime":0`),
			mod("MuteTimeAlias", 0, `"MuteTime":0`),
			{name: "NameCard50", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"bob","NameCard":"` + strings.Repeat("n", 50) + `"}`,
				event: changed},
			{name: "DemoteAndCard", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"bob","Role":"Member","NameCard":"b"}`,
				event: changed, evWant: []string{`"Member_Account":"bob","NameCard":"b","Operator_Account":"administrator","Role":"Member","Type":"Public"}`}},

			mod("ErrRoleOwner", 10004, `"Role":"Owner"`),
			mod("ErrRoleCase", 10004, `"Role":"admin"`),
			mod("ErrMsgFlag", 10004, `"MsgFlag":"Never"`),
			mod("ErrNameCard51", 10004, `"NameCard":"`+strings.Repeat("n", 51)+`"`),
			mod("ErrMuteNegative", 10004, `"ShutUpTime":-1`),
			mod("ErrMuteTooLong", 10004, `"ShutUpTime":4294967296`),
			mod("ErrDefinedValue65", 10004, `"AppMemberDefinedData":[{"Key":"k1","Value":"`+strings.Repeat("v", 65)+`"}]`),
			mod("ErrOneBadAmongGood", 10004, `"NameCard":"changed","MsgFlag":"Never"`),
			{name: "ErrNoMember", command: "modify_group_member_info", body: `{"GroupId":"G","NameCard":"x"}`, code: 10004},
			{name: "ErrNotMember", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"dave","NameCard":"x"}`, code: 10004},
			{name: "ErrNotImported", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"ghost","NameCard":"x"}`, code: 10019},
			{name: "ErrOwnerRole", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"alice","Role":"Member"}`, code: 10004},
			{name: "ErrAVChatRoom", command: "modify_group_member_info", body: `{"GroupId":"Live","Member_Account":"alice","NameCard":"x"}`, code: 10007},
			{name: "ErrPrivateMute", command: "modify_group_member_info", body: `{"GroupId":"W","Member_Account":"bob","ShutUpTime":60}`, code: 10007},
			{name: "PrivateCard", command: "modify_group_member_info", body: `{"GroupId":"W","Member_Account":"bob","NameCard":"w"}`, event: changed},
			{name: "ErrUnknownGroup", command: "modify_group_member_info", body: `{"GroupId":"nosuch","Member_Account":"bob"}`, code: 10010},
			{name: "OwnerCard", command: "modify_group_member_info", body: `{"GroupId":"G","Member_Account":"alice","NameCard":"boss"}`, event: changed},
			{name: "Unchanged", command: "get_group_member_info", body: bob,
				want: []string{`{"Member_Account":"bob","Role":"Member","MsgFlag":"AcceptNotNotify","MuteUntil":0,"NameCard":"b","AppMemberDefinedData":[{"Key":"k1","Value":"v1"}]}`}},
		})
	})
}

// Ensure forbid_send_msg mutes members until now plus ShutUpTime (MuteTime
// alike), that send_group_msg then refuses them with 10017, that
// get_group_muted_account and its older name list them, and that 0 lifts
// the mute; a refused call mutes nobody.
func TestGroupAdmin_ForbidSendMsg(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"}]}`)
		h.create(`{"Owner_Account":"alice","Type":"Work","GroupId":"W","Name":"w","MemberList":[{"Member_Account":"bob"}]}`)
		hello := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`
		random := 0
		send := func(name, from string, code int) groupCase {
			random++
			tc := groupCase{name: name, command: "send_group_msg", body: `{"GroupId":"G","From_Account":"` + from + `","Random":` +
				strconv.Itoa(random) + `,"MsgBody":` + hello + `}`, code: code}
			if code == 0 {
				tc.event = "Group.CallbackAfterSendMsg"
			}
			return tc
		}
		forbid := func(name string, code int, fields string) groupCase {
			return groupCase{name: name, command: "forbid_send_msg", body: `{"GroupId":"G",` + fields + `}`, code: code}
		}
		before := time.Now().Unix()
		runGroupCases(t, h, []groupCase{
			forbid("Mute", 0, `"Members_Account":["bob","carol"],"ShutUpTime":600`),
			send("BobMuted", "bob", 10017),
			send("AliceSpeaks", "alice", 0),
			{name: "Muted", command: "get_group_muted_account", body: `{"GroupId":"G"}`,
				want: []string{`"ErrorCode":0,"GroupId":"G","MutedAccountList":[{"Member_Account":"bob","MutedUntil":`, `{"Member_Account":"carol","MutedUntil":`}},
			{name: "Shutted", command: "get_group_shutted_uin", body: `{"GroupId":"G"}`,
				want: []string{`"ErrorCode":0,"GroupId":"G","ShuttedUinList":[{"Member_Account":"bob","ShuttedUntil":`}},
			forbid("UnmuteCarol", 0, `"Members_Account":["carol"],"MuteTime":0`),
			send("CarolSpeaks", "carol", 0),
			forbid("ErrNoTime", 10004, `"Members_Account":["bob"]`),
			forbid("ErrEmpty", 10004, `"Members_Account":[],"ShutUpTime":0`),
			forbid("ErrNegative", 10004, `"Members_Account":["bob"],"ShutUpTime":-1`),
			forbid("ErrTooLong", 10004, `"Members_Account":["bob"],"ShutUpTime":4294967296`),
			forbid("ErrNonMember", 10004, `"Members_Account":["bob","dave"],"ShutUpTime":0`),
			forbid("ErrNotImported", 10019, `"Members_Account":["bob","ghost"],"ShutUpTime":0`),
			forbid("Err501", 10005, `"Members_Account":`+jstr(users("u", 501))+`,"ShutUpTime":0`),
			send("BobStillMuted", "bob", 10017),
			{name: "ErrWork", command: "forbid_send_msg", body: `{"GroupId":"W","Members_Account":["bob"],"ShutUpTime":60}`, code: 10007},
			{name: "ErrUnknown", command: "get_group_muted_account", body: `{"GroupId":"nosuch"}`, code: 10010},
			forbid("Forever", 0, `"Members_Account":["bob"],"ShutUpTime":4294967295`),
			{name: "OnlyBob", command: "get_group_muted_account", body: `{"GroupId":"G"}`,
				want: []string{`"MutedAccountList":[{"Member_Account":"bob","MutedUntil":`}, absent: []string{"carol"}},
			forbid("Unmute", 0, `"Members_Account":["bob"],"ShutUpTime":0`),
			{name: "None", command: "get_group_muted_account", body: `{"GroupId":"G"}`, want: []string{`"MutedAccountList":[]`}},
		})
		// MutedUntil is unix seconds: now plus the period.
		h.MustCall(0, grp, "forbid_send_msg", `{"GroupId":"G","Members_Account":["bob"],"ShutUpTime":600}`)
		r := h.MustCall(0, grp, "get_group_muted_account", `{"GroupId":"G"}`)
		until, _ := r.M["MutedAccountList"].([]any)[0].(map[string]any)["MutedUntil"].(json.Number).Int64()
		if until < before+600 || until > time.Now().Unix()+600 {
			t.Fatalf("MutedUntil %d, want about %d", until, before+600)
		}
	})
}

// Ensure get_role_in_group answers each account's role in request order,
// NotMember for the others, and refuses an AVChatRoom (10007), an empty
// list (10004) and more than 500 accounts (10005).
func TestGroupAdmin_GetRoleInGroup(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g","MemberList":[{"Member_Account":"bob","Role":"Admin"},{"Member_Account":"carol"}]}`)
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		runGroupCases(t, h, []groupCase{
			{name: "Roles", command: "get_role_in_group", body: `{"GroupId":"G","User_Account":["carol","alice","dave","bob","ghost"]}`,
				want: []string{`"ErrorCode":0,"UserIdList":[{"Member_Account":"carol","Role":"Member"},{"Member_Account":"alice","Role":"Owner"},` +
					`{"Member_Account":"dave","Role":"NotMember"},{"Member_Account":"bob","Role":"Admin"},{"Member_Account":"ghost","Role":"NotMember"}]}`}},
			{name: "Max500", command: "get_role_in_group", body: `{"GroupId":"G","User_Account":` + jstr(users("u", 500)) + `}`},
			{name: "Err501", command: "get_role_in_group", body: `{"GroupId":"G","User_Account":` + jstr(users("u", 501)) + `}`, code: 10005},
			{name: "ErrEmpty", command: "get_role_in_group", body: `{"GroupId":"G","User_Account":[]}`, code: 10004},
			{name: "ErrAVChatRoom", command: "get_role_in_group", body: `{"GroupId":"Live","User_Account":["alice"]}`, code: 10007},
			{name: "ErrUnknown", command: "get_role_in_group", body: `{"GroupId":"nosuch","User_Account":["alice"]}`, code: 10010},
		})
	})
}

// Ensure import_group creates a group at its CreateTime without a
// callback, import_group_member adds members with their roles, join times
// and unread counts without callbacks, set_unread_msg_num sets a member's
// unread count (get_joined_group_list's SelfInfo.UnreadMsgNum), and each
// refuses what it must without changing anything.
func TestGroupAdmin_Import(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		self := func(user string) string {
			return `{"Member_Account":"` + user + `","ResponseFilter":{"GroupBaseInfoFilter":["CreateTime","MemberNum"],"SelfInfoFilter":["Role","JoinTime","UnreadMsgNum"]}}`
		}
		imp := func(name string, code int, members string) groupCase {
			return groupCase{name: name, command: "import_group_member", body: `{"GroupId":"Imp","MemberList":` + members + `}`, code: code}
		}
		future := strconv.FormatInt(time.Now().Unix()+3600, 10)
		runGroupCases(t, h, []groupCase{
			{name: "Group", command: "import_group", body: `{"Owner_Account":"alice","Type":"Public","GroupId":"Imp","Name":"old","CreateTime":1500000000}`,
				want: []string{`"ErrorCode":0,"GroupId":"Imp"}`}},
			{name: "GroupSDKZeroTime", command: "import_group", body: `{"Type":"Private","Name":"z","CreateTime":0}`, want: []string{`"GroupId":"@TGS#1`}},
			{name: "ErrGroupFuture", command: "import_group", body: `{"Type":"Public","Name":"f","GroupId":"F","CreateTime":` + future + `}`, code: 10004},
			{name: "ErrGroupAVChatRoom", command: "import_group", body: `{"Type":"AVChatRoom","Name":"a","GroupId":"A"}`, code: 10007},
			{name: "ErrGroupInUse", command: "import_group", body: `{"Type":"Public","Name":"again","GroupId":"Imp"}`, code: 10021},
			{name: "ErrGroupOwner", command: "import_group", body: `{"Owner_Account":"ghost","Type":"Public","Name":"g"}`, code: 10019},
			{name: "OwnerSince", command: "get_joined_group_list", body: self("alice"),
				want: []string{`"GroupId":"Imp","CreateTime":1500000000,"MemberNum":1,"SelfInfo":{"Role":"Owner","JoinTime":1500000000,"UnreadMsgNum":0}}`}},
			imp("Members", 0, `[{"Member_Account":"bob","Role":"Admin","JoinTime":1500000100,"UnreadMsgNum":7},{"Member_Account":"carol"},{"Member_Account":"bob"}]`),
			{name: "BobImported", command: "get_joined_group_list", body: self("bob"),
				want: []string{`"SelfInfo":{"Role":"Admin","JoinTime":1500000100,"UnreadMsgNum":7}}`}},
			imp("Again", 0, `[{"Member_Account":"carol","UnreadMsgNum":3}]`),
			imp("ErrRoleOwner", 10004, `[{"Member_Account":"dave","Role":"Owner"}]`),
			imp("ErrJoinFuture", 10004, `[{"Member_Account":"dave","JoinTime":`+future+`}]`),
			imp("ErrUnreadNegative", 10004, `[{"Member_Account":"dave","UnreadMsgNum":-1}]`),
			imp("ErrNoAccount", 10004, `[{"Role":"Admin"}]`),
			imp("ErrEmpty", 10004, `[]`),
			imp("ErrNotImported", 10019, `[{"Member_Account":"dave"},{"Member_Account":"ghost"}]`),
			imp("Err301", 10005, memberList(users("u", 301)...)),
			{name: "DaveNotAdded", command: "get_role_in_group", body: `{"GroupId":"Imp","User_Account":["dave"]}`, want: []string{`"Role":"NotMember"`}},
			{name: "Unread", command: "set_unread_msg_num", body: `{"GroupId":"Imp","Member_Account":"carol","UnreadMsgNum":12}`},
			{name: "CarolUnread", command: "get_joined_group_list", body: self("carol"), want: []string{`"UnreadMsgNum":12}`}},
			{name: "ErrUnreadMissing", command: "set_unread_msg_num", body: `{"GroupId":"Imp","Member_Account":"carol"}`, code: 10004},
			{name: "ErrUnreadNeg", command: "set_unread_msg_num", body: `{"GroupId":"Imp","Member_Account":"carol","UnreadMsgNum":-1}`, code: 10004},
			{name: "ErrUnreadNotMember", command: "set_unread_msg_num", body: `{"GroupId":"Imp","Member_Account":"dave","UnreadMsgNum":1}`, code: 10004},
			{name: "ErrUnreadGhost", command: "set_unread_msg_num", body: `{"GroupId":"Imp","Member_Account":"ghost","UnreadMsgNum":1}`, code: 10019},
			{name: "ErrUnreadGroup", command: "set_unread_msg_num", body: `{"GroupId":"nosuch","Member_Account":"carol","UnreadMsgNum":1}`, code: 10010},
			{name: "CarolUnchanged", command: "get_joined_group_list", body: self("carol"), want: []string{`"UnreadMsgNum":12}`}},
		})
	})
}

// Ensure a member muted when it leaves a group is muted again when it
// joins again, until the same moment, and that a mute that ran out
// meanwhile, an unmuted member, a deleted account and a state export
// and import are each what they should be.
func TestGroupAdmin_MuteOutlivesLeaving(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn, func(o *api.Options) { o.Clocks = &im.Clocks{} })
		h.importUsers("alice", "bob", "carol", "dave")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"},{"Member_Account":"dave"}]}`)
		send := groupSender(h, "G")
		leave := func(id string) {
			h.MustCall(0, grp, "delete_group_member", `{"GroupId":"G","MemberToDel_Account":["`+id+`"]}`)
		}
		join := func(id string) {
			t.Helper()
			if r := h.MustCall(0, grp, "add_group_member", `{"GroupId":"G","MemberList":[{"Member_Account":"`+id+`"}]}`); !strings.Contains(r.Raw, `"Result":1`) {
				t.Fatalf("add %s: %s", id, r)
			}
		}
		muted := func() string { return h.MustCall(0, grp, "get_group_muted_account", `{"GroupId":"G"}`).Raw }

		h.MustCall(0, grp, "forbid_send_msg", `{"GroupId":"G","Members_Account":["bob","carol"],"ShutUpTime":600}`)
		m := muted()
		i := strings.Index(m, `{"Member_Account":"bob"`)
		bobs := m[i : i+strings.IndexByte(m[i:], '}')+1]
		leave("bob")
		if m := muted(); strings.Contains(m, "bob") {
			t.Fatalf("bob left and is listed muted: %s", m)
		}
		join("bob")
		send("bob", 10017)
		if m := muted(); !strings.Contains(m, bobs) {
			t.Fatalf("muted after bob came back: %s, want %s as before he left", m, bobs)
		}
		leave("dave") // not muted: comes back free
		join("dave")
		send("dave", 0)

		// The mute a member left with travels with an export and import.
		leave("carol")
		doc := h.MustCall(0, "timd_control", "export", `{}`).Raw
		if !strings.Contains(doc, `"GroupOutsideMutes":[{"group_id":"G","mute_until":`) {
			t.Fatalf("export lacks carol's mute: %.400s", doc[strings.Index(doc, `"GroupAttrs"`):])
		}
		h.MustCall(0, "timd_control", "import", doc)
		// A mute that ran out while carol was away is not given back.
		h.MustCall(0, "timd_clock", "advance", `{"Seconds":700}`)
		join("carol")
		send("carol", 0)
		if m := muted(); strings.Contains(m, "carol") {
			t.Fatalf("carol's mute ran out and is listed: %s", m)
		}

		// A deleted account's mutes go with it.
		h.MustCall(0, grp, "forbid_send_msg", `{"GroupId":"G","Members_Account":["dave"],"ShutUpTime":600}`)
		leave("dave")
		h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"dave"}]}`)
		h.importUsers("dave")
		join("dave")
		send("dave", 0)
	})
}

// Ensure forbid_send_msg mutes accounts in an AVChatRoom, which keeps no
// member list: a muted account's send_group_msg is 10017 until the mute is
// lifted or runs out, get_group_muted_account lists the room's mutes, an
// account not imported is 10019 and nothing changes.
func TestGroupAdmin_MuteInAVChatRoom(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn, func(o *api.Options) { o.Clocks = &im.Clocks{} })
		h.importUsers("alice", "bob", "carol")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		send := groupSender(h, "Live")
		forbid := func(code int, ids string, secs int) {
			t.Helper()
			h.MustCall(code, grp, "forbid_send_msg", `{"GroupId":"Live","Members_Account":`+ids+`,"ShutUpTime":`+strconv.Itoa(secs)+`}`)
		}
		muted := func() string { return h.MustCall(0, grp, "get_group_muted_account", `{"GroupId":"Live"}`).Raw }

		forbid(0, `["carol","bob"]`, 600)
		send("bob", 10017)
		send("carol", 10017)
		send("alice", 0)
		if m := muted(); !strings.Contains(m, `"MutedAccountList":[{"Member_Account":"bob","MutedUntil":`) ||
			!strings.Contains(m, `},{"Member_Account":"carol","MutedUntil":`) {
			t.Fatalf("muted in the room: %s", m)
		}
		forbid(10019, `["alice","ghost"]`, 600)
		send("alice", 0)
		forbid(0, `["carol"]`, 0)
		send("carol", 0)
		send("bob", 10017)
		h.MustCall(0, "timd_clock", "advance", `{"Seconds":601}`)
		send("bob", 0)
		if m := muted(); !strings.Contains(m, `"MutedAccountList":[]`) {
			t.Fatalf("muted after every mute ended: %s", m)
		}
	})
}

// groupSender returns a function that sends a text message to the group
// as from, each with a Random of its own, and expects code.
func groupSender(h *Harness, group string) func(from string, code int) {
	random := 0
	return func(from string, code int) {
		h.tb.Helper()
		random++
		h.MustCall(code, grp, "send_group_msg", `{"GroupId":"`+group+`","From_Account":"`+from+`","Random":`+strconv.Itoa(random)+
			`,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	}
}
