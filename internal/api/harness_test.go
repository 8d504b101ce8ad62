package api_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// The apps every API test serves: TestApp with admin "administrator" and an
// imported-but-not-admin user, and OtherApp with another key.
const (
	TestAppID  = 1400000001
	TestKey    = "5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e"
	OtherAppID = 1400000002
	OtherKey   = "0000000000000000000000000000000000000000000000000000000000000000"
	Admin      = "administrator"
)

// testProfileFields are TestApp's custom profile fields: Test, the one of
// Tencent's portrait_get samples, a string of up to 500 bytes; Short, a
// string of up to 8; Score, an integer.
var testProfileFields = []im.ProfileField{
	{Name: "Test", Type: im.ProfileFieldString},
	{Name: "Short", Type: im.ProfileFieldString, MaxBytes: 8},
	{Name: "Score", Type: im.ProfileFieldInteger},
}

// Harness is a real timd HTTP server on a real store.
type Harness struct {
	tb      testing.TB
	URL     string
	Handler http.Handler
	Store   *sqlstore.DB
	Apps    []*im.App
}

// MustOpenHarness starts the API on the database dsn names, with rate limits
// off unless opts say otherwise.
func MustOpenHarness(tb testing.TB, dsn string, opts ...func(*api.Options)) *Harness {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	apps := []*im.App{
		{SDKAppID: TestAppID, SecretKey: TestKey, Admins: []string{Admin, "admin2"}, Edition: im.EditionUltimate,
			ProfileFields: testProfileFields, Control: true},
		{SDKAppID: OtherAppID, SecretKey: OtherKey, Admins: []string{Admin}, Edition: im.EditionUltimate},
	}
	for _, a := range apps {
		if err := db.EnsureAccounts(context.Background(), a.SDKAppID, a.Admins); err != nil {
			tb.Fatal(err)
		}
	}
	o := api.Options{Apps: apps, Store: db, RateLimit: api.RateOff}
	for _, f := range opts {
		f(&o)
	}
	handler := api.NewServer(o).Handler()
	srv := httptest.NewServer(handler)
	tb.Cleanup(srv.Close)
	return &Harness{tb: tb, URL: srv.URL, Handler: handler, Store: db, Apps: apps}
}

// Sig makes a UserSig with Tencent's own library.
func Sig(tb testing.TB, appID int, key, identifier string, expire int) string {
	tb.Helper()
	s, err := tencentyun.GenUserSig(appID, key, identifier, expire)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// AdminQuery is the query of a well-formed admin call to TestApp.
func AdminQuery(tb testing.TB) string {
	return "sdkappid=1400000001&identifier=administrator&usersig=" + Sig(tb, TestAppID, TestKey, Admin, 86400) +
		"&random=12345&contenttype=json"
}

// Reply is a reply body: decoded (numbers as json.Number) and raw.
type Reply struct {
	M   map[string]any
	Raw string
}

// String returns the raw reply.
func (r Reply) String() string { return r.Raw }

// Code returns the reply's ErrorCode, failing if it is not a JSON number.
func (r Reply) Code(tb testing.TB) int {
	tb.Helper()
	n, ok := r.M["ErrorCode"].(json.Number)
	if !ok {
		tb.Fatalf("ErrorCode is not a JSON number: %#v", r.M["ErrorCode"])
	}
	i, _ := n.Int64()
	return int(i)
}

// Do sends a request and checks the invariants of every reply: HTTP 200,
// JSON content type, the envelope fields with matching ActionStatus.
func (h *Harness) Do(method, path, query, body string) Reply {
	h.tb.Helper()
	req, err := http.NewRequest(method, h.URL+path+"?"+query, strings.NewReader(body))
	if err != nil {
		h.tb.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		h.tb.Fatalf("%s %s: HTTP %d: %s", method, path, resp.StatusCode, raw)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		h.tb.Fatalf("Content-Type = %q", ct)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	r := Reply{Raw: string(raw)}
	if err := dec.Decode(&r.M); err != nil {
		h.tb.Fatalf("reply is not JSON: %v: %s", err, raw)
	}
	code := r.Code(h.tb)
	status, _ := r.M["ActionStatus"].(string)
	if _, ok := r.M["ErrorInfo"].(string); !ok {
		h.tb.Fatalf("ErrorInfo missing: %s", raw)
	}
	if (code == 0) != (status == "OK") || (status != "OK" && status != "FAIL") {
		h.tb.Fatalf("ActionStatus %q with ErrorCode %d: %s", status, code, raw)
	}
	_, hasDisplay := r.M["ErrorDisplay"]
	svc := strings.Split(strings.TrimPrefix(path, "/v4/"), "/")[0]
	if wantDisplay := svc == "sns" || svc == "recentcontact" || svc == "profile" || svc == "follow"; hasDisplay != wantDisplay {
		h.tb.Fatalf("ErrorDisplay present = %v for %s: %s", hasDisplay, path, raw)
	}
	return r
}

// Call sends an admin call to TestApp.
func (h *Harness) Call(service, command, body string) Reply {
	h.tb.Helper()
	return h.Do("POST", "/v4/"+service+"/"+command, AdminQuery(h.tb), body)
}

// MustCall sends an admin call and fails unless it answers code.
func (h *Harness) MustCall(code int, service, command, body string) Reply {
	h.tb.Helper()
	r := h.Call(service, command, body)
	if got := r.Code(h.tb); got != code {
		h.tb.Fatalf("%s/%s %s: ErrorCode %d, want %d: %v", service, command, body, got, code, r)
	}
	return r
}

func httpGet(u string) (string, error) {
	resp, err := http.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
