package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Ensure the healthcheck's URL comes from --url, else from TIMD_ADDR (an
// every-interface address reached on loopback), else from the default
// address, and that a bad one is refused before any request.
func TestHealthcheck_URL(t *testing.T) {
	for _, tc := range []struct{ url, addr, want string }{
		{"", "", "http://127.0.0.1:8080/readyz"},
		{"", "0.0.0.0:9000", "http://127.0.0.1:9000/readyz"},
		{"", ":9001", "http://127.0.0.1:9001/readyz"},
		{"", "[::]:9002", "http://[::1]:9002/readyz"},
		{"", "10.1.2.3:9003", "http://10.1.2.3:9003/readyz"},
		{"http://timd:8080", "0.0.0.0:1", "http://timd:8080/readyz"},
		{"https://timd.example/", "", "https://timd.example/readyz"},
		{"http://timd:8080/healthz", "", "http://timd:8080/healthz"},
	} {
		got, err := healthURL(tc.url, tc.addr)
		if err != nil || got != tc.want {
			t.Errorf("healthURL(%q, %q) = %q, %v; want %q", tc.url, tc.addr, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ url, addr string }{
		{"", "8080"}, {"timd:8080", ""}, {"ftp://timd/", ""}, {"http://", ""}, {"http://a b/", ""},
	} {
		if got, err := healthURL(tc.url, tc.addr); err == nil {
			t.Errorf("healthURL(%q, %q) = %q, want an error", tc.url, tc.addr, got)
		}
	}
}

// Ensure `timd healthcheck` succeeds with one line on stdout for a ready
// timd, and fails, naming why in one line, for one that answers 503, one
// that does not answer, and one slower than --timeout.
func TestHealthcheck_Run(t *testing.T) {
	var status atomic.Int32 // what /readyz answers
	status.Store(http.StatusOK)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			time.Sleep(2 * time.Second)
		}
		if r.URL.Path == "/readyz" && status.Load() != http.StatusOK {
			w.WriteHeader(int(status.Load()))
			w.Write([]byte("database unavailable\n"))
			return
		}
		w.Write([]byte("ok\n"))
	}))
	defer srv.Close()

	out, stderr, err := runCmd("healthcheck", "--url", srv.URL)
	if want := "ready: " + srv.URL + "/readyz answered 200 ok\n"; err != nil || out != want || stderr != "" {
		t.Errorf("ready timd: %q, %q, %v; want %q", out, stderr, err, want)
	}
	// The default URL comes from TIMD_ADDR, an every-interface address
	// reached on loopback.
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(srv.URL, "http://"))
	var o strings.Builder
	err = run(t.Context(), []string{"healthcheck"}, envOf("TIMD_ADDR", "0.0.0.0:"+port), &o, &o)
	if err != nil || !strings.HasPrefix(o.String(), "ready: http://127.0.0.1:"+port+"/readyz") {
		t.Errorf("healthcheck from TIMD_ADDR: %q, %v", o.String(), err)
	}

	status.Store(http.StatusServiceUnavailable)
	checkNotReady(t, srv)
}

// checkNotReady checks the healthcheck fails with one line for srv, whose
// /readyz answers 503, for its /slow within --timeout, and once srv is
// closed; and that bad arguments fail it.
func checkNotReady(t *testing.T, srv *httptest.Server) {
	t.Helper()
	out, _, err := runCmd("healthcheck", "--url", srv.URL)
	if err == nil || out != "" || err.Error() != "not ready: "+srv.URL+"/readyz answered 503 database unavailable" {
		t.Errorf("unready timd: %q, %v", out, err)
	}
	start := time.Now()
	if _, _, err = runCmd("healthcheck", "--url", srv.URL+"/slow", "--timeout", "100ms"); err == nil ||
		!strings.HasPrefix(err.Error(), "not ready: ") || time.Since(start) > time.Second {
		t.Errorf("slow timd: %v after %v", err, time.Since(start))
	}
	addr := srv.URL
	srv.Close()
	if _, _, err = runCmd("healthcheck", "--url", addr); err == nil || !strings.HasPrefix(err.Error(), "not ready: ") ||
		strings.Contains(err.Error(), "\n") {
		t.Errorf("stopped timd: %v", err)
	}
	for _, args := range [][]string{{"--timeout", "0s"}, {"extra"}, {"--url", "localhost:8080"}, {"--nope"}} {
		if _, _, err := runCmd(append([]string{"healthcheck"}, args...)...); err == nil {
			t.Errorf("healthcheck %v: no error", args)
		}
	}
}

// envOf is a getenv with the one variable name set to value.
func envOf(name, value string) func(string) string {
	return func(k string) string {
		if k == name {
			return value
		}
		return ""
	}
}
