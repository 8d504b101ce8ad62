package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// fakeSend is a BeforeSendHook that records the bodies it is sent and
// answers verdict and err.
type fakeSend struct {
	mu      sync.Mutex
	bodies  []string
	verdict im.SendVerdict
	err     error
}

func (f *fakeSend) Before(ctx context.Context, app *im.App, clientIP string, cb im.Callback) error {
	return nil
}

func (f *fakeSend) BeforeSend(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (im.SendVerdict, error) {
	b, _ := json.Marshal(cb)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bodies = append(f.bodies, string(b))
	return f.verdict, f.err
}

func (f *fakeSend) answer(v im.SendVerdict, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verdict, f.err = v, err
}

func (f *fakeSend) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.bodies
	f.bodies = nil
	return out
}

// text is a one-element MsgBody.
func text(s string) string { return `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + s + `"}}]` }

// takeEvents returns the bodies of TestApp's events recorded since the last
// call (seen counts those already returned).
func takeEvents(t *testing.T, h *Harness, seen *int) []string {
	t.Helper()
	evs, err := h.Store.Events(t.Context(), TestAppID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs[*seen:] {
		out = append(out, e.Command+" "+string(e.Body))
	}
	*seen = len(evs)
	return out
}

// roamAll is bob's whole history with alice, as admin_getroammsg lists it.
func roamAll(h *Harness, op, peer string) string {
	return h.MustCall(0, "openim", "admin_getroammsg",
		`{"Operator_Account":"`+op+`","Peer_Account":"`+peer+`","MaxCnt":100,"MinTime":0,"MaxTime":4000000000}`).Raw
}

// Ensure sendmsg asks C2C.CallbackBeforeSendMsg with the MsgTime and MsgKey
// the message then has, and obeys its verdict: allowed messages are stored
// and reported by C2C.CallbackAfterSendMsg (with the recipient's unread
// total), rewritten ones stored and reported rewritten, discarded ones
// answered but neither stored nor reported, refused ones answered with the
// callback's code. Duplicates and ForbidBeforeSendMsgCallback skip the
// callback; an online-only message is reported with OnlineOnlyFlag 1 and
// not stored.
func TestOpenIM_SendCallbacks(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeSend{}
		h := openIM(t, dsn, &testClock{t: openimEpoch}, []string{"alice", "bob"}, func(o *api.Options) { o.Before = hook })
		seen := 0
		send := func(code, seq int, extra string) Reply {
			t.Helper()
			return h.MustCall(code, "openim", "sendmsg", `{"From_Account":"alice","To_Account":"bob","MsgSeq":`+jstr(seq)+
				`,"MsgRandom":7,"MsgBody":`+text("hi")+`,"CloudCustomData":"cd"`+extra+`}`)
		}
		const key1 = "1_7_1584669680"
		r := send(0, 1, "")
		if !strings.Contains(r.Raw, `"MsgTime":1584669680,"MsgKey":"`+key1+`"`) {
			t.Fatalf("reply %s", r.Raw)
		}
		wantBefore := `{"From_Account":"alice","To_Account":"bob","MsgSeq":1,"MsgRandom":7,"MsgTime":1584669680,"MsgKey":"` + key1 +
			`","OnlineOnlyFlag":0,"MsgBody":` + text("hi") + `,"CloudCustomData":"cd"}`
		if got := hook.take(); len(got) != 1 || got[0] != wantBefore {
			t.Errorf("before-callbacks %q, want %s", got, wantBefore)
		}
		wantAfter := im.CallbackC2CAfterSendMsg + ` {"CallbackCommand":"C2C.CallbackAfterSendMsg","From_Account":"alice","To_Account":"bob",` +
			`"MsgSeq":1,"MsgRandom":7,"MsgTime":1584669680,"MsgKey":"` + key1 + `","OnlineOnlyFlag":0,"SendMsgResult":0,` +
			`"ErrorInfo":"send msg succeed","UnreadMsgNum":1,"MsgBody":` + text("hi") + `,"CloudCustomData":"cd","EventTime":1584669680000}`
		if got := takeEvents(t, h, &seen); len(got) != 1 || got[0] != wantAfter {
			t.Errorf("events %q\nwant %s", got, wantAfter)
		}

		// A duplicate: the first's key, no callback either way.
		if r := send(0, 1, ""); !strings.Contains(r.Raw, key1) {
			t.Errorf("duplicate answered %s", r.Raw)
		}
		if got, ev := hook.take(), takeEvents(t, h, &seen); len(got)+len(ev) != 0 {
			t.Errorf("duplicate sent callbacks %q %q", got, ev)
		}

		// Rewritten: stored and reported as the callback made it.
		cloud := "new"
		hook.answer(im.SendVerdict{MsgBody: im.MsgBody(text("rewritten")), CloudCustomData: &cloud}, nil)
		send(0, 2, "")
		if ev := takeEvents(t, h, &seen); len(ev) != 1 || !strings.Contains(ev[0], `"UnreadMsgNum":2,"MsgBody":`+text("rewritten")+`,"CloudCustomData":"new"`) {
			t.Errorf("rewritten message reported as %q", ev)
		}
		if !strings.Contains(roamAll(h, "bob", "alice"), `"MsgBody":`+text("rewritten")+`,"CloudCustomData":"new"`) {
			t.Errorf("rewritten message not stored rewritten: %s", roamAll(h, "bob", "alice"))
		}

		sendRefusals(t, h, hook, send, &seen)
	})
}

// Ensure admin_msgwithdraw records C2C.CallbackAfterMsgWithDraw with the
// recipient's unread total once the message no longer counts, and that
// batchsendmsg and importmsg record nothing.
func TestOpenIM_WithdrawCallback(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openIM(t, dsn, &testClock{t: openimEpoch}, []string{"alice", "bob", "carol"})
		seen := 0
		h.MustCall(0, "openim", "batchsendmsg", `{"From_Account":"alice","To_Account":["bob","carol"],"MsgSeq":1,"MsgRandom":1,"MsgBody":`+text("a")+`}`)
		h.MustCall(0, "openim", "importmsg", `{"SyncFromOldSystem":5,"From_Account":"alice","To_Account":"bob","MsgSeq":2,"MsgRandom":2,"MsgTimeStamp":1584669000,"MsgBody":`+text("b")+`}`)
		if ev := takeEvents(t, h, &seen); len(ev) != 0 {
			t.Fatalf("batchsendmsg or importmsg recorded %q", ev)
		}
		h.MustCall(0, "openim", "admin_msgwithdraw", `{"From_Account":"alice","To_Account":"bob","MsgKey":"1_1_1584669680"}`)
		want := im.CallbackC2CAfterMsgWithDraw + ` {"CallbackCommand":"C2C.CallbackAfterMsgWithDraw","From_Account":"alice","To_Account":"bob",` +
			`"MsgKey":"1_1_1584669680","UnreadMsgNum":1,"EventTime":1584669680000}`
		if ev := takeEvents(t, h, &seen); len(ev) != 1 || ev[0] != want {
			t.Errorf("events %q\nwant %s", ev, want)
		}
		if r := h.MustCall(0, "openim", "get_c2c_unread_msg_num", `{"To_Account":"carol"}`); !strings.Contains(r.Raw, `"AllC2CUnreadMsgNum":1`) {
			t.Errorf("carol's copy of the batch message: %s", r.Raw)
		}
	})
}

// sendRefusals goes on from TestOpenIM_SendCallbacks: discarded and refused
// messages, forbidden callbacks and an online-only message.
func sendRefusals(t *testing.T, h *Harness, hook *fakeSend, send func(code, seq int, extra string) Reply, seen *int) {
	t.Helper()
	before := roamAll(h, "bob", "alice")
	// Discarded: answered OK with a key, nothing stored or reported.
	hook.answer(im.SendVerdict{Discard: true}, nil)
	if r := send(0, 3, ""); !strings.Contains(r.Raw, `"MsgKey":"3_7_1584669680"`) {
		t.Errorf("discarded message answered %s", r.Raw)
	}
	// Refused: the callback's code.
	hook.answer(im.SendVerdict{}, im.Errorf(im.CodeMsgCallbackDenied, "no"))
	send(im.CodeMsgCallbackDenied, 4, "")
	hook.answer(im.SendVerdict{}, &im.Error{Code: 120001, Info: "level too low"})
	if r := send(120001, 5, ""); !strings.Contains(r.Raw, `"ErrorInfo":"level too low"`) {
		t.Errorf("custom refusal answered %s", r.Raw)
	}
	if got := len(hook.take()); got != 4 { // the rewritten, discarded and two refused
		t.Errorf("%d before-callbacks, want 4", got)
	}
	if ev := takeEvents(t, h, seen); len(ev) != 0 || roamAll(h, "bob", "alice") != before {
		t.Errorf("a discarded or refused message left events %q or history", ev)
	}

	// Forbidden callbacks, then an online-only message.
	hook.answer(im.SendVerdict{}, im.Errorf(im.CodeMsgCallbackDenied, "no"))
	send(0, 6, `,"ForbidCallbackControl":["ForbidBeforeSendMsgCallback","ForbidAfterSendMsgCallback"]`)
	if got, ev := hook.take(), takeEvents(t, h, seen); len(got)+len(ev) != 0 {
		t.Errorf("forbidden callbacks sent: %q %q", got, ev)
	}
	send(0, 7, `,"MsgLifeTime":0,"ForbidCallbackControl":["ForbidBeforeSendMsgCallback"]`)
	if ev := takeEvents(t, h, seen); len(ev) != 1 || !strings.Contains(ev[0], `"OnlineOnlyFlag":1,"SendMsgResult":0,"ErrorInfo":"send msg succeed","UnreadMsgNum":3,`) {
		t.Errorf("online-only message reported as %q", ev)
	}
	if got := roamAll(h, "bob", "alice"); strings.Contains(got, `"MsgSeq":7,`) || !strings.Contains(got, `"MsgCnt":3`) {
		t.Errorf("history %s, want messages 1, 2 and 6", got)
	}
}
