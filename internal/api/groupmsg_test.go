package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// fakeSendHook is a BeforeSendHook recording the before-send callbacks it
// gets and answering verdict or err.
type fakeSendHook struct {
	fakeBefore
	mu      sync.Mutex
	sends   []string
	verdict im.SendVerdict
	err     error
}

func (f *fakeSendHook) BeforeSend(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (im.SendVerdict, error) {
	b, err := im.CallbackBody(cb, time.Unix(0, 0))
	if err != nil {
		return im.SendVerdict{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sends = append(f.sends, string(b))
	return f.verdict, f.err
}

func (f *fakeSendHook) answer(v im.SendVerdict, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.verdict, f.err = v, err
}

func (f *fakeSendHook) takeSends() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.sends
	f.sends = nil
	return out
}

// msgState is what a group message call could change: MsgGroup's
// history, its counters and the recorded events.
func msgState(h *Harness) string {
	h.tb.Helper()
	hist := h.MustCall(0, grp, "group_msg_get_simple", `{"GroupId":"MsgGroup","ReqMsgNumber":20,"WithRecalledMsg":1}`).Raw
	info := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["MsgGroup","Imp","AV"],"ResponseFilter":{"GroupBaseInfoFilter":["NextMsgSeq","LastMsgTime"]}}`).Raw
	imp := h.MustCall(0, grp, "group_msg_get_simple", `{"GroupId":"Imp","ReqMsgNumber":20}`).Raw
	return hist + "\n" + info + "\n" + imp + "\n" + jstr(len(h.events()))
}

const hello = `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello"}}]`

// Ensure send_group_msg offers the message to Group.CallbackBeforeSendMsg
// after its checks with the documented fields, and stores what the answer
// makes of it: a rewritten MsgBody and CloudCustomData (also in
// Group.CallbackAfterSendMsg), nothing for a discard (answered OK), the
// refusal's code for a refusal; that ForbidCallbackControl suppresses
// either callback; and that a repeated Random or a failed check is
// answered without asking.
func TestGroupMsg_BeforeSend(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeSendHook{}
		clk := &msgClock{t: msgT0}
		h := openClocked(t, dsn, clk, withCallbacks, func(o *api.Options) { o.Before = hook })
		msgGroups(h)
		h.events() // creation events are not this test's
		send := func(code int, body string) Reply {
			t.Helper()
			return h.MustCall(code, grp, "send_group_msg", body)
		}
		rewritten := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}},{"MsgType":"TIMCustomElem","MsgContent":{"Desc":"CustomElement.MemberLevel","Data":"LV1"}}]`
		cd := "new cloud data"
		hook.answer(im.SendVerdict{MsgBody: im.MsgBody(rewritten), CloudCustomData: &cd}, nil)
		r := send(0, `{"GroupId":"MsgGroup","From_Account":"bob","Random":1,"MsgBody":`+hello+`,"CloudCustomData":"old","OnlineOnlyFlag":0}`)
		if r.Raw != `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgTime":1767323045,"MsgSeq":1}` {
			t.Fatalf("send: %s", r.Raw)
		}
		want := `{"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"MsgGroup","Type":"Public","From_Account":"bob","Operator_Account":"administrator",` +
			`"Random":1,"OnlineOnlyFlag":0,"MsgBody":` + hello + `,"CloudCustomData":"old","EventTime":0}`
		if got := hook.takeSends(); len(got) != 1 || got[0] != want {
			t.Fatalf("before-send %q\nwant %s", got, want)
		}
		evs := h.eventsOf(im.CallbackGroupAfterSendMsg)
		wantAfter := `{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"MsgGroup","Type":"Public","From_Account":"bob","Operator_Account":"administrator",` +
			`"Random":1,"MsgSeq":1,"MsgTime":1767323045,"OnlineOnlyFlag":0,"MsgBody":` + rewritten + `,"CloudCustomData":"new cloud data","EventTime":1767323045000}`
		if len(evs) != 1 || evs[0].Raw != wantAfter || evs[0].Key != "MsgGroup" {
			t.Fatalf("after-send %+v\nwant %s", evs, wantAfter)
		}
		if hist := h.MustCall(0, grp, "group_msg_get_simple", `{"GroupId":"MsgGroup","ReqMsgNumber":1}`).Raw; !strings.Contains(hist, rewritten) ||
			!strings.Contains(hist, `"CloudCustomData":"new cloud data"`) {
			t.Fatalf("stored: %s", hist)
		}

		// A repeated Random and a failed check: no callback.
		send(0, `{"GroupId":"MsgGroup","Random":1,"MsgBody":`+hello+`}`)
		send(im.CodeGroupForbidden, `{"GroupId":"MsgGroup","From_Account":"dave","Random":2,"MsgBody":`+hello+`}`)
		if got := hook.takeSends(); len(got) != 0 {
			t.Fatalf("asked for a duplicate or a refused sender: %q", got)
		}

		// Discard, refusals: answered, nothing stored or announced.
		before := msgState(h)
		hook.answer(im.SendVerdict{Discard: true}, nil)
		if r := send(0, `{"GroupId":"MsgGroup","Random":3,"MsgBody":`+hello+`}`); r.Raw != `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgTime":1767323045,"MsgSeq":0}` {
			t.Fatalf("discard: %s", r.Raw)
		}
		hook.answer(im.SendVerdict{}, im.Errorf(im.CodeGroupCallbackDenied, "no"))
		send(im.CodeGroupCallbackDenied, `{"GroupId":"MsgGroup","Random":4,"MsgBody":`+hello+`}`)
		hook.answer(im.SendVerdict{}, &im.Error{Code: 10150, Info: "custom"})
		if r := send(10150, `{"GroupId":"MsgGroup","Random":5,"MsgBody":`+hello+`}`); !strings.Contains(r.Raw, `"ErrorInfo":"custom"`) {
			t.Fatalf("custom refusal: %s", r.Raw)
		}
		if after := msgState(h); after != before {
			t.Fatalf("a discarded or refused message changed state:\n%s\n%s", before, after)
		}
		if got := hook.takeSends(); len(got) != 3 {
			t.Fatalf("%d before-send calls, want 3", len(got))
		}

		// ForbidCallbackControl.
		send(0, `{"GroupId":"MsgGroup","Random":6,"MsgBody":`+hello+`,"ForbidCallbackControl":["ForbidBeforeSendMsgCallback","ForbidAfterSendMsgCallback"]}`)
		if got := hook.takeSends(); len(got) != 0 {
			t.Fatalf("ForbidBeforeSendMsgCallback: %q", got)
		}
		if evs := h.eventsOf(im.CallbackGroupAfterSendMsg); len(evs) != 1 {
			t.Fatalf("ForbidAfterSendMsgCallback: %d after-send events", len(evs))
		}
	})
}

// Ensure every refused group message call changes nothing: not the
// history, not a group's NextMsgSeq or LastMsgTime, no event.
func TestGroupMsg_FailuresChangeNothing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &msgClock{t: msgT0}
		h := openClocked(t, dsn, clk, withCallbacks)
		msgGroups(h)
		clk.add(time.Minute)
		h.MustCall(0, grp, "send_group_msg", `{"GroupId":"MsgGroup","From_Account":"bob","Random":1,"MsgBody":`+hello+`}`)
		before := msgState(h)
		long := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + strings.Repeat("x", 8000) + `"}}]`
		for _, c := range []struct {
			svc, cmd, body string
			code           int
		}{
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","From_Account":"dave","Random":2,"MsgBody":` + hello + `}`, 10007},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","From_Account":"nobody","Random":2,"MsgBody":` + hello + `}`, 10019},
			{grp, "send_group_msg", `{"GroupId":"Muted","From_Account":"bob","Random":2,"MsgBody":` + hello + `}`, 10017},
			{grp, "send_group_msg", `{"GroupId":"NoSuch","Random":2,"MsgBody":` + hello + `}`, 10010},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":2,"MsgBody":` + long + `}`, 80002},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":-1,"MsgBody":` + hello + `}`, 10004},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":2,"MsgBody":{}}`, 10004},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":2,"MsgBody":` + hello + `,"To_Account":` + jstr(users("u", 51)) + `}`, 10004},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":2,"MsgBody":` + hello + `,"OnlineOnlyFlag":2}`, 10004},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":2,"MsgBody":` + hello + `,"GroupAtInfo":[{"GroupAtAllFlag":0}]}`, 10004},
			{grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":2,"MsgBody":` + hello + `,"OfflinePushInfo":"x"}`, 10004},
			{grp, "send_group_system_notification", `{"GroupId":"NoSuch","Content":"x"}`, 10010},
			{grp, "send_group_system_notification", `{"GroupId":"AV","Content":"x","ToMembers_Account":["bob"]}`, 10007},
			{grp, "send_group_system_notification", `{"GroupId":"MsgGroup","Content":"x","ToMembers_Account":` + jstr(users("u", 501)) + `}`, 10004},
			{grp, "group_msg_recall", `{"GroupId":"MsgGroup","MsgSeqList":[]}`, 10004},
			{grp, "group_msg_recall", `{"GroupId":"MsgGroup","MsgSeqList":[{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1},{"MsgSeq":1}]}`, 10004},
			{grp, "group_msg_recall", `{"GroupId":"NoSuch","MsgSeqList":[{"MsgSeq":1}]}`, 10010},
			{grp, "import_group_msg", `{"GroupId":"Imp","MsgList":[{"From_Account":"nobody","SendTime":1767323046,"MsgBody":` + hello + `}]}`, 10019},
			{grp, "import_group_msg", `{"GroupId":"AV","MsgList":[{"From_Account":"bob","SendTime":1767323046,"MsgBody":` + hello + `}]}`, 10007},
			{grp, "import_group_msg", `{"GroupId":"Imp","MsgList":[{"From_Account":"bob","MsgBody":` + hello + `}]}`, 10004},
			{grp, "delete_group_msg_by_sender", `{"GroupId":"NoSuch","Sender_Account":"bob"}`, 10010},
			{grp, "delete_group_msg_by_sender", `{"GroupId":"MsgGroup"}`, 10004},
			{"openim", "modify_group_msg", `{"GroupId":"MsgGroup","MsgSeq":1,"MsgBody":{}}`, 90007},
			{"openim", "modify_group_msg", `{"GroupId":"MsgGroup","MsgSeq":1,"MsgBody":[{"MsgType":"TIMTextElem"}]}`, 90002},
			{"openim", "modify_group_msg", `{"GroupId":"MsgGroup","MsgSeq":1,"MsgBody":` + long + `}`, 93000},
			{"openim", "modify_group_msg", `{"GroupId":"MsgGroup","MsgSeq":1}`, 90010},
			{"openim", "modify_group_msg", `{"GroupId":"NoSuch","MsgSeq":1,"CloudCustomData":"x"}`, 10010},
			{"openim", "modify_group_msg", `{"GroupId":"` + strings.Repeat("G", 49) + `","MsgSeq":1,"CloudCustomData":"x"}`, 10015},
			{"openim", "modify_group_msg", `{"GroupId":"AV","MsgSeq":1,"CloudCustomData":"x"}`, 10007},
			{"openim", "modify_group_msg", `{"GroupId":"MsgGroup","MsgSeq":9,"CloudCustomData":"x"}`, 10030},
			{"openim", "modify_group_msg", `not json`, 90001},
		} {
			if r := h.Call(c.svc, c.cmd, c.body); r.Code(t) != c.code {
				t.Errorf("%s %.120s: %d, want %d: %s", c.cmd, c.body, r.Code(t), c.code, r.Raw)
			}
		}
		if after := msgState(h); after != before {
			t.Fatalf("refused calls changed state:\n%s\n%s", before, after)
		}
		if r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["MsgGroup"],"ResponseFilter":{"GroupBaseInfoFilter":["NextMsgSeq"]}}`); !strings.Contains(r.Raw, `"NextMsgSeq":2`) {
			t.Fatalf("NextMsgSeq: %s", r.Raw)
		}
	})
}

// Ensure group_msg_get_simple pages: at most 20 messages, IsFinished 0 when
// more were asked for and more lie below, 1 when all asked for came, 2 when
// more were asked for and the page has only expired messages; the next page
// starts below the smallest seq returned.
func TestGroupMsg_IsFinished(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &msgClock{t: msgT0}
		h := openClocked(t, dsn, clk)
		msgGroups(h)
		for i := range 25 {
			h.MustCall(0, grp, "send_group_msg", `{"GroupId":"MsgGroup","Random":`+jstr(i)+`,"MsgBody":`+hello+`}`)
		}
		page := func(body string) (int, []any) {
			r := h.MustCall(0, grp, "group_msg_get_simple", body)
			n, _ := r.M["IsFinished"].(json.Number).Int64()
			list, _ := r.M["RspMsgList"].([]any)
			return int(n), list
		}
		if fin, list := page(`{"GroupId":"MsgGroup","ReqMsgNumber":30}`); fin != 0 || len(list) != 20 ||
			list[19].(map[string]any)["MsgSeq"] != json.Number("6") {
			t.Fatalf("first page: IsFinished %d, %d messages", fin, len(list))
		}
		if fin, list := page(`{"GroupId":"MsgGroup","ReqMsgNumber":30,"ReqMsgSeq":5}`); fin != 1 || len(list) != 5 {
			t.Fatalf("second page: IsFinished %d, %d messages", fin, len(list))
		}
		if fin, list := page(`{"GroupId":"MsgGroup","ReqMsgNumber":20}`); fin != 1 || len(list) != 20 {
			t.Fatalf("20 of 25: IsFinished %d, %d messages", fin, len(list))
		}
		clk.add(im.GroupMsgLifeTime * time.Second)
		if fin, list := page(`{"GroupId":"MsgGroup","ReqMsgNumber":30}`); fin != 2 || len(list) != 20 ||
			list[0].(map[string]any)["IsPlaceMsg"] != json.Number("1") {
			t.Fatalf("expired: IsFinished %d, %d messages", fin, len(list))
		}
	})
}
