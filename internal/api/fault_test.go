package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// metricsText reads the harness's /metrics.
func (h *captureHarness) metricsText(t *testing.T) string {
	t.Helper()
	body, err := httpGet(h.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// faultCount is the number of faults timd_fault/list answers.
func faultCount(t *testing.T, h *Harness) int {
	t.Helper()
	var l struct{ Faults []map[string]any }
	if err := json.Unmarshal([]byte(h.MustCall(0, "timd_fault", "list", `{}`).Raw), &l); err != nil {
		t.Fatal(err)
	}
	return len(l.Faults)
}

// Ensure a fault makes create_group answer 10002 for exactly 2 calls,
// which change nothing and send no before-callback, then go away, counted
// in timd_faults_injected_total.
func TestFault_APIErrorForCount(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn)
		set := h.MustCall(0, "timd_fault", "set", `{"Service":"group_open_http_svc","Command":"create_group","ErrorCode":10002,"Count":2}`)
		if set.M["FaultId"] == nil {
			t.Fatalf("set: %s", set)
		}
		if l := h.MustCall(0, "timd_fault", "list", `{"Kind":"API"}`); !strings.Contains(l.Raw, `"Count":2`) ||
			!strings.Contains(l.Raw, `"ErrorCode":10002`) {
			t.Errorf("list: %s", l)
		}
		create := `{"Owner_Account":"alice","Type":"Public","Name":"n","GroupId":"flt_g1"}`
		for i := range 2 {
			r := h.MustCall(10002, "group_open_http_svc", "create_group", create)
			if r.M["ErrorInfo"] != "injected fault" {
				t.Errorf("faulted call %d: %s", i+1, r)
			}
		}
		if r := h.MustCall(0, "group_open_http_svc", "get_appid_group_list", `{}`); r.M["TotalCount"] != json.Number("0") {
			t.Errorf("a faulted create_group created a group: %s", r)
		}
		h.MustCall(0, "group_open_http_svc", "create_group", create)
		if n := faultCount(t, h.Harness); n != 0 {
			t.Errorf("%d faults left after their count", n)
		}
		h.MustCall(0, "group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"n","GroupId":"flt_g2"}`)
		before := captures(t, h.Call("timd_capture", "list", `{"CallbackCommand":"Group.CallbackBeforeCreateGroup"}`))
		if len(before.Callbacks) != 2 {
			t.Errorf("%d before-callbacks for 2 groups created and 2 faulted calls", len(before.Callbacks))
		}
		if m := h.metricsText(t); !strings.Contains(m, `timd_faults_injected_total{command="create_group",kind="API",service="group_open_http_svc"} 2`) {
			t.Errorf("metrics lack 2 injected faults of create_group")
		}
	})
}

// Ensure a service-wide fault with a probability and latency delays every
// command of the service but no other, an ErrorInfo is answered as given,
// and clear removes faults by id and all.
func TestFault_ServiceWideLatencyAndClear(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn)
		id := h.MustCall(0, "timd_fault", "set", `{"Service":"im_open_login_svc","Command":"*","LatencyMs":150,"Probability":1}`).M["FaultId"]
		start := time.Now()
		h.MustCall(0, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
		if took := time.Since(start); took < 150*time.Millisecond {
			t.Errorf("account_check took %v under a 150 ms fault", took)
		}
		h.MustCall(0, "timd_fault", "set", `{"Service":"sns","Command":"*","ErrorCode":30006,"ErrorInfo":"boom","Probability":1}`)
		if r := h.MustCall(30006, "sns", "friend_check", `{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`); r.M["ErrorInfo"] != "boom" {
			t.Errorf("ErrorInfo: %s", r)
		}
		h.MustCall(0, "profile", "portrait_get", `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick"]}`)
		if r := h.MustCall(0, "timd_fault", "clear", `{"FaultId":`+jstr(id)+`}`); r.M["Cleared"] != json.Number("1") {
			t.Errorf("clear by id: %s", r)
		}
		start = time.Now()
		h.MustCall(0, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
		if took := time.Since(start); took >= 150*time.Millisecond {
			t.Errorf("account_check took %v after its fault was cleared", took)
		}
		h.MustCall(0, "timd_fault", "set_callback", `{"CallbackCommand":"*","Action":"Stall","LatencyMs":10,"Probability":0.5}`)
		if r := h.MustCall(0, "timd_fault", "clear", `{"Kind":"Callback"}`); r.M["Cleared"] != json.Number("1") || faultCount(t, h.Harness) != 1 {
			t.Errorf("clear Kind Callback: %s", r)
		}
		h.MustCall(0, "timd_fault", "clear", `{}`)
		h.MustCall(0, "sns", "friend_check", `{"From_Account":"alice","To_Account":["bob"],"CheckType":"CheckResult_Type_Both"}`)
	})
}

// Ensure bad faults are refused with 91001 and leave none set, and that
// the control plane cannot be faulted.
func TestFault_Validation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		for _, c := range []struct{ cmd, body string }{
			{"set", `{"Service":"timd_capture","Command":"list","ErrorCode":1,"Count":1}`},
			{"set", `{"Service":"timd_fault","Command":"*","ErrorCode":1,"Count":1}`},
			{"set", `{"Service":"timd_callback","Command":"purge","ErrorCode":1,"Count":1}`},
			{"set", `{"Service":"nope","Command":"x","ErrorCode":1,"Count":1}`},
			{"set", `{"Service":"sns","Command":"nope","ErrorCode":1,"Count":1}`},
			{"set", `{"Service":"sns","ErrorCode":1,"Count":1}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":0,"Count":1}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":1}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":1,"Count":0}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":1,"Count":1,"Probability":0.5}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":1,"Probability":1.5}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":1,"Probability":0}`},
			{"set", `{"Service":"sns","Command":"*","ErrorCode":1.5,"Count":1}`},
			{"set", `{"Service":"sns","Command":"*","LatencyMs":-1,"Count":1}`},
			{"set", `{"Service":"sns","Command":"*","LatencyMs":60001,"Count":1}`},
			{"set", `{"Service":"sns","Command":"*","Count":1}`},
			{"set", `{"Service":"sns","Command":"*","ErrorInfo":"x","LatencyMs":5,"Count":1}`},
			{"set_callback", `{"CallbackCommand":"nodot","Action":"Fail","Count":1}`},
			{"set_callback", `{"CallbackCommand":"*","Action":"Explode","Count":1}`},
			{"set_callback", `{"CallbackCommand":"*","Action":"Stall","Count":1}`},
			{"set_callback", `{"CallbackCommand":"*","Count":1}`},
			{"set_callback", `{"CallbackCommand":"*","Action":"Fail"}`},
			{"list", `{"Kind":"x"}`},
			{"list", `{"FaultId":1}`},
			{"clear", `{"FaultId":99}`},
			{"clear", `{"FaultId":0}`},
			{"clear", `{"Kind":"API","FaultId":1}`},
		} {
			if r := h.Call("timd_fault", c.cmd, c.body); r.Code(t) != im.CodeMgmtInvalid {
				t.Errorf("%s %s: %s, want 91001", c.cmd, c.body, r)
			}
		}
		if n := faultCount(t, h); n != 0 {
			t.Errorf("%d faults set by refused calls", n)
		}
	})
}

// Ensure callback faults play out on delivery: a Fail fails the first
// delivery with HTTP 500 and the retry delivers it; a Timeout waits for the
// app's timeout then fails and is retried too; a failed before-callback
// rejects the call on an app that rejects then. Each is counted.
func TestFault_CallbackRetried(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn, func(o *api.Options) { o.Apps[0].Callback.RejectOnFailure = true })
		h.MustCall(0, "timd_fault", "set_callback", `{"CallbackCommand":"Group.CallbackAfterCreateGroup","Action":"Fail","Count":1}`)
		h.MustCall(0, "timd_fault", "set_callback", `{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","Action":"Timeout","Count":1}`)
		h.MustCall(0, "timd_fault", "set_callback", `{"CallbackCommand":"Group.CallbackBeforeCreateGroup","Action":"Fail","Count":1}`)
		create := `{"Owner_Account":"alice","Type":"Public","Name":"n","GroupId":"flt_cb"}`
		h.MustCall(im.CodeGroupCallbackDenied, "group_open_http_svc", "create_group", create)
		h.MustCall(0, "group_open_http_svc", "create_group", create)
		h.MustCall(0, "group_open_http_svc", "destroy_group", `{"GroupId":"flt_cb"}`)
		got := captures(t, h.Call("timd_capture", "wait", `{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","TimeoutMs":15000}`))
		if len(got.Callbacks) != 1 {
			t.Fatalf("the destroyed callback was not captured: %+v", got)
		}
		evs, err := h.Store.Events(context.Background(), TestAppID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.State != im.EventDelivered || ev.Attempts != 2 {
				t.Errorf("event %s: %s after %d attempts, want delivered after 2 (one faulted)", ev.Command, ev.State, ev.Attempts)
			}
		}
		if len(evs) != 2 {
			t.Errorf("%d events, want create and destroy", len(evs))
		}
		m := h.metricsText(t)
		for _, cmd := range []string{"Group.CallbackAfterCreateGroup", "Group.CallbackAfterGroupDestroyed", "Group.CallbackBeforeCreateGroup"} {
			if !strings.Contains(m, `timd_faults_injected_total{command="`+cmd+`",kind="Callback",service="callback"} 1`) {
				t.Errorf("metrics lack the injected fault of %s", cmd)
			}
		}
	})
}
