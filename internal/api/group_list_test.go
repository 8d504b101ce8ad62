package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// listIDs returns the GroupIds of a get_appid_group_list or
// get_joined_group_list reply, with its TotalCount and Next (0 if absent).
func listIDs(t *testing.T, r Reply) (ids []string, total, next int64) {
	t.Helper()
	for _, it := range r.M["GroupIdList"].([]any) {
		ids = append(ids, it.(map[string]any)["GroupId"].(string))
	}
	total, _ = r.M["TotalCount"].(json.Number).Int64()
	if n, ok := r.M["Next"].(json.Number); ok {
		next, _ = n.Int64()
	}
	return ids, total, next
}

// Ensure get_appid_group_list pages through the app's groups in creation
// order with Limit and Next, counts and filters by GroupType, and forgets
// dismissed groups.
func TestGroup_AppGroupList(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		all := []string{"A", "B", "C", "D", "@TGS#_E", "F", "G"}
		for i, typ := range []string{"Private", "Public", "ChatRoom", "AVChatRoom", "Community", "Work", "Meeting"} {
			h.create(`{"Type":"` + typ + `","GroupId":"` + all[i] + `","Name":"n"}`)
		}
		other := "sdkappid=1400000002&identifier=administrator&usersig=" + Sig(t, OtherAppID, OtherKey, Admin, 86400)
		if r := h.Do("POST", "/v4/"+grp+"/create_group", other, `{"Type":"Public","GroupId":"X","Name":"n"}`); r.Code(t) != 0 {
			t.Fatal(r)
		}
		expect := func(body string, wantIDs []string, wantTotal int64, more bool) int64 {
			t.Helper()
			return expectAppGroups(t, h, body, wantIDs, wantTotal, more)
		}

		expect(`{}`, all, 7, false)
		expect(``, all, 7, false)
		expect(`{"Limit":10000,"Next":0}`, all, 7, false)
		expect(`{"Limit":7}`, all, 7, false)
		next := expect(`{"Limit":4,"Next":0}`, all[:4], 7, true)
		expect(`{"Limit":4,"Next":`+itoa(int(next))+`}`, all[4:], 7, false)

		// One at a time, following Next.
		if paged := appGroupsOneByOne(t, h); strings.Join(paged, ",") != strings.Join(all, ",") {
			t.Fatalf("paged %v", paged)
		}

		expect(`{"GroupType":"Private"}`, []string{"A", "F"}, 2, false)
		expect(`{"GroupType":"Work"}`, []string{"A", "F"}, 2, false)
		expect(`{"GroupType":"ChatRoom","Limit":1}`, []string{"C"}, 2, true)
		expect(`{"GroupType":"Meeting","Limit":1,"Next":`+itoa(int(mustNext(t, h, `{"GroupType":"Meeting","Limit":1}`)))+`}`, []string{"G"}, 2, false)
		expect(`{"GroupType":"AVChatRoom"}`, []string{"D"}, 1, false)
		expect(`{"GroupType":"Community"}`, []string{"@TGS#_E"}, 1, false)
		expect(`{"GroupType":""}`, all, 7, false)

		// Dismissed groups are gone from the list and the count, and paging
		// goes on across the gap they leave.
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"B"}`)
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"C"}`)
		left := []string{"A", "D", "@TGS#_E", "F", "G"}
		expect(`{}`, left, 5, false)
		next = expect(`{"Limit":1}`, left[:1], 5, true)
		expect(`{"Limit":2,"Next":`+itoa(int(next))+`}`, left[1:3], 5, true)
		expect(`{"GroupType":"Public"}`, nil, 0, false)
		expect(`{"GroupType":"ChatRoom"}`, []string{"G"}, 1, false)

		// The other app sees only its own group.
		r := h.Do("POST", "/v4/"+grp+"/get_appid_group_list", other, `{}`)
		if ids, total, _ := listIDs(t, r); strings.Join(ids, ",") != "X" || total != 1 {
			t.Fatalf("other app: %s", r.Raw)
		}
		if !strings.Contains(r.Raw, `"TotalCount":1,"GroupIdList":[{"GroupId":"X"}],"Next":0}`) {
			t.Fatalf("reply shape: %s", r.Raw)
		}

		checkAppGroupListRejects(t, h)
	})
}

// expectAppGroups calls get_appid_group_list with body and checks the ids,
// the total and whether there is a Next; it returns Next.
func expectAppGroups(t *testing.T, h *Harness, body string, wantIDs []string, wantTotal int64, more bool) int64 {
	t.Helper()
	ids, total, next := listIDs(t, h.MustCall(0, grp, "get_appid_group_list", body))
	if strings.Join(ids, ",") != strings.Join(wantIDs, ",") || total != wantTotal || (next != 0) != more {
		t.Fatalf("%s: ids %v total %d next %d; want %v total %d more %v", body, ids, total, next, wantIDs, wantTotal, more)
	}
	return next
}

// appGroupsOneByOne pages through the app's seven groups one at a time,
// following Next, and returns their ids.
func appGroupsOneByOne(t *testing.T, h *Harness) []string {
	t.Helper()
	var paged []string
	for next, calls := int64(0), 0; ; calls++ {
		ids, total, n := listIDs(t, h.MustCall(0, grp, "get_appid_group_list", `{"Limit":1,"Next":`+itoa(int(next))+`}`))
		if total != 7 || len(ids) != 1 || calls > 7 {
			t.Fatalf("page %d: %v total %d", calls, ids, total)
		}
		paged = append(paged, ids...)
		if next = n; next == 0 {
			return paged
		}
	}
}

// checkAppGroupListRejects checks get_appid_group_list answers 10004 to a
// Limit, Next or GroupType out of range or of the wrong type.
func checkAppGroupListRejects(t *testing.T, h *Harness) {
	t.Helper()
	for _, body := range []string{
		`{"Limit":10001}`, `{"Limit":-1}`, `{"Limit":"10"}`, `{"Limit":1.5}`,
		`{"Next":-1}`, `{"Next":1.5}`, `{"Next":"abc"}`, `{"Next":18446744073709551616}`,
		`{"GroupType":"Secret"}`, `{"GroupType":"BChatRoom"}`, `{"GroupType":1}`,
	} {
		if r := h.Call(grp, "get_appid_group_list", body); r.Code(t) != 10004 {
			t.Errorf("%s: %s", body, r.Raw)
		}
	}
}

func mustNext(t *testing.T, h *Harness, body string) int64 {
	t.Helper()
	_, _, next := listIDs(t, h.MustCall(0, grp, "get_appid_group_list", body))
	return next
}

// Ensure get_joined_group_list lists a user's groups with TotalCount
// independent of Limit and Offset, leaves AVChatRooms out unless
// WithHugeGroups is 1, filters by GroupType, and renders ResponseFilter.
func TestGroup_JoinedGroupList(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.create(`{"Type":"Work","GroupId":"A","Name":"a","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"}]}`)
		h.create(`{"Type":"Public","GroupId":"B","Name":"b","Owner_Account":"bob","Introduction":"intro"}`)
		h.create(`{"Type":"ChatRoom","GroupId":"C","Name":"c","MemberList":[{"Member_Account":"bob","Role":"Admin"}]}`)
		h.create(`{"Type":"AVChatRoom","GroupId":"D","Name":"d","Owner_Account":"bob"}`)
		h.create(`{"Type":"Community","GroupId":"@TGS#_E","Name":"e","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"}]}`)
		h.create(`{"Type":"Public","GroupId":"NotBobs","Name":"x","Owner_Account":"alice"}`)

		cases := []groupCase{
			{name: "Basic", body: `{"Member_Account":"bob"}`,
				want: []string{`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"TotalCount":4,"GroupIdList":[{"GroupId":"A"},{"GroupId":"B"},{"GroupId":"C"},{"GroupId":"@TGS#_E"}]}`}},
			{name: "WithHugeGroups", body: `{"Member_Account":"bob","WithHugeGroups":1}`,
				want: []string{`"TotalCount":5,"GroupIdList":[{"GroupId":"A"},{"GroupId":"B"},{"GroupId":"C"},{"GroupId":"D"},{"GroupId":"@TGS#_E"}]}`}},
			{name: "WithHugeGroups0", body: `{"Member_Account":"bob","WithHugeGroups":0}`, want: []string{`"TotalCount":4,`}},
			{name: "WithNoActiveGroups", body: `{"Member_Account":"bob","WithNoActiveGroups":1}`, want: []string{`"TotalCount":4,`}},
			{name: "LimitOffset", body: `{"Member_Account":"bob","Limit":2,"Offset":1}`,
				want: []string{`"TotalCount":4,"GroupIdList":[{"GroupId":"B"},{"GroupId":"C"}]}`}},
			{name: "Limit", body: `{"Member_Account":"bob","Limit":1}`, want: []string{`"TotalCount":4,"GroupIdList":[{"GroupId":"A"}]}`}},
			{name: "OffsetOnly", body: `{"Member_Account":"bob","Offset":3}`, want: []string{`"TotalCount":4,"GroupIdList":[{"GroupId":"@TGS#_E"}]}`}},
			{name: "OffsetPastEnd", body: `{"Member_Account":"bob","Limit":10,"Offset":9}`, want: []string{`"TotalCount":4,"GroupIdList":[]}`}},
			{name: "TypePublic", body: `{"Member_Account":"bob","GroupType":"Public"}`, want: []string{`"TotalCount":1,"GroupIdList":[{"GroupId":"B"}]}`}},
			{name: "TypeWork", body: `{"Member_Account":"bob","GroupType":"Work"}`, want: []string{`"TotalCount":1,"GroupIdList":[{"GroupId":"A"}]}`}},
			{name: "TypeMeeting", body: `{"Member_Account":"bob","GroupType":"Meeting"}`, want: []string{`"TotalCount":1,"GroupIdList":[{"GroupId":"C"}]}`}},
			{name: "TypeAVChatRoom", body: `{"Member_Account":"bob","GroupType":"AVChatRoom","WithHugeGroups":1}`, want: []string{`"TotalCount":1,"GroupIdList":[{"GroupId":"D"}]}`}},
			{name: "TypeCommunityTopics", body: `{"Member_Account":"bob","GroupType":"Community","SupportTopic":1}`, want: []string{`"GroupIdList":[{"GroupId":"@TGS#_E"}]}`}},
			{name: "Filter", body: `{"Member_Account":"bob","GroupType":"Public","ResponseFilter":{"GroupBaseInfoFilter":["Type","Name","Introduction","Owner_Account","MemberNum","MaxMemberNum","ApplyJoinOption","MuteAllMember"],"SelfInfoFilter":["Role","MsgFlag","MsgSeq","UnreadMsgNum"]}}`,
				want: []string{`"GroupIdList":[{"GroupId":"B","Type":"Public","Name":"b","Introduction":"intro","Owner_Account":"bob","MemberNum":1,"MaxMemberNum":2000,"ApplyJoinOption":"NeedPermission","MuteAllMember":"Off","SelfInfo":{"Role":"Owner","MsgFlag":"AcceptAndNotify","MsgSeq":0,"UnreadMsgNum":0}}]}`}},
			{name: "SelfInfoOnly", body: `{"Member_Account":"bob","Limit":3,"ResponseFilter":{"SelfInfoFilter":["Role"]}}`,
				want: []string{`"GroupIdList":[{"GroupId":"A","SelfInfo":{"Role":"Member"}},{"GroupId":"B","SelfInfo":{"Role":"Owner"}},{"GroupId":"C","SelfInfo":{"Role":"Admin"}}]}`}},
			{name: "BaseInfoOnly", body: `{"Member_Account":"bob","Limit":1,"ResponseFilter":{"GroupBaseInfoFilter":["Name","Owner_Account"]}}`,
				want: []string{`"GroupIdList":[{"GroupId":"A","Name":"a","Owner_Account":"alice"}]}`}},
			{name: "JoinTime", body: `{"Member_Account":"bob","Limit":1,"ResponseFilter":{"SelfInfoFilter":["JoinTime"]}}`, want: []string{`"SelfInfo":{"JoinTime":`}},
			{name: "NoGroups", body: `{"Member_Account":"carol"}`, want: []string{`"TotalCount":0,"GroupIdList":[]}`}},
			{name: "AdminNoGroups", body: `{"Member_Account":"administrator"}`, want: []string{`"TotalCount":0,"GroupIdList":[]}`}},
			{name: "ErrNotImported", body: `{"Member_Account":"leckie"}`, code: 10019},
			{name: "ErrNULAccount", body: `{"Member_Account":"bo\u0000b"}`, code: 10019},
			{name: "ErrMissing", body: `{}`, code: 10004},
			{name: "ErrEmpty", body: `{"Member_Account":""}`, code: 10004},
			{name: "ErrType", body: `{"Member_Account":7}`, code: 10004},
			{name: "ErrLimit", body: `{"Member_Account":"bob","Limit":-1}`, code: 10004},
			{name: "ErrOffset", body: `{"Member_Account":"bob","Offset":-1}`, code: 10004},
			{name: "ErrGroupType", body: `{"Member_Account":"bob","GroupType":"Secret"}`, code: 10004},
			{name: "ErrFilterType", body: `{"Member_Account":"bob","ResponseFilter":{"SelfInfoFilter":"Role"}}`, code: 10004},
		}
		for i := range cases {
			cases[i].command = "get_joined_group_list"
		}
		runGroupCases(t, h, cases)
	})
}
