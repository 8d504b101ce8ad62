package api_test

import (
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// extService is the service a command of testdata/msgext is served under.
func extService(command string) string {
	switch command {
	case "sendmsg":
		return "openim"
	case "send_group_msg":
		return grp
	}
	return "openim_msg_ext_http_svc"
}

// Ensure the message extension commands answer as recorded in
// testdata/msgext/NN_<command>.{req,resp}.json: Tencent's samples (set,
// delete and clear a one-to-one message's pairs; pull them, from a Seq;
// the group forms) and each code, against one server whose clock stands
// still at msgT0, with the groups of msgGroups; -update rewrites the
// replies. The extension callbacks are recorded with the versions the
// replies carry.
func TestMsgExtGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openClocked(t, dsn, &msgClock{t: msgT0}, withCallbacks)
		msgGroups(h)
		replayGolden(t, "testdata/msgext", 27, *update, func(command, body string) Reply {
			return h.Call(extService(command), command, body)
		})
		var got []string
		for _, ev := range h.events() {
			if ev.Command == "C2C.CallbackAfterC2CMsgExtension" || ev.Command == "Group.CallbackAfterGroupMsgExtension" {
				got = append(got, ev.Raw)
			}
		}
		want := []string{
			`{"CallbackCommand":"C2C.CallbackAfterC2CMsgExtension","From_Account":"alice","To_Account":"bob","MsgKey":"1_11_1767323045","OperateType":1,"ExtensionList":[{"Key":"k1","Value":"v1","Seq":1},{"Key":"k2","Value":"v2","Seq":1},{"Key":"k3","Value":"v3","Seq":1}],"Seq":1,"EventTime":1767323045000}`,
			`{"CallbackCommand":"C2C.CallbackAfterC2CMsgExtension","From_Account":"alice","To_Account":"bob","MsgKey":"1_11_1767323045","OperateType":2,"ExtensionList":[{"Key":"k1","Value":"","Seq":2}],"Seq":2,"EventTime":1767323045000}`,
			`{"CallbackCommand":"C2C.CallbackAfterC2CMsgExtension","From_Account":"alice","To_Account":"bob","MsgKey":"1_11_1767323045","OperateType":3,"ExtensionList":[],"Seq":3,"EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterGroupMsgExtension","GroupId":"MsgGroup","MsgSeq":1,"OperateType":1,"ExtensionList":[{"Key":"key1","Value":"1","Seq":1},{"Key":"key2","Value":"2","Seq":1}],"Seq":1,"EventTime":1767323045000}`,
			`{"CallbackCommand":"Group.CallbackAfterGroupMsgExtension","GroupId":"MsgGroup","MsgSeq":1,"OperateType":1,"ExtensionList":[{"Key":"key3","Value":"3","Seq":2}],"Seq":2,"EventTime":1767323045000}`,
		}
		if len(got) != len(want) {
			t.Fatalf("%d extension events, want %d: %v", len(got), len(want), got)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("event %d:\n got %s\nwant %s", i, got[i], want[i])
			}
		}
	})
}
