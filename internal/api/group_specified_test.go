package api_test

import (
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure get_specified_group_member_info answers as recorded in
// testdata/specifiedmembers/NN_<command>.{req,resp}.json: Tencent's two
// samples on an imported group (so that every time is fixed), a member
// custom field, names that are not members left out, and each code. The
// files run in name order against one server that also has the AVChatRoom
// Live; -update rewrites the replies.
func TestGetSpecifiedGroupMemberInfoGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "peter", "carol", "dave")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		replayGolden(t, "testdata/specifiedmembers", 14, *update, func(command, body string) Reply {
			return h.Call(grp, command, body)
		})
	})
}
