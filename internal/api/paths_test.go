package api_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// Ensure every path outside /v4/ gets the Tencent envelope with 60009 (HTTP
// 200, JSON), whatever the method, query or body, while the health and
// metrics endpoints keep answering GET.
func TestREST_OutsideV4(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Metrics = api.NewMetrics() })
	for _, tc := range []struct{ method, path, query string }{
		{"POST", "/v5/x", AdminQuery(t)},
		{"POST", "/foo", ""},
		{"GET", "/", ""},
		{"POST", "/", AdminQuery(t)},
		{"POST", "/v4", AdminQuery(t)},
		{"POST", "/V4/im_open_login_svc/account_check", AdminQuery(t)},
		{"POST", "/healthz", ""},
		{"PUT", "/metrics", ""},
		{"DELETE", "/debug/pprof/heap", ""},
	} {
		if r := h.Do(tc.method, tc.path, tc.query, `{"UserID":"alice"}`); r.Code(t) != 60009 {
			t.Errorf("%s %s: %v", tc.method, tc.path, r)
		}
	}
	// Inside /v4/ an empty or doubled segment is an unknown service, not a
	// redirect.
	for _, p := range []string{"/v4//im_open_login_svc/account_check", "/v4/im_open_login_svc/../x"} {
		if r := h.Do("POST", p, AdminQuery(t), "{}"); r.Code(t) != 60009 {
			t.Errorf("POST %s: %v", p, r)
		}
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if body, err := httpGet(h.URL + p); err != nil || body != "ok\n" {
			t.Errorf("GET %s: %q %v", p, body, err)
		}
	}
	if body, err := httpGet(h.URL + "/metrics"); err != nil || !contains(body, "timd_requests_total") {
		t.Errorf("GET /metrics: %v %.300s", err, body)
	}
}

// Ensure an unknown service or command is logged and counted under its own
// name, made safe (bytes outside [A-Za-z0-9_.-] become '_', cut at 64
// bytes), and that a flood of random names adds at most 100 label pairs,
// the rest counted as "other".
func TestMetrics_UnknownNames(t *testing.T) {
	var logs syncBuf
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.Metrics = api.NewMetrics()
		o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	})
	long := strings.Repeat("x", 100)
	h.MustCall(60009, "im_open_login_svc", "no_such_cmd", "{}")
	h.MustCall(60009, "bad%20svc", "a%22b%0Ac", "{}")
	h.MustCall(60009, long, "y", "{}")
	h.Do("POST", "/v5/x", "", "")

	metrics, _ := httpGet(h.URL + "/metrics")
	for _, want := range []string{
		`timd_requests_total{code="60009",command="no_such_cmd",service="im_open_login_svc"} 1`,
		`timd_requests_total{code="60009",command="a_b_c",service="bad_svc"} 1`,
		`timd_requests_total{code="60009",command="y",service="` + long[:64] + `"} 1`,
		`timd_requests_total{code="60009",command="v5_x",service=""} 1`,
	} {
		if !contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	for _, want := range []string{"service=im_open_login_svc command=no_such_cmd", "service=bad_svc command=a_b_c"} {
		if !contains(logs.String(), want) {
			t.Errorf("log lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s\nlog:\n%s", metrics, logs.String())
	}

	for i := range 300 {
		h.MustCall(60009, fmt.Sprintf("svc%d", i), fmt.Sprintf("cmd%d", i), "{}")
	}
	metrics, _ = httpGet(h.URL + "/metrics")
	series := 0
	for _, line := range strings.Split(metrics, "\n") {
		if strings.HasPrefix(line, "timd_requests_total{") {
			series++
		}
	}
	// 100 unknown pairs at most, one "other", and the admin calls' account
	// checks are not made here: nothing else.
	if series > 101 {
		t.Errorf("%d timd_requests_total series after a flood of names, want at most 101", series)
	}
	if !contains(metrics, `timd_requests_total{code="60009",command="other",service="other"}`) {
		t.Errorf("flood not counted as other:\n%s", metrics)
	}
}

// syncBuf is a bytes.Buffer safe for the server's goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// countingBody is a request body that counts the reads made of it.
type countingBody struct {
	r     io.Reader
	reads int
}

func (b *countingBody) Read(p []byte) (int, error) {
	b.reads++
	return b.r.Read(p)
}

func (b *countingBody) Close() error { return nil }

// Ensure a request that the query already condemns is answered without a
// single read of its body, announced length or not; an authenticated one
// reads it.
func TestREST_BodyNotReadBeforeAuth(t *testing.T) {
	now := time.Now()
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.RateLimit = 1
		o.Now = func() time.Time { return now }
	})
	good := AdminQuery(t)
	forged := "sdkappid=1400000001&identifier=administrator&usersig=" + Sig(t, TestAppID, "guess", Admin, 86400)
	nonAdmin := "sdkappid=1400000001&identifier=alice&usersig=" + Sig(t, TestAppID, TestKey, "alice", 86400)
	check := "/v4/im_open_login_svc/account_check"
	send := func(path, query string, announced bool) (int, int) {
		t.Helper()
		const text = `{"CheckItem":[{"UserID":"alice"}]}`
		body := &countingBody{r: strings.NewReader(text)}
		req := httptest.NewRequest("POST", path+"?"+query, nil)
		req.Body = body
		req.ContentLength = -1
		if announced {
			req.ContentLength = int64(len(text))
		}
		w := httptest.NewRecorder()
		h.Handler.ServeHTTP(w, req)
		r := checkEnvelope(t, path, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
		return r.Code(t), body.reads
	}
	for _, announced := range []bool{true, false} {
		for _, tc := range []struct {
			name, path, query string
			code              int
		}{
			{"NoSdkappid", check, "identifier=administrator&usersig=x", 60012},
			{"UnknownApp", check, "sdkappid=1234&identifier=administrator&usersig=x", 60006},
			{"NoIdentifier", check, "sdkappid=1400000001&usersig=x", 60004},
			{"NoUsersig", check, "sdkappid=1400000001&identifier=administrator", 70002},
			{"ForgedUsersig", check, forged, 70009},
			{"NotAdmin", check, nonAdmin, 60010},
			{"UnknownCommand", "/v4/im_open_login_svc/nope", good, 60009},
			{"OutsideV4", "/v5/x", good, 60009},
		} {
			code, reads := send(tc.path, tc.query, announced)
			if code != tc.code || reads != 0 {
				t.Errorf("%s (announced %v): ErrorCode %d, %d reads of the body; want %d, none", tc.name, announced, code, reads, tc.code)
			}
		}
		// The rate limit (1/s here) is also checked before the body.
		if code, reads := send(check, good, announced); code != 0 || reads == 0 {
			t.Errorf("admin call (announced %v): ErrorCode %d after %d reads", announced, code, reads)
		}
		if code, reads := send(check, good, announced); code != 60007 || reads != 0 {
			t.Errorf("rate-limited call (announced %v): ErrorCode %d, %d reads", announced, code, reads)
		}
		now = now.Add(time.Second) // the rate limit refills
	}
}
