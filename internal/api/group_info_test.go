package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
)

// objectKeys returns the member names of a JSON object in their order.
func objectKeys(t *testing.T, raw []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// Ensure get_group_info shows every documented field in the order of
// Tencent's sample, with the values create_group set, and that
// ResponseFilter narrows it down to what is asked for.
func TestGroup_Info(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob")
		start := time.Now().Unix()
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"TestGroup","Introduction":"This is group Introduction",` +
			`"Notification":"This is group Notification","FaceUrl":"http://this.is.face.url","MaxMemberCount":500,"ApplyJoinOption":"FreeAccess",` +
			`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}],` +
			`"MemberList":[{"Member_Account":"bob","Role":"Admin","AppMemberDefinedData":[{"Key":"MemberDefined1","Value":"MemberData1"},{"Key":"MemberDefined2","Value":"MemberData2"}]}]}`)
		end := time.Now().Unix()
		h.create(`{"Type":"AVChatRoom","GroupId":"Live","Name":"live","Owner_Account":"alice"}`)

		r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["G"]}`)
		var reply struct{ GroupInfo []json.RawMessage }
		if err := json.Unmarshal([]byte(r.Raw), &reply); err != nil || len(reply.GroupInfo) != 1 {
			t.Fatalf("%v: %s", err, r.Raw)
		}
		keys := strings.Join(objectKeys(t, reply.GroupInfo[0]), ",")
		if want := "GroupId,ErrorCode,ErrorInfo,Type,Name,Appid,Introduction,Notification,FaceUrl,Owner_Account,CreateTime,InfoSeq," +
			"LastInfoTime,LastMsgTime,NextMsgSeq,MemberNum,MaxMemberNum,ApplyJoinOption,InviteJoinOption,MuteAllMember,AppDefinedData,MemberList"; keys != want {
			t.Fatalf("fields %s\nwant   %s", keys, want)
		}
		g := r.M["GroupInfo"].([]any)[0].(map[string]any)
		created, _ := g["CreateTime"].(json.Number).Int64()
		if created < start || created > end || g["LastInfoTime"] != g["CreateTime"] {
			t.Fatalf("CreateTime %d outside [%d, %d] or LastInfoTime %v differs", created, start, end, g["LastInfoTime"])
		}
		for _, want := range []string{
			`{"GroupId":"G","ErrorCode":0,"ErrorInfo":"","Type":"Public","Name":"TestGroup","Appid":1400000001,"Introduction":"This is group Introduction",` +
				`"Notification":"This is group Notification","FaceUrl":"http://this.is.face.url","Owner_Account":"alice","CreateTime":`,
			`"InfoSeq":1,"LastInfoTime":`,
			`"LastMsgTime":0,"NextMsgSeq":1,"MemberNum":2,"MaxMemberNum":500,"ApplyJoinOption":"FreeAccess","InviteJoinOption":"NeedPermission","MuteAllMember":"Off",` +
				`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}],"MemberList":[{"Member_Account":"alice","Role":"Owner","JoinTime":`,
			`{"Member_Account":"bob","Role":"Admin","JoinTime":`,
			`"AppMemberDefinedData":[{"Key":"MemberDefined1","Value":"MemberData1"},{"Key":"MemberDefined2","Value":"MemberData2"}]}]}]}`,
		} {
			if !strings.Contains(r.Raw, want) {
				t.Fatalf("reply %s\nlacks %s", r.Raw, want)
			}
		}

		for _, tc := range []struct{ name, filter, want string }{
			// Tencent's filtered sample request, answered in the shape of its sample reply.
			{"Sample", `{"GroupBaseInfoFilter":["Type","Name","Introduction","Notification"],"MemberInfoFilter":["Account","Role"],` +
				`"AppDefinedDataFilter_Group":["GroupTestData1","GroupTestData2"],"AppDefinedDataFilter_GroupMember":["MemberDefined2","MemberDefined1"]}`,
				`{"GroupId":"G","ErrorCode":0,"ErrorInfo":"","Type":"Public","Name":"TestGroup","Introduction":"This is group Introduction","Notification":"This is group Notification",` +
					`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}],` +
					`"MemberList":[{"Member_Account":"alice","Role":"Owner","AppMemberDefinedData":[]},` +
					`{"Member_Account":"bob","Role":"Admin","AppMemberDefinedData":[{"Key":"MemberDefined1","Value":"MemberData1"},{"Key":"MemberDefined2","Value":"MemberData2"}]}]}`},
			{"BaseOnly", `{"GroupBaseInfoFilter":["MemberNum","Owner_Account"]}`, `{"GroupId":"G","ErrorCode":0,"ErrorInfo":"","Owner_Account":"alice","MemberNum":2}`},
			{"AppDefinedOnly", `{"AppDefinedDataFilter_Group":["GroupTestData2","nosuch"]}`,
				`{"GroupId":"G","ErrorCode":0,"ErrorInfo":"","AppDefinedData":[{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}]}`},
			{"MembersOnly", `{"MemberInfoFilter":["Role","NameCard"]}`,
				`{"GroupId":"G","ErrorCode":0,"ErrorInfo":"","MemberList":[{"Member_Account":"alice","Role":"Owner","NameCard":""},{"Member_Account":"bob","Role":"Admin","NameCard":""}]}`},
			{"MemberDefinedFilter", `{"MemberInfoFilter":[],"AppDefinedDataFilter_GroupMember":["MemberDefined2"]}`,
				`"MemberList":[{"Member_Account":"alice","AppMemberDefinedData":[]},{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"MemberDefined2","Value":"MemberData2"}]}]}`},
			{"Empty", `{}`, `{"GroupId":"G","ErrorCode":0,"ErrorInfo":""}`},
		} {
			r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["G"],"ResponseFilter":`+tc.filter+`}`)
			if !strings.Contains(r.Raw, tc.want) {
				t.Errorf("%s: reply %s\nlacks %s", tc.name, r.Raw, tc.want)
			}
		}

		// An AVChatRoom has no member list to show; ids may repeat.
		r = h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["Live","G","Live"]}`)
		items := r.M["GroupInfo"].([]any)
		if len(items) != 3 || items[1].(map[string]any)["GroupId"] != "G" {
			t.Fatalf("items: %s", r.Raw)
		}
		live := items[0].(map[string]any)
		if _, has := live["MemberList"]; has || live["MemberNum"] != json.Number("1") || live["Type"] != "AVChatRoom" {
			t.Fatalf("AVChatRoom: %s", r.Raw)
		}
	})
}

// Ensure modify_group_base_info changes what get_group_info shows and
// increments InfoSeq, deletes a custom field whose Value is "", records
// Group.CallbackAfterGroupInfoChanged with the name, introduction,
// notification and face URL given (none when it gives none of them), and
// refuses invalid values with 10004 without changing anything or recording
// events.
func TestGroup_Modify(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"TestGroup","MemberList":[{"Member_Account":"bob"}],` +
			`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc"}]}`)
		h.create(`{"Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		show := `{"GroupIdList":["G"],"ResponseFilter":{"GroupBaseInfoFilter":["Name","Introduction","Notification","FaceUrl","InfoSeq","MaxMemberNum",` +
			`"ApplyJoinOption","InviteJoinOption","MuteAllMember"],"AppDefinedDataFilter_Group":["GroupTestData1","GroupTestData2","k3"]}}`
		shows := func(name string, want ...string) groupCase {
			return groupCase{name: name, command: "get_group_info", body: show, want: want}
		}
		mod := func(name string, code int, fields string) groupCase {
			return groupCase{name: name, command: "modify_group_base_info", body: `{"GroupId":"G",` + fields + `}`, code: code}
		}
		long := func(n int) string { return strings.Repeat("y", n) }

		runGroupCases(t, h, []groupCase{
			shows("Before", `"Name":"TestGroup","Introduction":"","Notification":"","FaceUrl":"","InfoSeq":1,"MaxMemberNum":2000,"ApplyJoinOption":"NeedPermission",`+
				`"InviteJoinOption":"NeedPermission","MuteAllMember":"Off","AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc"}]}`),
			{name: "Sample", command: "modify_group_base_info", body: `{"GroupId":"G","Name":"NewName","Introduction":"NewIntroduction",` +
				`"Notification":"NewNotification","FaceUrl":"http://this.is.new.face.url","MaxMemberNum":500,"ApplyJoinOption":"NeedPermission",` +
				`"MuteAllMember":"On","AppDefinedData":[{"Key":"GroupTestData1","Value":"NewData"},{"Key":"GroupTestData2","Value":""}]}`,
				event: "Group.CallbackAfterGroupInfoChanged",
				evWant: []string{`"FaceUrl":"http://this.is.new.face.url","GroupId":"G","Introduction":"NewIntroduction","Name":"NewName",` +
					`"Notification":"NewNotification","Operator_Account":"administrator","Type":"Public"}`}},
			shows("AfterSample", `"Name":"NewName","Introduction":"NewIntroduction","Notification":"NewNotification","FaceUrl":"http://this.is.new.face.url",`+
				`"InfoSeq":2,"MaxMemberNum":500,"ApplyJoinOption":"NeedPermission","InviteJoinOption":"NeedPermission","MuteAllMember":"On",`+
				`"AppDefinedData":[{"Key":"GroupTestData1","Value":"NewData"}]}`),
			mod("AddKey", 0, `"AppDefinedData":[{"Key":"k3","Value":"v3"}]`),
			mod("DeleteMissingKey", 0, `"AppDefinedData":[{"Key":"GroupTestData2","Value":""}]`),
			mod("ShutUpAllMember", 0, `"ShutUpAllMember":"Off","InviteJoinOption":"DisableInvite","ApplyJoinOption":"DisableApply"`),
			shows("AfterKeys", `"InfoSeq":5,"MaxMemberNum":500,"ApplyJoinOption":"DisableApply","InviteJoinOption":"DisableInvite","MuteAllMember":"Off",`+
				`"AppDefinedData":[{"Key":"GroupTestData1","Value":"NewData"},{"Key":"k3","Value":"v3"}]}`),
			mod("MaxMemberNumToMembers", 0, `"MaxMemberNum":2`),
			{name: "ErrAddBeyondMax", command: "add_group_member", body: `{"GroupId":"G","MemberList":[{"Member_Account":"carol"}]}`, code: 10014},
			mod("MaxMemberNumToCap", 0, `"MaxMemberNum":2000`),
			{name: "Limits", command: "modify_group_base_info", event: "Group.CallbackAfterGroupInfoChanged",
				body: `{"GroupId":"G","Name":"` + long(30) + `","Introduction":"` + long(240) + `","Notification":"` + long(300) + `","FaceUrl":"` + long(100) + `"}`},
			shows("AfterLimits", `"Name":"`+long(30)+`","Introduction":"`+long(240)+`","Notification":"`+long(300)+`","FaceUrl":"`+long(100)+`","InfoSeq":8,"MaxMemberNum":2000,`),

			mod("ErrNameEmpty", 10004, `"Name":""`),
			mod("ErrName31", 10004, `"Name":"`+long(31)+`"`),
			mod("ErrNameType", 10004, `"Name":5`),
			mod("ErrIntro241", 10004, `"Introduction":"`+long(241)+`"`),
			mod("ErrNotification301", 10004, `"Notification":"`+long(301)+`"`),
			mod("ErrFaceUrl101", 10004, `"FaceUrl":"`+long(101)+`"`),
			mod("ErrApplyJoinOption", 10004, `"ApplyJoinOption":"DisableInvite"`),
			mod("ErrInviteJoinOption", 10004, `"InviteJoinOption":"DisableApply"`),
			mod("ErrMuteAllMember", 10004, `"MuteAllMember":"Maybe"`),
			mod("ErrMuteAllMemberCase", 10004, `"MuteAllMember":"on"`),
			mod("ErrShutUpAllMember", 10004, `"ShutUpAllMember":"Yes"`),
			mod("ErrMaxMemberNumOverCap", 10004, `"MaxMemberNum":2001`),
			mod("ErrMaxMemberNumUnderMembers", 10004, `"MaxMemberNum":1`),
			mod("ErrMaxMemberNumNegative", 10004, `"MaxMemberNum":-1`),
			mod("ErrMaxMemberNumType", 10004, `"MaxMemberNum":"500"`),
			mod("ErrAppDefinedKey", 10004, `"AppDefinedData":[{"Key":"bad key","Value":"v"}]`),
			mod("ErrAppDefinedValue513", 10004, `"AppDefinedData":[{"Key":"k4","Value":"`+long(513)+`"}]`),
			mod("ErrAppDefined21", 10004, `"AppDefinedData":`+kvs(21)),
			mod("ErrAppDefinedMergedOver20", 10004, `"AppDefinedData":`+prefixedKVs("x", 19)),
			mod("ErrAppDefinedNoValue", 10004, `"AppDefinedData":[{"Key":"k4"}]`),
			mod("ErrOneBadAmongGood", 10004, `"Name":"Changed","ApplyJoinOption":"Nope"`),
			shows("Unchanged", `"Name":"`+long(30)+`","Introduction":"`+long(240)+`","Notification":"`+long(300)+`","FaceUrl":"`+long(100)+`","InfoSeq":8,"MaxMemberNum":2000,`+
				`"ApplyJoinOption":"DisableApply","InviteJoinOption":"DisableInvite","MuteAllMember":"Off","AppDefinedData":[{"Key":"GroupTestData1","Value":"NewData"},{"Key":"k3","Value":"v3"}]}`),
			mod("MergedTo20", 0, `"AppDefinedData":`+prefixedKVs("x", 18)),
			{name: "AVChatRoom", command: "modify_group_base_info", body: `{"GroupId":"Live","Name":"renamed","MuteAllMember":"On"}`,
				event: "Group.CallbackAfterGroupInfoChanged", evWant: []string{`"GroupId":"Live","Name":"renamed","Operator_Account":"administrator","Type":"AVChatRoom"}`}},
			{name: "NotificationOnly", command: "modify_group_base_info", body: `{"GroupId":"G","Notification":"NewNotification"}`,
				event: "Group.CallbackAfterGroupInfoChanged", evWant: []string{`"EventTime":`, `,"GroupId":"G","Notification":"NewNotification","Operator_Account":"administrator","Type":"Public"}`}},
			{name: "AVChatRoomShows", command: "get_group_info", body: `{"GroupIdList":["Live"],"ResponseFilter":{"GroupBaseInfoFilter":["Name","InfoSeq","MuteAllMember"]}}`,
				want: []string{`"Name":"renamed","InfoSeq":2,"MuteAllMember":"On"}`}},
		})
	})
}

// Ensure a get_group_info answered again, from the memo of encoded groups
// on SQLite, is the same bytes, and that every kind of change to a group
// (its profile, its members, a member's card, dismissal) shows in the very
// next read.
func TestGroup_InfoMemoFollowsWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"one"}`)
		info := func(ids string) string { return h.MustCall(0, grp, "get_group_info", `{"GroupIdList":[`+ids+`]}`).Raw }
		first := info(`"G"`)
		if again := info(`"G"`); again != first {
			t.Fatalf("read again:\n%s\nfirst:\n%s", again, first)
		}
		h.MustCall(0, login, "account_import", `{"UserID":"carol"}`) // a write elsewhere
		if again := info(`"G"`); again != first {
			t.Fatalf("after an unrelated write:\n%s\nfirst:\n%s", again, first)
		}
		steps := []struct{ cmd, body, want string }{
			{"modify_group_base_info", `{"GroupId":"G","Name":"two"}`, `"Name":"two"`},
			{"add_group_member", `{"GroupId":"G","MemberList":[{"Member_Account":"bob"}]}`, `{"Member_Account":"bob","Role":"Member"`},
			{"modify_group_member_info", `{"GroupId":"G","Member_Account":"bob","NameCard":"card"}`, `"NameCard":"card"`},
			{"destroy_group", `{"GroupId":"G"}`, `{"GroupId":"G","ErrorCode":10010`},
		}
		for _, st := range steps {
			info(`"G"`) // memoized before the change
			h.MustCall(0, grp, st.cmd, st.body)
			if got := info(`"G"`); !strings.Contains(got, st.want) {
				t.Fatalf("after %s: %s\nlacks %s", st.cmd, got, st.want)
			}
		}
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"H","Name":"h"}`)
		info(`"H"`)
		if got := info(`"H","nosuch","H"`); strings.Count(got, `"GroupId":"H","ErrorCode":0`) != 2 || !strings.Contains(got, `{"GroupId":"nosuch","ErrorCode":10010`) {
			t.Fatalf("mixed: %s", got)
		}
	})
}

// Ensure each group type created without ApplyJoinOption or
// InviteJoinOption answers get_group_info with its own defaults: Private
// (Work) DisableApply and FreeAccess, Public and ChatRoom (Meeting)
// NeedPermission for both,
// AVChatRoom FreeAccess and DisableInvite, Community NeedPermission and
// FreeAccess.
func TestGroup_JoinOptionDefaults(t *testing.T) {
	h := openGroups(t, dbtest.SQLiteDSN(t), "alice")
	for _, tc := range []struct{ typ, apply, invite string }{
		{"Private", "DisableApply", "FreeAccess"},
		{"Work", "DisableApply", "FreeAccess"},
		{"Public", "NeedPermission", "NeedPermission"},
		{"ChatRoom", "NeedPermission", "NeedPermission"},
		{"Meeting", "NeedPermission", "NeedPermission"},
		{"AVChatRoom", "FreeAccess", "DisableInvite"},
		{"Community", "NeedPermission", "FreeAccess"},
	} {
		id := h.create(`{"Owner_Account":"alice","Type":"` + tc.typ + `","Name":"g"}`)
		r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["`+id+`"],"ResponseFilter":{"GroupBaseInfoFilter":["ApplyJoinOption","InviteJoinOption"]}}`)
		if want := `"ApplyJoinOption":"` + tc.apply + `","InviteJoinOption":"` + tc.invite + `"`; !strings.Contains(r.Raw, want) {
			t.Errorf("%s: %s, want %s", tc.typ, r.Raw, want)
		}
	}
}

// Ensure get_group_info answers 10018 once its reply is estimated over
// 1 MB (64 bytes a listed member), from the store and from its memo alike,
// and answers a reply just under it: a group of 331 members asked for 49
// times is 1,038,016 bytes, 50 times 1,059,200.
func TestGroup_InfoReplyTooLarge(t *testing.T) {
	h := openGroups(t, dbtest.SQLiteDSN(t), append(users("m", 330), "alice")...)
	h.create(`{"Owner_Account":"alice","Type":"Community","GroupId":"@TGS#_big","Name":"big","MaxMemberCount":1000}`)
	for _, part := range [][]string{users("m", 330)[:200], users("m", 330)[200:]} {
		list := make([]string, len(part))
		for i, id := range part {
			list[i] = `{"Member_Account":"` + id + `"}`
		}
		h.MustCall(0, grp, "add_group_member", `{"GroupId":"@TGS#_big","MemberList":[`+strings.Join(list, ",")+`]}`)
	}
	ids := func(n int) string { return jstr(slices.Repeat([]string{"@TGS#_big"}, n)) }
	for round := range 2 { // the second from the memo
		if r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":`+ids(49)+`}`); strings.Count(r.Raw, `"Member_Account"`) != 49*331 {
			t.Fatalf("round %d: 49 times: %d members listed", round, strings.Count(r.Raw, `"Member_Account"`))
		}
		h.MustCall(10018, grp, "get_group_info", `{"GroupIdList":`+ids(50)+`}`)
	}
	h.MustCall(0, grp, "get_group_info", `{"GroupIdList":`+ids(50)+`,"ResponseFilter":{"GroupBaseInfoFilter":["Name"]}}`)
}

// Ensure create_group takes up to 20 AppMemberDefinedData keys for a
// member, as for the group, and refuses a 21st (10004), creating nothing.
func TestGroup_MemberDefinedKeys(t *testing.T) {
	h := openGroups(t, dbtest.SQLiteDSN(t), "alice", "bob")
	kvs := func(n int) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = fmt.Sprintf(`{"Key":"k%d","Value":"v%d"}`, i, i)
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	body := func(id string, n int) string {
		return `{"Owner_Account":"alice","Type":"Public","GroupId":"` + id + `","Name":"g","MemberList":[{"Member_Account":"bob","AppMemberDefinedData":` + kvs(n) + `}]}`
	}
	h.MustCall(10004, grp, "create_group", body("G21", 21))
	if r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["G21"]}`); !strings.Contains(r.Raw, `"GroupId":"G21","ErrorCode":10010`) {
		t.Fatalf("a refused create_group made G21: %s", r)
	}
	h.MustCall(0, grp, "create_group", body("G20", 20))
	r := h.MustCall(0, grp, "get_group_member_info", `{"GroupId":"G20","AppDefinedDataFilter_GroupMember":[`+
		`"k0","k1","k2","k3","k4","k5","k6","k7","k8","k9","k10","k11","k12","k13","k14","k15","k16","k17","k18","k19"]}`)
	if !strings.Contains(r.Raw, `{"Key":"k19","Value":"v19"}`) || !strings.Contains(r.Raw, `{"Key":"k0","Value":"v0"}`) {
		t.Fatalf("bob's 20 keys: %s", r)
	}
}
