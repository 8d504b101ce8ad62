package api_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure create_group's reply has exactly the shape of Tencent's samples
// for each group type, byte for byte: a Community's reply carries
// "HugeGroupFlag":0 and "Type":"Community" after the GroupId (Tencent's
// sample for creating a Community), every other type's the GroupId alone.
func TestGroup_CreateReplyShape(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		const ok = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"GroupId":`
		for _, tc := range []struct{ name, body, want string }{
			{"Private", `{"Type":"Private","Name":"n"}`, ok + `"@TGS#1\w{8}"}`},
			{"Work", `{"Type":"Work","Name":"n","Owner_Account":"alice"}`, ok + `"@TGS#1\w{8}"}`},
			{"Public", `{"Type":"Public","Name":"n"}`, ok + `"@TGS#2\w{8}"}`},
			{"PublicCustomID", `{"Type":"Public","Name":"n","GroupId":"MyFirstGroup"}`, ok + `"MyFirstGroup"}`},
			{"ChatRoom", `{"Type":"ChatRoom","Name":"n"}`, ok + `"@TGS#3\w{8}"}`},
			{"Meeting", `{"Type":"Meeting","Name":"n"}`, ok + `"@TGS#3\w{8}"}`},
			{"AVChatRoom", `{"Type":"AVChatRoom","Name":"n","Owner_Account":"alice"}`, ok + `"@TGS#a\w{8}"}`},
			{"Community", `{"Type":"Community","Name":"TestCommunityGroup","SupportTopic":1}`,
				ok + `"@TGS#_\w{8}","HugeGroupFlag":0,"Type":"Community"}`},
			{"CommunityCustomID", `{"Type":"Community","Name":"n","GroupId":"@TGS#_MyCommunity","Owner_Account":"alice"}`,
				ok + `"@TGS#_MyCommunity","HugeGroupFlag":0,"Type":"Community"}`},
		} {
			r := h.MustCall(0, grp, "create_group", tc.body)
			if !regexp.MustCompile(`^` + regexp.QuoteMeta(tc.want[:len(ok)]) + tc.want[len(ok):] + `$`).MatchString(r.Raw) {
				t.Errorf("%s: %s\nwant %s", tc.name, r.Raw, tc.want)
			}
		}
		// A failure is the envelope alone, whatever the type.
		r := h.MustCall(10021, grp, "create_group", `{"Type":"Community","Name":"n","GroupId":"@TGS#_MyCommunity"}`)
		if want := `{"ActionStatus":"FAIL","ErrorInfo":"group id @TGS#_MyCommunity is already in use","ErrorCode":10021}`; r.Raw != want {
			t.Errorf("failure: %s\nwant %s", r.Raw, want)
		}
	})
}

// Ensure a custom field key with spaces around it, as in Tencent's own
// create_group sample (" GroupTestData2"), is accepted and stored without
// the spaces, in create_group's AppDefinedData and AppMemberDefinedData and
// in modify_group_base_info's AppDefinedData (where "" still deletes);
// a key that is only spaces, or has a space inside, stays 10004 and
// changes nothing.
func TestGroup_CustomKeySpaces(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob")
		h.MustCall(0, grp, "create_group", `{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"TestGroup",`+
			`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":" GroupTestData2","Value":"abc\u0000\u0001"}],`+
			`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"MemberDefined1 ","Value":"MemberData1"}]}]}`)
		show := `{"GroupIdList":["G"],"ResponseFilter":{"GroupBaseInfoFilter":["InfoSeq"],"MemberInfoFilter":["Role"],` +
			`"AppDefinedDataFilter_Group":["GroupTestData1","GroupTestData2","k3"],"AppDefinedDataFilter_GroupMember":["MemberDefined1"]}}`
		shows := func(want string) {
			t.Helper()
			r := h.MustCall(0, grp, "get_group_info", show)
			if !contains(r.Raw, want) {
				t.Fatalf("%s\nlacks %s", r.Raw, want)
			}
		}
		shows(`"InfoSeq":1,"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}],` +
			`"MemberList":[{"Member_Account":"alice","Role":"Owner","AppMemberDefinedData":[]},` +
			`{"Member_Account":"bob","Role":"Member","AppMemberDefinedData":[{"Key":"MemberDefined1","Value":"MemberData1"}]}]}`)

		h.MustCall(0, grp, "modify_group_base_info", `{"GroupId":"G","AppDefinedData":[{"Key":"  GroupTestData2  ","Value":""},{"Key":"k3 ","Value":"v3"}]}`)
		shows(`"InfoSeq":2,"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"k3","Value":"v3"}],`)

		for _, body := range []string{
			`{"GroupId":"G","AppDefinedData":[{"Key":" ","Value":"v"}]}`,
			`{"GroupId":"G","AppDefinedData":[{"Key":"k 4","Value":"v"}]}`,
			`{"GroupId":"G","AppDefinedData":[{"Key":"\tk4","Value":"v"}]}`,
			`{"GroupId":"G","AppDefinedData":[{"Key":" ` + strings.Repeat("k", 17) + `","Value":"v"}]}`,
		} {
			h.MustCall(10004, grp, "modify_group_base_info", body)
		}
		h.MustCall(10004, grp, "create_group", `{"Type":"Public","GroupId":"G2","Name":"n","AppDefinedData":[{"Key":"  ","Value":"v"}]}`)
		h.MustCall(10004, grp, "create_group", `{"Type":"Public","GroupId":"G2","Name":"n","MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"a b","Value":"v"}]}]}`)
		shows(`"InfoSeq":2,"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"k3","Value":"v3"}],`)
		if r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["G2"]}`); !contains(r.Raw, `"ErrorCode":10010`) {
			t.Fatalf("G2 was created: %s", r.Raw)
		}
	})
}
