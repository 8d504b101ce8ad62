package api_test

import (
	"regexp"
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
