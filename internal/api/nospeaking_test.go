package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure setnospeaking sets an account's one-to-one and group mute periods,
// getnospeaking reads them back, sendmsg refuses a muted sender with 20012
// and send_group_msg with 10017 (in an AVChatRoom too), 0 lifts a mute,
// and invalid requests are refused with 90001 changing nothing.
func TestNoSpeaking(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob")
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g","MemberList":[{"Member_Account":"bob"}]}`)
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		hello := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`
		random := 0
		c2c := func(name string, code int) callCase {
			random++
			tc := callCase{name: name, command: "sendmsg", code: code,
				body: `{"From_Account":"bob","To_Account":"alice","MsgRandom":` + jstr(random) + `,"MsgBody":` + hello + `}`}
			if code == 0 {
				tc.event = "C2C.CallbackAfterSendMsg"
			}
			return tc
		}
		group := func(name, id string, code int) callCase {
			random++
			tc := callCase{name: name, command: "send_group_msg", code: code,
				body: `{"GroupId":"` + id + `","From_Account":"bob","Random":` + jstr(random) + `,"MsgBody":` + hello + `}`}
			if code == 0 {
				tc.event = "Group.CallbackAfterSendMsg"
			}
			return tc
		}
		cfg := func(name, command, body string, code int, want ...string) callCase {
			return callCase{name: name, command: command, body: body, code: code, want: want}
		}
		get := `{"Get_Account":"bob"}`
		runCases(t, h, "openconfigsvr", []callCase{
			cfg("Default", "getnospeaking", get, 0, `"ErrorCode":0,"C2CmsgNospeakingTime":0,"GroupmsgNospeakingTime":0}`),
			cfg("Sample", "setnospeaking", `{"Set_Account":"bob","C2CmsgNospeakingTime":4294967295,"GroupmsgNospeakingTime":7200}`, 0),
			cfg("Read", "getnospeaking", get, 0, `"C2CmsgNospeakingTime":4294967295,"GroupmsgNospeakingTime":7200}`),
			cfg("ErrNone", "setnospeaking", `{"Set_Account":"bob"}`, 90001),
			cfg("ErrNoAccount", "setnospeaking", `{"C2CmsgNospeakingTime":1}`, 90001),
			cfg("ErrNegative", "setnospeaking", `{"Set_Account":"bob","C2CmsgNospeakingTime":-1}`, 90001),
			cfg("ErrTooLong", "setnospeaking", `{"Set_Account":"bob","GroupmsgNospeakingTime":4294967296,"C2CmsgNospeakingTime":0}`, 90001),
			cfg("ErrType", "setnospeaking", `{"Set_Account":"bob","GroupmsgNospeakingTime":"1"}`, 90001),
			cfg("ErrNotImported", "setnospeaking", `{"Set_Account":"ghost","GroupmsgNospeakingTime":1}`, 90001),
			cfg("ErrGetNotImported", "getnospeaking", `{"Get_Account":"ghost"}`, 90001),
			cfg("ErrGetMissing", "getnospeaking", `{}`, 90001),
			cfg("ErrJSON", "getnospeaking", `{`, 90001),
			cfg("Unchanged", "getnospeaking", get, 0, `"C2CmsgNospeakingTime":4294967295,"GroupmsgNospeakingTime":7200}`),
		})
		runCases(t, h, "openim", []callCase{c2c("C2CMuted", 20012)})
		runCases(t, h, grp, []callCase{group("GroupMuted", "G", 10017), group("LiveMuted", "Live", 10017)})
		runCases(t, h, "openconfigsvr", []callCase{
			cfg("LiftC2C", "setnospeaking", `{"Set_Account":"bob","C2CmsgNospeakingTime":0}`, 0),
			cfg("GroupStays", "getnospeaking", get, 0, `"C2CmsgNospeakingTime":0,"GroupmsgNospeakingTime":7200}`),
		})
		runCases(t, h, "openim", []callCase{c2c("C2CFree", 0)})
		runCases(t, h, grp, []callCase{group("GroupStillMuted", "G", 10017)})
		h.MustCall(0, "openconfigsvr", "setnospeaking", `{"Set_Account":"bob","GroupmsgNospeakingTime":0}`)
		runCases(t, h, grp, []callCase{group("GroupFree", "G", 0), group("LiveFree", "Live", 0)})
		// account_delete takes the mute with it: a re-imported bob is free.
		h.MustCall(0, "openconfigsvr", "setnospeaking", `{"Set_Account":"bob","C2CmsgNospeakingTime":60}`)
		h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"bob"}]}`)
		h.importUsers("bob")
		if r := h.MustCall(0, "openconfigsvr", "getnospeaking", get); !strings.Contains(r.Raw, `"C2CmsgNospeakingTime":0,"GroupmsgNospeakingTime":0}`) {
			t.Fatalf("re-imported bob: %s", r.Raw)
		}
	})
}

// Ensure a globally muted account's messages are refused before the
// before-send callbacks are sent (1047/34923: the webhook "is not triggered"): neither
// C2C.CallbackBeforeSendMsg nor Group.CallbackBeforeSendMsg goes out for
// them, and both do once the mutes end.
func TestNoSpeaking_BeforeCallbacksNotSent(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeSendHook{}
		h := openClocked(t, dsn, &msgClock{t: msgT0}, withCallbacks, func(o *api.Options) { o.Before = hook })
		msgGroups(h)
		hello := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`
		send := func(c2cCode, groupCode int) {
			t.Helper()
			h.MustCall(c2cCode, "openim", "sendmsg", `{"From_Account":"bob","To_Account":"alice","MsgRandom":`+jstr(c2cCode+1)+`,"MsgBody":`+hello+`}`)
			h.MustCall(groupCode, grp, "send_group_msg", `{"GroupId":"MsgGroup","From_Account":"bob","Random":`+jstr(groupCode+1)+`,"MsgBody":`+hello+`}`)
		}
		h.MustCall(0, "openconfigsvr", "setnospeaking", `{"Set_Account":"bob","C2CmsgNospeakingTime":4294967295,"GroupmsgNospeakingTime":7200}`)
		send(im.CodeNoSpeakingC2C, im.CodeGroupMemberMuted)
		if got := hook.takeSends(); len(got) != 0 {
			t.Errorf("before-send callbacks sent for a muted sender: %q", got)
		}
		h.MustCall(0, "openconfigsvr", "setnospeaking", `{"Set_Account":"bob","C2CmsgNospeakingTime":0,"GroupmsgNospeakingTime":0}`)
		send(0, 0)
		got := hook.takeSends()
		if len(got) != 2 || !strings.Contains(got[0], `"C2C.CallbackBeforeSendMsg"`) || !strings.Contains(got[1], `"Group.CallbackBeforeSendMsg"`) {
			t.Errorf("before-send callbacks once unmuted: %q", got)
		}
	})
}
