package timdtest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/timd/timd/timdtest"
)

// call POSTs body to the REST command as srv's admin and returns the
// decoded reply, failing unless its ErrorCode is 0.
func call(t *testing.T, srv *timdtest.Server, service, command, body string) map[string]any {
	t.Helper()
	resp, err := http.Post(srv.CallURL(service, command), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var reply map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		t.Fatalf("%s/%s: %v", service, command, err)
	}
	if reply["ErrorCode"] != float64(0) {
		t.Fatalf("%s/%s: %v", service, command, reply)
	}
	return reply
}

// Ensure timdtest serves a test as a user writes one: start, call the REST
// API with the admin's UserSig, wait for the callback timd captured, stop.
func TestRun_AsAUserWould(t *testing.T) {
	srv, err := timdtest.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() }) // a second Close does nothing; the first is checked below
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") || srv.SdkAppID/100_000_000 != 14 || srv.Admin != "administrator" || srv.UserSig == "" {
		t.Fatalf("server %+v", srv)
	}
	call(t, srv, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
	call(t, srv, "group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"n","GroupId":"g1"}`)
	call(t, srv, "group_open_http_svc", "destroy_group", `{"GroupId":"g1"}`)
	got := call(t, srv, "timd_capture", "wait", `{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","GroupId":"g1","TimeoutMs":5000}`)
	if !strings.Contains(mustJSON(t, got), `"GroupId":"g1"`) {
		t.Errorf("captured %v", got)
	}
	sig, err := srv.Sig("alice")
	if err != nil || sig == "" || sig == srv.UserSig {
		t.Errorf("Sig(alice) = %q, %v", sig, err)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := http.Get(srv.URL + "/healthz"); err == nil {
		t.Error("timd still answers after Close")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

// Ensure two timds in one test process are apart: each its own app and data.
func TestRun_Apart(t *testing.T) {
	a := timdtest.Start(t)
	b := timdtest.Start(t, timdtest.WithEnv("TIMD_ADMINS", "boss"), timdtest.WithEnv("TIMD_EDITION", "pro"))
	if a.URL == b.URL || a.SdkAppID == b.SdkAppID || b.Admin != "boss" {
		t.Fatalf("a %+v, b %+v", a, b)
	}
	call(t, a, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
	got := call(t, b, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
	if s := mustJSON(t, got); !strings.Contains(s, `"AccountStatus":"NotImported"`) {
		t.Errorf("b sees a's account: %s", s)
	}
}

// Ensure a setting that does not parse fails Run with timd's message.
func TestRun_BadSetting(t *testing.T) {
	srv, err := timdtest.Run(context.Background(), timdtest.WithEnv("TIMD_EDITION", "gold"))
	if err == nil {
		_ = srv.Close() // the test has failed already
		t.Fatal("Run accepted TIMD_EDITION=gold")
	}
	if !strings.Contains(err.Error(), "gold") {
		t.Errorf("error %q does not name the value", err)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
