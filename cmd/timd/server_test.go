package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// get fetches m's path and returns the status and body.
func get(tb testing.TB, m *Main, path string) (int, string) {
	tb.Helper()
	resp, err := http.Get(m.URL() + path)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// Ensure /healthz and /readyz answer 200 "ok", and /metrics counts calls by
// service, command and Tencent code.
func TestMain_HealthAndMetrics(t *testing.T) {
	m := MustRunMain(t, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, body := get(t, m, path); code != http.StatusOK || strings.TrimSpace(body) != "ok" {
			t.Errorf("GET %s = %d %q, want 200 ok", path, code, body)
		}
	}

	w := m.DevWelcome(t)
	Post(t, w.CurlURL, w.CurlBody)
	Post(t, w.CurlURL, w.CurlBody)
	Post(t, CallURL(m.URL(), "im_open_login_svc", "account_check", w.SDKAppID, "administrator", "bad"), `{}`)

	code, body := get(t, m, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("GET /metrics = %d", code)
	}
	for _, want := range []string{
		`timd_requests_total{code="0",command="account_import",service="im_open_login_svc"} 2`,
		`timd_requests_total{code="70003",command="account_check",service="im_open_login_svc"} 1`,
		`timd_request_duration_seconds_count{command="account_import",service="im_open_login_svc"} 2`,
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	// The two imports were writes of the SQLite committer (with whatever
	// else it ran, such as the callback sender's claims).
	for _, name := range []string{"timd_sqlite_writes_total", "timd_sqlite_write_transactions_total"} {
		var n float64
		for _, line := range strings.Split(body, "\n") {
			if v, ok := strings.CutPrefix(line, name+" "); ok {
				n, _ = strconv.ParseFloat(v, 64)
			}
		}
		if n < 2 {
			t.Errorf("%s = %v, want at least the 2 imports", name, n)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", body)
	}
}

// Ensure Close shuts down cleanly: no error, the port stops accepting
// connections, the database is closed, and a second Close is harmless.
func TestMain_Close(t *testing.T) {
	m := MustRunMain(t, nil)
	addr := m.Addr()
	if code, _ := get(t, m, "/healthz"); code != http.StatusOK {
		t.Fatalf("/healthz = %d before Close", code)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatalf("%s still accepts connections after Close", addr)
	}
	if m.Store != nil {
		t.Error("Close left the store open")
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if !strings.Contains(m.Stderr.(*syncBuffer).String(), "timd stopped") {
		t.Errorf("no shutdown log line:\n%s", m.Stderr)
	}
}

// Ensure a start that cannot listen fails from Run with the address in the
// error, and Close then releases the database.
func TestMain_RunAddrInUse(t *testing.T) {
	busy := MustRunMain(t, nil)
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	env := map[string]string{"TIMD_DATA": filepath.Join(t.TempDir(), "timd.db")}
	if err := m.ParseFlags([]string{"--addr", busy.Addr()}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), busy.Addr()) {
		t.Errorf("Run on a busy port = %v, want an error naming %s", err, busy.Addr())
	}
	if err := m.Close(); err != nil {
		t.Errorf("Close after a failed Run: %v", err)
	}
}

// Ensure `timd serve` (the default command) serves until its context is
// cancelled, as on SIGTERM, then returns nil.
func TestMain_ServeUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := map[string]string{"TIMD_DATA": t.TempDir(), "TIMD_ADDR": "127.0.0.1:0", "TIMD_LOG_FORMAT": "json"}
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(ctx, nil, func(k string) string { return env[k] }, stdout, stderr) }()

	w := waitWelcome(t, stdout, done)
	if r := Post(t, w.CurlURL, w.CurlBody); r.Raw != okReply {
		t.Errorf("curl command: %s", r.Raw)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not return within 10s of cancellation")
	}
	if !strings.Contains(stderr.String(), `"msg":"timd stopped"`) {
		t.Errorf("no JSON shutdown log line:\n%s", stderr)
	}
}

// waitWelcome waits up to 10s for the curl command to appear in out, failing
// early if the server ends (done receives).
func waitWelcome(tb testing.TB, out *syncBuffer, done <-chan error) Welcome {
	tb.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if reCurl.MatchString(out.String()) {
			return ParseWelcome(tb, out.String())
		}
		select {
		case err := <-done:
			tb.Fatalf("timd ended before printing its welcome: %v\n%s", err, out)
		case <-time.After(20 * time.Millisecond):
		}
	}
	tb.Fatalf("no curl command printed within 10s:\n%s", out)
	return Welcome{}
}

// Ensure TIMD_PPROF_ADDR serves Go's profiles on their own address, and
// that the API's address does not.
func TestMain_Pprof(t *testing.T) {
	m := MustRunMain(t, map[string]string{"TIMD_PPROF_ADDR": "127.0.0.1:0"})
	resp, err := http.Get("http://" + m.PprofAddr() + "/debug/pprof/heap?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "heap profile") {
		t.Fatalf("pprof heap: %d %.200s", resp.StatusCode, body)
	}
	if _, body := get(t, m, "/debug/pprof/heap"); strings.Contains(body, "heap profile") {
		t.Fatal("the API's address serves pprof too")
	}
}
