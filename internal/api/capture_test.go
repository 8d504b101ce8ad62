package api_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/fault"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// captureHarness is a server whose TestApp captures its callbacks (URL
// internal), with a real callback sender and before-callback client
// sharing the server's faults.
type captureHarness struct {
	*Harness
	faults  *fault.Injector
	metrics *api.Metrics
}

// openCapture starts it: TestApp retries a failed delivery after 50 ms and
// gives up on one after timeout.
func openCapture(t *testing.T, dsn string, opts ...func(*api.Options)) *captureHarness {
	t.Helper()
	ch := &captureHarness{metrics: api.NewMetrics()}
	ch.faults = fault.New(ch.metrics.Registry(), nil)
	opts = append([]func(*api.Options){func(o *api.Options) {
		cb := &o.Apps[0].Callback
		cb.URL, cb.Retry, cb.Timeout = im.CaptureURL, []time.Duration{0, 50 * time.Millisecond, 50 * time.Millisecond}, 200*time.Millisecond
		o.Metrics, o.Faults = ch.metrics, ch.faults
		o.Before = &callback.Before{Capture: o.Store, Faults: ch.faults}
	}}, opts...)
	ch.Harness = MustOpenHarness(t, dsn, opts...)
	sender := callback.NewSender(callback.Options{Store: ch.Store, Apps: ch.Apps, Capture: ch.Store, Faults: ch.faults,
		Poll: 10 * time.Millisecond})
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { sender.Run(ctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	ch.importUsers("alice", "bob")
	return ch
}

// captured is a timd_capture reply.
type captured struct {
	Callbacks []struct {
		Seq             int64
		CallbackCommand string
		Kind            string
		GroupId         string
		EventId         int64
		CapturedAt      int64
		Query           string
		Body            map[string]any
	}
	NextCursor int64
}

// captures decodes a timd_capture list or wait reply, failing unless it is OK.
func captures(t *testing.T, r Reply) captured {
	t.Helper()
	var c captured
	if r.Code(t) != 0 {
		t.Fatalf("timd_capture: %s", r)
	}
	if err := json.Unmarshal([]byte(r.Raw), &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// Ensure a group created and destroyed on an app capturing its callbacks
// is captured as sent: wait, started first, returns
// Group.CallbackAfterGroupDestroyed with its body, the before-callback is
// captured too and accepted, each filter selects, a cursor moves past what
// was read, and the events count as delivered.
func TestCapture_EndToEnd(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn)
		waited := make(chan Reply, 1)
		go func() {
			waited <- h.Call("timd_capture", "wait", `{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","TimeoutMs":20000}`)
		}()
		time.Sleep(50 * time.Millisecond) // the wait has read nothing yet
		h.MustCall(0, "group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"n","GroupId":"cap_g1","MemberList":[{"Member_Account":"bob"}]}`)
		h.MustCall(0, "group_open_http_svc", "destroy_group", `{"GroupId":"cap_g1"}`)
		var got captured
		select {
		case r := <-waited:
			got = captures(t, r)
		case <-time.After(15 * time.Second):
			t.Fatal("wait did not return")
		}
		if len(got.Callbacks) != 1 {
			t.Fatalf("wait returned %d callbacks, want 1: %+v", len(got.Callbacks), got)
		}
		cb := got.Callbacks[0]
		if cb.CallbackCommand != im.CallbackAfterGroupDestroyed || cb.Kind != im.CaptureAfter || cb.GroupId != "cap_g1" ||
			cb.Body["CallbackCommand"] != im.CallbackAfterGroupDestroyed || cb.Body["GroupId"] != "cap_g1" || cb.Body["Owner_Account"] != "alice" ||
			!strings.Contains(cb.Query, "SdkAppid=1400000001&CallbackCommand=Group.CallbackAfterGroupDestroyed&contenttype=json") ||
			cb.EventId == 0 || got.NextCursor != cb.Seq {
			t.Errorf("captured %+v, NextCursor %d", cb, got.NextCursor)
		}
		checkCaptureFilters(t, h)
		evs, err := h.Store.Events(context.Background(), TestAppID)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			if ev.State != im.EventDelivered || ev.Attempts != 1 {
				t.Errorf("event %d %s: %s after %d attempts, want delivered after 1", ev.ID, ev.Command, ev.State, ev.Attempts)
			}
		}
	})
}

// checkCaptureFilters lists cap_g1's captures by each filter and cursor,
// then clears them by filter and all.
func checkCaptureFilters(t *testing.T, h *captureHarness) {
	t.Helper()
	all := captures(t, h.Call("timd_capture", "list", `{}`))
	kinds, inGroup := map[string]string{}, 0
	for _, cb := range all.Callbacks {
		kinds[cb.CallbackCommand] = cb.Kind
		if cb.GroupId == "cap_g1" {
			inGroup++
		}
	}
	if kinds[im.CallbackBeforeCreateGroup] != im.CaptureBefore || kinds[im.CallbackAfterCreateGroup] != im.CaptureAfter || inGroup != 2 {
		t.Errorf("captured %v, %d of cap_g1: want the before- and after-callbacks of create_group, 2 of cap_g1", kinds, inGroup)
	}
	for body, want := range map[string]int{
		`{"CallbackCommand":"Group.CallbackBeforeCreateGroup"}`: 1,
		`{"GroupId":"cap_g1"}`:                    inGroup,
		`{"GroupId":"other"}`:                     0,
		`{"Account":"bob"}`:                       countNaming(t, all, "bob"),
		`{"Account":"nobody"}`:                    0,
		`{"Limit":1}`:                             1,
		`{"Cursor":` + jstr(all.NextCursor) + `}`: 0,
	} {
		got := captures(t, h.Call("timd_capture", "list", body))
		if len(got.Callbacks) != want {
			t.Errorf("list %s: %d callbacks, want %d", body, len(got.Callbacks), want)
		}
	}
	cleared := h.MustCall(0, "timd_capture", "clear", `{"CallbackCommand":"Group.CallbackBeforeCreateGroup"}`)
	if cleared.M["Cleared"] != json.Number("1") {
		t.Errorf("clear by command: %s", cleared)
	}
	h.MustCall(0, "timd_capture", "clear", `{}`)
	if left := captures(t, h.Call("timd_capture", "list", `{}`)); len(left.Callbacks) != 0 {
		t.Errorf("%d captures left after clear", len(left.Callbacks))
	}
}

// countNaming counts the captures whose body names account, failing if
// none does.
func countNaming(t *testing.T, c captured, account string) int {
	t.Helper()
	n := 0
	for _, cb := range c.Callbacks {
		b, _ := json.Marshal(cb.Body)
		if strings.Contains(string(b), `"`+account+`"`) {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no capture names %s", account)
	}
	return n
}

// Ensure wait answers an empty list once its timeout passes with nothing
// captured, and that bad fields are refused.
func TestCapture_WaitTimeoutAndValidation(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn)
		start := time.Now()
		got := captures(t, h.Call("timd_capture", "wait", `{"GroupId":"none","TimeoutMs":300}`))
		if took := time.Since(start); len(got.Callbacks) != 0 || took < 300*time.Millisecond || took > 5*time.Second {
			t.Errorf("wait on nothing: %d callbacks after %v, want none after 300ms", len(got.Callbacks), took)
		}
		for _, c := range []struct{ cmd, body string }{
			{"list", `{"Limit":0}`}, {"list", `{"Limit":1001}`}, {"list", `{"Cursor":-1}`}, {"list", `{"GroupId":""}`},
			{"list", `{"TimeoutMs":10}`}, {"wait", `{"TimeoutMs":30001}`}, {"wait", `{"Account":""}`},
			{"clear", `{"CallbackCommand":""}`}, {"list", `{"Limit":"1"}`},
		} {
			if r := h.Call("timd_capture", c.cmd, c.body); r.Code(t) != im.CodeMgmtInvalid {
				t.Errorf("%s %s: %s, want 91001", c.cmd, c.body, r)
			}
		}
	})
}

// Ensure wait refuses at once on an app whose callbacks are not captured,
// where it could only time out.
func TestCapture_WaitNeedsCapture(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		plain := MustOpenHarness(t, dsn)
		if r := plain.Call("timd_capture", "wait", `{"TimeoutMs":10000}`); r.Code(t) != im.CodeMgmtInvalid ||
			!strings.Contains(r.Raw, "does not capture") {
			t.Errorf("wait on an app that does not capture: %s", r)
		}
	})
}

// Ensure, on PostgreSQL, that wait sees a capture committed by another
// instance on the same database, which does not wake it: by polling.
func TestCapture_WaitSeesOtherInstance(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		if !strings.HasPrefix(dsn, "postgres") {
			t.Skip("one process owns a SQLite file")
		}
		h := openCapture(t, dsn)
		other, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := other.Close(); err != nil {
				t.Error(err)
			}
		})
		waited := make(chan Reply, 1)
		go func() { waited <- h.Call("timd_capture", "wait", `{"GroupId":"elsewhere","TimeoutMs":10000}`) }()
		time.Sleep(100 * time.Millisecond)
		start := time.Now()
		if _, err := other.CaptureCallback(context.Background(), im.Captured{AppID: TestAppID, Command: "Group.CallbackAfterCreateGroup",
			Phase: im.CaptureAfter, Body: []byte(`{"GroupId":"elsewhere"}`), GroupID: "elsewhere", CapturedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		got := captures(t, <-waited)
		if took := time.Since(start); len(got.Callbacks) != 1 || took > 2*time.Second {
			t.Errorf("wait answered %d callbacks %v after another instance's capture", len(got.Callbacks), took)
		}
	})
}

// Ensure an app created at runtime with CallbackURL internal captures its
// callbacks, in its own captures only.
func TestCapture_RuntimeApp(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn)
		a := createApp(t, h.Harness, `{"CallbackURL":"internal","Control":true}`)
		callApp(h.Harness, a, "group_open_http_svc", "create_group", `{"Owner_Account":"administrator","Type":"Public","Name":"n","GroupId":"rt_g1"}`)
		got := captures(t, callApp(h.Harness, a, "timd_capture", "list", `{"CallbackCommand":"Group.CallbackBeforeCreateGroup"}`))
		if len(got.Callbacks) != 1 || !strings.Contains(got.Callbacks[0].Query, "SdkAppid="+jstr(a.ID)) {
			t.Errorf("the runtime app's captures: %+v", got)
		}
		if mine := captures(t, h.Call("timd_capture", "list", `{}`)); len(mine.Callbacks) != 0 {
			t.Errorf("TestApp sees %d captures of another app", len(mine.Callbacks))
		}
	})
}
