package api_test

import (
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
)

// adminService is the service a group administration command is served
// under.
func adminService(command string) string {
	switch command {
	case "setnospeaking", "getnospeaking":
		return "openconfigsvr"
	}
	return grp
}

// Ensure the group administration commands and the global mute answer as
// recorded in testdata/groupadmin/NN_<command>.{req,resp}.json: Tencent's
// samples where it gives them, and each error code. The files run in name
// order against one server (the groups of msgGroups and a Work group, W)
// whose clock starts at msgT0 and moves 60 s before each; -update rewrites
// the replies.
func TestGroupAdminGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &msgClock{t: msgT0}
		h := openClocked(t, dsn, clk)
		msgGroups(h)
		h.create(`{"Owner_Account":"alice","Type":"Work","Name":"work","GroupId":"Work","MemberList":[{"Member_Account":"bob"}]}`)
		replayGolden(t, "testdata/groupadmin", 29, *update, func(command, body string) Reply {
			clk.add(time.Minute)
			return h.Call(adminService(command), command, body)
		})
	})
}
