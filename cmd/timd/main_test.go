package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines to write
// while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// MustRunMain starts a real timd on 127.0.0.1:0 with the TIMD_* variables of
// env, its data in a fresh temporary directory unless env names TIMD_DATA,
// and closes it when the test ends. Stdout and Stderr are syncBuffers.
func MustRunMain(tb testing.TB, env map[string]string) *Main {
	tb.Helper()
	vars := map[string]string{"TIMD_DATA": filepath.Join(tb.TempDir(), "timd.db")}
	for k, v := range env {
		vars[k] = v
	}
	m := NewMain()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	m.Stdout, m.Stderr = stdout, stderr
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0"}, func(k string) string { return vars[k] }); err != nil {
		tb.Fatal(err)
	}
	if err := m.Run(context.Background()); err != nil {
		_ = m.Close() // Run's error is the one to report
		tb.Fatalf("Run: %v\n%s", err, stderr)
	}
	tb.Cleanup(func() {
		if err := m.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
		if tb.Failed() {
			tb.Logf("timd stderr:\n%s", stderr)
		}
	})
	return m
}

// Welcome is what the welcome output tells a new user.
type Welcome struct {
	Out       string
	SDKAppID  uint64
	Admin     string
	SecretKey string // empty when not printed
	Data      string // the Data line
	CurlURL   string // empty when not printed (a configured app)
	CurlBody  string
}

var (
	reAppID = regexp.MustCompile(`(?m)^  SDKAppID:\s+(\d+)$`)
	reAdmin = regexp.MustCompile(`(?m)^  Admin:\s+(\S+)$`)
	reKey   = regexp.MustCompile(`(?m)^  Secret key:\s+([0-9a-f]{64})\s`)
	reCurl  = regexp.MustCompile(`(?m)^  curl -s '([^']+)' -d '([^']+)'$`)
	reData  = regexp.MustCompile(`(?m)^  Data:\s+(.+)$`)
)

// ParseWelcome extracts the app, admin, data, key and curl command from out.
func ParseWelcome(tb testing.TB, out string) Welcome {
	tb.Helper()
	w := Welcome{Out: out}
	m := reAppID.FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("no SDKAppID in the welcome output:\n%s", out)
	}
	w.SDKAppID, _ = strconv.ParseUint(m[1], 10, 64)
	if m = reAdmin.FindStringSubmatch(out); m == nil {
		tb.Fatalf("no admin in the welcome output:\n%s", out)
	}
	w.Admin = m[1]
	if m = reKey.FindStringSubmatch(out); m != nil {
		w.SecretKey = m[1]
	}
	if m = reData.FindStringSubmatch(out); m == nil {
		tb.Fatalf("no Data line in the welcome output:\n%s", out)
	}
	w.Data = m[1]
	if m = reCurl.FindStringSubmatch(out); m != nil {
		w.CurlURL, w.CurlBody = m[1], m[2]
	}
	return w
}

// DevWelcome parses the welcome of a development app, which must carry a
// curl command.
func (m *Main) DevWelcome(tb testing.TB) Welcome {
	tb.Helper()
	w := m.Welcome(tb)
	if w.CurlURL == "" {
		tb.Fatalf("no curl command in the welcome output:\n%s", w.Out)
	}
	return w
}

// Welcome parses the welcome output m printed.
func (m *Main) Welcome(tb testing.TB) Welcome {
	tb.Helper()
	return ParseWelcome(tb, m.Stdout.(*syncBuffer).String())
}

// Reply is a decoded REST reply, numbers as json.Number, and its raw text.
type Reply struct {
	M   map[string]any
	Raw string
}

// Code returns the reply's ErrorCode.
func (r Reply) Code(tb testing.TB) int {
	tb.Helper()
	n, ok := r.M["ErrorCode"].(json.Number)
	if !ok {
		tb.Fatalf("ErrorCode is not a number: %s", r.Raw)
	}
	i, _ := n.Int64()
	return int(i)
}

// Post sends a REST call to the full URL u and checks it answers HTTP 200
// with a JSON envelope.
func Post(tb testing.TB, u, body string) Reply {
	tb.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("POST %s: HTTP %d: %s", u, resp.StatusCode, raw)
	}
	r := Reply{Raw: string(raw)}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r.M); err != nil {
		tb.Fatalf("reply is not JSON: %v: %s", err, raw)
	}
	return r
}

// CallURL is the URL of a REST call to base with the given query values.
func CallURL(base, service, command string, appID uint64, identifier, sig string) string {
	q := url.Values{}
	q.Set("sdkappid", strconv.FormatUint(appID, 10))
	q.Set("identifier", identifier)
	q.Set("usersig", sig)
	q.Set("random", "99")
	q.Set("contenttype", "json")
	return base + "/v4/" + service + "/" + command + "?" + q.Encode()
}

// TencentSig makes a UserSig with Tencent's own library.
func TencentSig(tb testing.TB, appID uint64, key, identifier string) string {
	tb.Helper()
	s, err := tencentyun.GenUserSig(int(appID), key, identifier, 3600)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// MustCall sends a call to m signed by Tencent's library and fails unless it
// answers code.
func (m *Main) MustCall(tb testing.TB, code int, appID uint64, key, identifier, service, command, body string) Reply {
	tb.Helper()
	r := Post(tb, CallURL(m.URL(), service, command, appID, identifier, TencentSig(tb, appID, key, identifier)), body)
	if got := r.Code(tb); got != code {
		tb.Fatalf("%s/%s as %s: ErrorCode %d, want %d: %s", service, command, identifier, got, code, r.Raw)
	}
	return r
}
