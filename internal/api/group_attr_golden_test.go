package api_test

import (
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure the group attribute commands answer as recorded in
// testdata/groupattr/NN_<command>.{req,resp}.json: Tencent's samples (on
// an AVChatRoom, Live, for Tencent's sample GroupId cannot be chosen) and
// each code. The files run in name order against one server that has Live
// and a Community, @TGS#_C; -update rewrites the replies.
func TestGroupAttrGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		h.create(`{"Owner_Account":"alice","Type":"Community","GroupId":"@TGS#_C","Name":"c"}`)
		replayGolden(t, "testdata/groupattr", 17, *update, func(command, body string) Reply {
			service := grp
			if command == "get_group_attr" {
				service = attrSvc
			}
			return h.Call(service, command, body)
		})
	})
}
