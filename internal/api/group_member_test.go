package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure add_group_member, delete_group_member, get_group_member_info and
// change_group_owner answer as documented, record exactly the events of
// what changed, and that a failed call changes nothing.
func TestGroup_Members(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 300), "alice", "bob", "carol", "dave", "erin", "frank")...)
		h.create(`{"Type":"Public","GroupId":"G","Name":"g","Owner_Account":"alice","MemberList":[{"Member_Account":"bob","Role":"Admin"}]}`)
		h.create(`{"Type":"Private","GroupId":"Small","Name":"s","Owner_Account":"alice","MaxMemberCount":2}`)
		h.create(`{"Type":"AVChatRoom","GroupId":"Live","Name":"l","Owner_Account":"alice"}`)
		h.create(`{"Type":"Public","GroupId":"Big","Name":"b"}`)
		h.create(`{"Type":"Community","GroupId":"@TGS#_C","Name":"c","Owner_Account":"alice","MemberList":` + memberList("bob", "carol", "dave") + `}`)

		// The cases run in this order, each on what the earlier ones left.
		var cases []groupCase
		for _, part := range [][]groupCase{memberAddCases(), memberInfoCases(), memberDelCases(), memberOwnerCases()} {
			cases = append(cases, part...)
		}
		runGroupCases(t, h, cases)
	})
}

// addMembersBody is add_group_member's body adding ids to group.
func addMembersBody(group string, ids ...string) string {
	return `{"GroupId":"` + group + `","MemberList":` + memberList(ids...) + `}`
}

// delMembersBody is delete_group_member's body deleting ids from group.
func delMembersBody(group string, ids ...string) string {
	return `{"GroupId":"` + group + `","MemberToDel_Account":` + jstr(ids) + `}`
}

// gRolesBody is get_group_member_info's body listing G's members with
// their roles only, and extra fields.
func gRolesBody(extra string) string {
	return `{"GroupId":"G","MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":[]` + extra + `}`
}

// roleItem is a member as gRolesBody lists it.
func roleItem(id, role string) string { return `{"Member_Account":"` + id + `","Role":"` + role + `"}` }

// memberListWant is the MemberNum and MemberList of a reply listing items.
func memberListWant(n int, items ...string) string {
	return `"MemberNum":` + itoa(n) + `,"MemberList":[` + strings.Join(items, ",") + `]`
}

// memberAddCases are the add_group_member cases, with what G, Small and Big hold after them.
func memberAddCases() []groupCase {
	const info = "get_group_member_info"
	const join = im.CallbackAfterNewMemberJoin
	return []groupCase{
		{name: "Add/One", command: "add_group_member", body: addMembersBody("G", "carol"),
			want:  []string{`"MemberList":[{"Member_Account":"carol","Result":1}]`},
			event: join, evWant: []string{`"GroupId":"G"`, `"Type":"Public"`, `"JoinType":"Invited"`, `"Operator_Account":"administrator"`, `"NewMemberList":[{"Member_Account":"carol"}]`}},
		{name: "Add/Mixed", command: "add_group_member", body: addMembersBody("G", "carol", "dave", "dave", "alice", "erin"),
			want:  []string{`"MemberList":[{"Member_Account":"carol","Result":2},{"Member_Account":"dave","Result":1},{"Member_Account":"dave","Result":2},{"Member_Account":"alice","Result":2},{"Member_Account":"erin","Result":1}]`},
			event: join, evWant: []string{`"NewMemberList":[{"Member_Account":"dave"},{"Member_Account":"erin"}]`}},
		{name: "Add/AllMembersAlready", command: "add_group_member", body: addMembersBody("G", "bob", "carol"),
			want: []string{`"MemberList":[{"Member_Account":"bob","Result":2},{"Member_Account":"carol","Result":2}]`}},
		{name: "Add/Silence", command: "add_group_member", body: `{"GroupId":"G","Silence":1,"MemberList":[{"Member_Account":"frank"}]}`,
			want: []string{`"Result":1`}, event: join, evWant: []string{`"NewMemberList":[{"Member_Account":"frank"}]`}},
		{name: "Add/ErrNotImported", command: "add_group_member", body: addMembersBody("G", "u0", "ghost"), code: 10019},
		{name: "Add/ErrNULAccount", command: "add_group_member", body: addMembersBody("G", "u0", "a\x00b"), code: 10019},
		{name: "Add/ErrEmptyList", command: "add_group_member", body: addMembersBody("G"), code: 10004},
		{name: "Add/ErrNoList", command: "add_group_member", body: `{"GroupId":"G"}`, code: 10004},
		{name: "Add/ErrNoAccount", command: "add_group_member", body: `{"GroupId":"G","MemberList":[{}]}`, code: 10004},
		{name: "Add/ErrAccountType", command: "add_group_member", body: `{"GroupId":"G","MemberList":[{"Member_Account":5}]}`, code: 10004},
		{name: "Add/ErrSilenceType", command: "add_group_member", body: `{"GroupId":"G","Silence":"1","MemberList":[{"Member_Account":"u0"}]}`, code: 10004},
		{name: "Add/Err301", command: "add_group_member", body: addMembersBody("Big", users("u", 301)...), code: 10005},
		{name: "Add/300", command: "add_group_member", body: addMembersBody("Big", users("u", 300)...),
			want: []string{`{"Member_Account":"u299","Result":1}`}, event: join, evWant: []string{`{"Member_Account":"u0"},{"Member_Account":"u1"},`, `{"Member_Account":"u299"}]`}},
		{name: "Add/ErrAVChatRoom", command: "add_group_member", body: addMembersBody("Live", "bob"), code: 10007},
		{name: "Add/ErrSmallTwoOverCap", command: "add_group_member", body: addMembersBody("Small", "bob", "carol"), code: 10014},
		{name: "Add/SmallToCap", command: "add_group_member", body: addMembersBody("Small", "bob"), want: []string{`"Result":1`}, event: join},
		{name: "Add/SmallAlreadyMember", command: "add_group_member", body: addMembersBody("Small", "bob"), want: []string{`"Result":2`}},
		{name: "Add/ErrSmallFull", command: "add_group_member", body: addMembersBody("Small", "carol"), code: 10014},
		{name: "Add/SmallUnchanged", command: info, body: `{"GroupId":"Small","MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":[]}`,
			want: []string{memberListWant(2, roleItem("alice", "Owner"), roleItem("bob", "Member"))}},
		{name: "Add/BigCount", command: info, body: `{"GroupId":"Big","Limit":1}`, want: []string{`"MemberNum":300,`}},
	}
}

// memberInfoCases are the get_group_member_info cases, on G and the Community @TGS#_C.
func memberInfoCases() []groupCase {
	const info = "get_group_member_info"
	return []groupCase{
		{name: "Info/All", command: info, body: gRolesBody(""),
			want: []string{`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,` + memberListWant(6, roleItem("alice", "Owner"), roleItem("bob", "Admin"), roleItem("carol", "Member"), roleItem("dave", "Member"), roleItem("erin", "Member"), roleItem("frank", "Member")) + `}`}},
		{name: "Info/Default", command: info, body: `{"GroupId":"G","Limit":1}`,
			want: []string{`"MemberList":[{"Member_Account":"alice","Role":"Owner","JoinTime":`, `"MsgFlag":"AcceptAndNotify","LastSendMsgTime":0,"MuteUntil":0,"NameCard":"","AppMemberDefinedData":[]}]`}, absent: []string{`"Next"`}},
		{name: "Info/LimitOffset", command: info, body: gRolesBody(`,"Limit":2,"Offset":1`), want: []string{memberListWant(6, roleItem("bob", "Admin"), roleItem("carol", "Member"))}},
		{name: "Info/OffsetOnly", command: info, body: gRolesBody(`,"Offset":4`), want: []string{memberListWant(6, roleItem("erin", "Member"), roleItem("frank", "Member"))}},
		{name: "Info/OffsetPastEnd", command: info, body: gRolesBody(`,"Offset":6`), want: []string{`"MemberNum":6,"MemberList":[]`}},
		{name: "Info/Limit0MeansAll", command: info, body: gRolesBody(`,"Limit":0`), want: []string{`{"Member_Account":"frank","Role":"Member"}]`}},
		{name: "Info/Limit6000", command: info, body: gRolesBody(`,"Limit":6000`), want: []string{`"MemberNum":6`}},
		{name: "Info/RoleOwner", command: info, body: gRolesBody(`,"MemberRoleFilter":["Owner"]`), want: []string{memberListWant(6, roleItem("alice", "Owner"))}},
		{name: "Info/RoleAdmin", command: info, body: gRolesBody(`,"MemberRoleFilter":["Admin"]`), want: []string{memberListWant(6, roleItem("bob", "Admin"))}},
		{name: "Info/RoleOwnerMember", command: info, body: gRolesBody(`,"MemberRoleFilter":["Owner","Member"],"Limit":2,"Offset":1`),
			want: []string{memberListWant(6, roleItem("carol", "Member"), roleItem("dave", "Member"))}},
		{name: "Info/NextEmptyNonCommunity", command: info, body: gRolesBody(`,"Next":""`), absent: []string{`"Next"`}},
		{name: "Info/ErrNextNonCommunity", command: info, body: gRolesBody(`,"Next":"2"`), code: 10004},
		{name: "Info/ErrRole", command: info, body: gRolesBody(`,"MemberRoleFilter":["Boss"]`), code: 10004},
		{name: "Info/ErrLimit6001", command: info, body: gRolesBody(`,"Limit":6001`), code: 10004},
		{name: "Info/ErrLimitNegative", command: info, body: gRolesBody(`,"Limit":-1`), code: 10004},
		{name: "Info/ErrOffsetNegative", command: info, body: gRolesBody(`,"Offset":-1`), code: 10004},
		{name: "Info/ErrLimitType", command: info, body: gRolesBody(`,"Limit":"5"`), code: 10004},
		{name: "Info/ErrAVChatRoom", command: info, body: `{"GroupId":"Live"}`, code: 10007},
		{name: "Info/CommunityPage1", command: info, body: `{"GroupId":"@TGS#_C","Limit":2,"Next":"","MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":[]}`,
			want: []string{`"MemberNum":4,"MemberList":[` + roleItem("alice", "Owner") + `,` + roleItem("bob", "Member") + `],"Next":"2"}`}},
		{name: "Info/CommunityPage2", command: info, body: `{"GroupId":"@TGS#_C","Limit":2,"Next":"2","MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":[]}`,
			want: []string{`"MemberNum":4,"MemberList":[` + roleItem("carol", "Member") + `,` + roleItem("dave", "Member") + `],"Next":""}`}},
		{name: "Info/CommunityRoleFilter", command: info, body: `{"GroupId":"@TGS#_C","Limit":1,"Next":"","MemberRoleFilter":["Member"],"MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":[]}`,
			want: []string{`"MemberList":[` + roleItem("bob", "Member") + `],"Next":"2"}`}},
		{name: "Info/CommunityNoLimit", command: info, body: `{"GroupId":"@TGS#_C"}`, want: []string{`"Member_Account":"dave"`, `"Next":""}`}},
		{name: "Info/ErrCommunityBadNext", command: info, body: `{"GroupId":"@TGS#_C","Limit":2,"Next":"abc"}`, code: 10004},
		{name: "Info/ErrCommunityNegativeNext", command: info, body: `{"GroupId":"@TGS#_C","Limit":2,"Next":"-1"}`, code: 10004},
	}
}

// memberDelCases are the delete_group_member cases.
func memberDelCases() []groupCase {
	const info = "get_group_member_info"
	const exit = im.CallbackAfterMemberExit
	return []groupCase{
		{name: "Del/ErrOwner", command: "delete_group_member", body: delMembersBody("G", "bob", "alice"), code: 10004},
		{name: "Del/OwnerRefusalKeptBob", command: info, body: gRolesBody(`,"MemberRoleFilter":["Admin"]`), want: []string{memberListWant(6, roleItem("bob", "Admin"))}},
		{name: "Del/NonMembers", command: "delete_group_member", body: delMembersBody("G", "u0", "ghost", "a\x00b")},
		{name: "Del/Some", command: "delete_group_member", body: `{"GroupId":"G","Silence":1,"Reason":"kick reason","MemberToDel_Account":["dave","u1","dave","erin"]}`,
			event: exit, evWant: []string{`"GroupId":"G"`, `"Type":"Public"`, `"ExitType":"Kicked"`, `"Operator_Account":"administrator"`, `"ExitMemberList":[{"Member_Account":"dave"},{"Member_Account":"erin"}]`}},
		{name: "Del/Gone", command: info, body: gRolesBody(""), want: []string{memberListWant(4, roleItem("alice", "Owner"), roleItem("bob", "Admin"), roleItem("carol", "Member"), roleItem("frank", "Member"))}},
		{name: "Del/Again", command: "delete_group_member", body: delMembersBody("G", "dave")},
		{name: "Del/100NonMembers", command: "delete_group_member", body: delMembersBody("G", users("x", 100)...)},
		{name: "Del/Err101", command: "delete_group_member", body: delMembersBody("G", users("u", 101)...), code: 10005},
		{name: "Del/ErrEmpty", command: "delete_group_member", body: delMembersBody("G"), code: 10004},
		{name: "Del/ErrMissing", command: "delete_group_member", body: `{"GroupId":"G"}`, code: 10004},
		{name: "Del/ErrItemType", command: "delete_group_member", body: `{"GroupId":"G","MemberToDel_Account":["frank",1]}`, code: 10004},
		{name: "Del/ErrNotArray", command: "delete_group_member", body: `{"GroupId":"G","MemberToDel_Account":"frank"}`, code: 10004},
		{name: "Del/ErrAVChatRoom", command: "delete_group_member", body: delMembersBody("Live", "alice"), code: 10007},
		{name: "Del/Big100", command: "delete_group_member", body: delMembersBody("Big", users("u", 100)...),
			event: exit, evWant: []string{`"ExitMemberList":[{"Member_Account":"u0"},`}},
		{name: "Del/BigCount", command: info, body: `{"GroupId":"Big","Limit":1}`, want: []string{`"MemberNum":200,`, `"Member_Account":"u100"`}},
	}
}

// memberOwnerCases are the change_group_owner cases.
func memberOwnerCases() []groupCase {
	const info = "get_group_member_info"
	const exit = im.CallbackAfterMemberExit
	return []groupCase{
		{name: "Owner/ErrNotMember", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":"dave"}`, code: 10004},
		{name: "Owner/ErrNotImported", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":"ghost"}`, code: 10019},
		{name: "Owner/ErrNUL", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":"a\u0000"}`, code: 10019},
		{name: "Owner/ErrMissing", command: "change_group_owner", body: `{"GroupId":"G"}`, code: 10004},
		{name: "Owner/ErrEmpty", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":""}`, code: 10004},
		{name: "Owner/ErrType", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":["carol"]}`, code: 10004},
		{name: "Owner/ErrAVChatRoom", command: "change_group_owner", body: `{"GroupId":"Live","NewOwner_Account":"alice"}`, code: 10007},
		{name: "Owner/Unchanged", command: info, body: gRolesBody(`,"MemberRoleFilter":["Owner"]`), want: []string{memberListWant(4, roleItem("alice", "Owner"))}},
		{name: "Owner/OK", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":"carol"}`},
		{name: "Owner/Same", command: "change_group_owner", body: `{"GroupId":"G","NewOwner_Account":"carol"}`},
		{name: "Owner/Roles", command: info, body: gRolesBody(""), want: []string{memberListWant(4, roleItem("alice", "Member"), roleItem("bob", "Admin"), roleItem("carol", "Owner"), roleItem("frank", "Member"))}},
		{name: "Owner/Info", command: "get_group_info", body: `{"GroupIdList":["G"],"ResponseFilter":{"GroupBaseInfoFilter":["Owner_Account","MemberNum"]}}`,
			want: []string{`"Owner_Account":"carol","MemberNum":4}`}},
		{name: "Owner/ErrNewOwnerNotDeletable", command: "delete_group_member", body: delMembersBody("G", "carol"), code: 10004},
		{name: "Owner/OldOwnerDeletable", command: "delete_group_member", body: delMembersBody("G", "alice"),
			event: exit, evWant: []string{`"ExitMemberList":[{"Member_Account":"alice"}]`}},
		{name: "Owner/Community", command: "change_group_owner", body: `{"GroupId":"@TGS#_C","NewOwner_Account":"dave"}`},
	}
}

func itoa(n int) string { return jstr(n) }
