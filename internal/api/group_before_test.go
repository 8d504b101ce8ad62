package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// fakeBefore is a BeforeHook that records its calls and answers err.
type fakeBefore struct {
	mu    sync.Mutex
	calls []string // "app command fields-as-JSON"
	ips   []string // the ClientIP of each call
	err   error
}

func (f *fakeBefore) Before(ctx context.Context, app *im.App, clientIP string, cb im.Callback) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	command := cb.CallbackCommand()
	b, err := json.Marshal(cb)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, jstr(app.SDKAppID)+" "+command+" "+string(b))
	f.ips = append(f.ips, clientIP)
	return f.err
}

// take returns the calls since the last take.
func (f *fakeBefore) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.calls
	f.calls = nil
	return out
}

func (f *fakeBefore) answer(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.err = err
}

// openBefore starts a server with hook as its BeforeHook, TestApp recording
// events, and alice, bob and carol imported.
func openBefore(t *testing.T, dsn string, hook api.BeforeHook, opts ...func(*api.Options)) *Harness {
	t.Helper()
	opts = append([]func(*api.Options){withCallbacks, func(o *api.Options) { o.Before = hook }}, opts...)
	h := MustOpenHarness(t, dsn, opts...)
	h.importUsers("alice", "bob", "carol")
	return h
}

// Ensure create_group sends Group.CallbackBeforeCreateGroup, after the
// request is validated and before anything is stored, with the documented
// fields and the caller's IP; CreateGroupNum counts the owner's groups of
// that type.
func TestGroup_BeforeCreateAllows(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeBefore{}
		h := openBefore(t, dsn, hook)
		const prefix = "1400000001 Group.CallbackBeforeCreateGroup "

		steps := []struct {
			body string
			want string // the fields; "" for no call
		}{
			{`{"Owner_Account":"alice","Type":"Public","Name":"one","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol","Role":"Admin"}]}`,
				`{"CreateGroupNum":0,"MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"}],"Name":"one","Operator_Account":"administrator","Owner_Account":"alice","Type":"Public"}`},
			{`{"Owner_Account":"alice","Type":"Public","Name":"two"}`,
				`{"CreateGroupNum":1,"MemberList":[],"Name":"two","Operator_Account":"administrator","Owner_Account":"alice","Type":"Public"}`},
			{`{"Owner_Account":"alice","Type":"Work","Name":"three"}`,
				`{"CreateGroupNum":0,"MemberList":[],"Name":"three","Operator_Account":"administrator","Owner_Account":"alice","Type":"Private"}`},
			{`{"Owner_Account":"alice","Type":"Public","Name":"four"}`,
				`{"CreateGroupNum":2,"MemberList":[],"Name":"four","Operator_Account":"administrator","Owner_Account":"alice","Type":"Public"}`},
			{`{"Owner_Account":"bob","Type":"Public","Name":"five"}`,
				`{"CreateGroupNum":0,"MemberList":[],"Name":"five","Operator_Account":"administrator","Owner_Account":"bob","Type":"Public"}`},
			{`{"Type":"Public","Name":"ownerless","MemberList":[{"Member_Account":"carol"}]}`,
				`{"CreateGroupNum":0,"MemberList":[{"Member_Account":"carol"}],"Name":"ownerless","Operator_Account":"administrator","Owner_Account":"","Type":"Public"}`},
		}
		var first string
		for _, st := range steps {
			id := h.create(st.body)
			if first == "" {
				first = id
			}
			if got := hook.take(); len(got) != 1 || got[0] != prefix+st.want {
				t.Errorf("%s: hook calls %q\nwant [%q]", st.body, got, prefix+st.want)
			}
		}
		// The hook hears who called, as after-callbacks do.
		hook.mu.Lock()
		if len(hook.ips) != len(steps) {
			t.Errorf("%d ClientIPs for %d calls", len(hook.ips), len(steps))
		}
		for i, ip := range hook.ips {
			if ip != "127.0.0.1" {
				t.Errorf("call %d: ClientIP %q, want the loopback address", i, ip)
			}
		}
		hook.mu.Unlock()
		// A dismissed group no longer counts.
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"`+first+`"}`)
		h.create(`{"Owner_Account":"alice","Type":"Public","Name":"six"}`)
		if got := hook.take(); len(got) != 1 || !strings.Contains(got[0], `"CreateGroupNum":2,`) {
			t.Errorf("after a dismissal: %q", got)
		}

		// Invalid requests are answered before the hook is asked.
		for _, body := range []string{`{"Name":"no type"}`, `{"Type":"Public"}`, `{"Type":"BChatRoom","Name":"x"}`,
			`{"Type":"Public","Name":"1234567890123456789012345678901"}`} {
			h.MustCall(10004, grp, "create_group", body)
		}
		if got := hook.take(); len(got) != 0 {
			t.Errorf("hook called for invalid requests: %q", got)
		}
		// The store's own checks come after the hook.
		h.MustCall(10019, grp, "create_group", `{"Owner_Account":"nobody","Type":"Public","Name":"x"}`)
		if got := hook.take(); len(got) != 1 || !strings.Contains(got[0], `"CreateGroupNum":0,`) {
			t.Errorf("unimported owner: %q", got)
		}
	})
}

// Ensure a before-callback that rejects stops create_group: 10016 for a
// rejection, a 10100..10200 code with its ErrorInfo passed through, the
// internal code for a failing hook; no group and no event either way.
func TestGroup_BeforeCreateRejects(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeBefore{}
		h := openBefore(t, dsn, hook)
		body := `{"Owner_Account":"alice","Type":"Public","Name":"n","MemberList":[{"Member_Account":"bob"}]}`
		tests := []struct {
			name string
			err  error
			code int
			info string
		}{
			{"reject", im.Errorf(im.CodeGroupCallbackDenied, "create_group rejected by the callback"), 10016, "create_group rejected by the callback"},
			{"pass-through", im.Errorf(10150, "you already have too many groups"), 10150, "you already have too many groups"},
			{"pass-through-bounds", im.Errorf(10200, ""), 10200, ""},
			{"hook failure", errors.New("connection refused"), 10002, "internal server error, please retry"},
		}
		for _, tt := range tests {
			hook.answer(tt.err)
			r := h.MustCall(tt.code, grp, "create_group", body)
			if r.M["ErrorInfo"] != tt.info {
				t.Errorf("%s: ErrorInfo %q, want %q", tt.name, r.M["ErrorInfo"], tt.info)
			}
			if _, ok := r.M["GroupId"]; ok {
				t.Errorf("%s: GroupId in a failed reply: %s", tt.name, r.Raw)
			}
			if len(hook.take()) != 1 {
				t.Errorf("%s: hook not called once", tt.name)
			}
		}
		if n := h.groupCount(); n != 0 {
			t.Errorf("%d groups created despite rejections", n)
		}
		if evs := h.events(); len(evs) != 0 {
			t.Errorf("rejected creations recorded events: %v", evs)
		}

		hook.answer(nil)
		h.create(body)
		if n := h.groupCount(); n != 1 || len(h.eventsOf(im.CallbackAfterCreateGroup)) != 1 {
			t.Errorf("allowed creation: %d groups, events %v", n, h.events())
		}
	})
}

// Ensure the hook is not asked when the app has no callback URL, when its
// enabled commands leave Group.CallbackBeforeCreateGroup out, or for another
// app without callbacks; and that no hook at all is fine.
func TestGroup_BeforeCreateDisabled(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		body := `{"Owner_Account":"alice","Type":"Public","Name":"n"}`
		reject := im.Errorf(im.CodeGroupCallbackDenied, "rejected")

		// No callback URL.
		hook := &fakeBefore{err: reject}
		h := MustOpenHarness(t, dsn, func(o *api.Options) { o.Before = hook })
		h.importUsers("alice")
		h.create(body)
		if got := hook.take(); len(got) != 0 {
			t.Errorf("no callback URL: hook called %q", got)
		}
		// OtherApp has no callback URL either.
		r := h.Do("POST", "/v4/"+grp+"/create_group", OtherAdminQuery(t), `{"Type":"Public","Name":"n"}`)
		if r.Code(t) != 0 || len(hook.take()) != 0 {
			t.Errorf("OtherApp: %s", r.Raw)
		}
	})
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeBefore{err: im.Errorf(im.CodeGroupCallbackDenied, "rejected")}
		h := openBefore(t, dsn, hook, func(o *api.Options) {
			o.Apps[0].Callback.Commands = []string{im.CallbackAfterCreateGroup}
		})
		h.create(`{"Owner_Account":"alice","Type":"Public","Name":"n"}`)
		if got := hook.take(); len(got) != 0 {
			t.Errorf("command disabled: hook called %q", got)
		}
		if len(h.eventsOf(im.CallbackAfterCreateGroup)) != 1 {
			t.Errorf("enabled after-callback not recorded: %v", h.events())
		}
	})
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openBefore(t, dsn, nil, func(o *api.Options) {
			o.Apps[0].Callback.Commands = []string{im.CallbackBeforeCreateGroup}
		})
		h.create(`{"Owner_Account":"alice","Type":"Public","Name":"n"}`)
		if evs := h.events(); len(evs) != 0 {
			t.Errorf("after-callback recorded though only the before-callback is enabled: %v", evs)
		}
	})
}

// Ensure recorded events carry the caller's IP from the connection, never
// from X-Forwarded-For.
func TestGroup_EventClientIP(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn)
		for _, tc := range []struct{ remote, want string }{
			{"192.0.2.7:40000", "192.0.2.7"},
			{"[2001:db8::1]:443", "2001:db8::1"},
			{"no-port", ""},
		} {
			req := httptest.NewRequest("POST", "/v4/"+grp+"/create_group?"+AdminQuery(t),
				strings.NewReader(`{"Type":"Public","Name":"ip"}`))
			req.RemoteAddr = tc.remote
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			req.Header.Set("X-Real-IP", "203.0.113.10")
			w := httptest.NewRecorder()
			h.Handler.ServeHTTP(w, req)
			if !strings.Contains(w.Body.String(), `"ErrorCode":0`) {
				t.Fatalf("%s: %s", tc.remote, w.Body)
			}
			evs, err := h.Store.Events(t.Context(), TestAppID)
			if err != nil {
				t.Fatal(err)
			}
			if got := evs[len(evs)-1].ClientIP; got != tc.want {
				t.Errorf("RemoteAddr %s: ClientIP %q, want %q", tc.remote, got, tc.want)
			}
		}
		// Through the real server the client is the loopback address.
		h.create(`{"Type":"Public","Name":"loop"}`)
		evs, _ := h.Store.Events(t.Context(), TestAppID)
		if got := evs[len(evs)-1].ClientIP; got != "127.0.0.1" {
			t.Errorf("ClientIP over HTTP = %q", got)
		}
	})
}
