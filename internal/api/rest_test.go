package api_test

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// tencentB64 is the UserSig alphabet: standard base64 with +/= as *-_.
var tencentB64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-").WithPadding('_')

// recompress re-encodes a UserSig's zlib stream at another level: Tencent's
// Go library writes NoCompression, other generators zlib's default level.
func recompress(tb testing.TB, sig string, level int) string {
	tb.Helper()
	return reencode(tb, sig, level, func(doc []byte) []byte { return doc })
}

// reencode inflates a UserSig, passes its JSON document through change and
// deflates the result at level.
func reencode(tb testing.TB, sig string, level int, change func(doc []byte) []byte) string {
	tb.Helper()
	raw, err := tencentB64.DecodeString(sig)
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(raw))
	if err != nil {
		tb.Fatal(err)
	}
	doc, _ := io.ReadAll(zr)
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, level)
	if _, err := zw.Write(change(doc)); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return tencentB64.EncodeToString(b.Bytes())
}

// Ensure every REST-layer rule of docs/decisions.md §1 answers its code, in the
// documented order of checks (§1.3).
func TestREST_Scenarios(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	adminSig := Sig(t, TestAppID, TestKey, Admin, 86400)
	good := "sdkappid=1400000001&identifier=administrator&usersig=" + adminSig
	importPath := "/v4/im_open_login_svc/account_import"
	body := `{"UserID":"alice"}`

	for _, tc := range []struct {
		name   string
		method string
		path   string
		query  string
		body   string
		code   int
	}{
		{"OK", "POST", importPath, good + "&random=99999999&contenttype=json", body, 0},
		{"OK/NoCompressionSig", "POST", importPath, good, body, 0},
		{"OK/DefaultLevelSig", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=" +
			recompress(t, adminSig, zlib.DefaultCompression), body, 0},
		{"OK/NoRandomNoContentType", "POST", importPath, good, body, 0},
		{"OK/HugeRandom", "POST", importPath, good + "&random=999999999999999999999999999999", body, 0},
		{"OK/QueryReorderedAndEscaped", "POST", importPath,
			"usersig=" + url.QueryEscape(adminSig) + "&random=1&identifier=%61dministrator&sdkappid=1400000001", body, 0},
		{"OK/DuplicateParamsFirstWins", "POST", importPath, good + "&sdkappid=1&identifier=bob", body, 0},
		{"OK/UnknownFieldsAndNull", "POST", importPath, good, `{"UserID":"alice","Nick":null,"Extra":{"a":[1,2]}}`, 0},

		{"ErrMethod", "GET", importPath, good, "", 60002},
		{"ErrMethodBeforeSdkappid", "PUT", importPath, "", body, 60002},
		{"ErrBodyTooLarge", "POST", importPath, "", `{"UserID":"` + strings.Repeat("a", 1<<20) + `"}`, 60002},
		{"ErrSdkappidMissing", "POST", importPath, "identifier=administrator&usersig=x", body, 60012},
		{"ErrSdkappidUnknown", "POST", importPath, "sdkappid=1234&identifier=administrator&usersig=x", body, 60006},
		{"ErrSdkappidNotNumber", "POST", importPath, "sdkappid=abc&identifier=administrator&usersig=x", body, 60006},
		{"ErrSdkappidLeadingZero", "POST", importPath, "sdkappid=01400000001&identifier=administrator&usersig=" + adminSig, body, 60006},
		{"ErrSdkappidLeadingZeros", "POST", importPath, "sdkappid=0001400000001&identifier=administrator&usersig=" + adminSig, body, 60006},
		{"ErrSdkappidPlus", "POST", importPath, "sdkappid=%2B1400000001&identifier=administrator&usersig=" + adminSig, body, 60006},
		{"ErrSdkappidSpace", "POST", importPath, "sdkappid=+1400000001&identifier=administrator&usersig=" + adminSig, body, 60006},
		{"ErrSdkappidTrailingSpace", "POST", importPath, "sdkappid=1400000001%20&identifier=administrator&usersig=" + adminSig, body, 60006},
		{"ErrSdkappidZero", "POST", importPath, "sdkappid=0&identifier=administrator&usersig=" + adminSig, body, 60006},
		{"ErrIdentifierMissing", "POST", importPath, "sdkappid=1400000001&usersig=" + adminSig, body, 60004},
		{"ErrUsersigMissing", "POST", importPath, "sdkappid=1400000001&identifier=administrator", body, 70002},
		{"ErrUsersigEmpty", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=", body, 70002},
		{"ErrUsersigUndecodable", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=xxx", body, 70003},
		{"ErrUsersigTruncated", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=" + adminSig[:len(adminSig)/2], body, 70003},
		{"ErrUsersigForged", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=" +
			Sig(t, TestAppID, "not-the-key", Admin, 86400), body, 70009},
		{"ErrUsersigOtherIdentifier", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=" +
			Sig(t, TestAppID, TestKey, "admin2", 86400), body, 70013},
		{"ErrUsersigForeignApp", "POST", importPath, "sdkappid=1400000001&identifier=administrator&usersig=" +
			Sig(t, OtherAppID, OtherKey, Admin, 86400), body, 70014},
		{"ErrNotAdmin", "POST", importPath, "sdkappid=1400000001&identifier=alice&usersig=" +
			Sig(t, TestAppID, TestKey, "alice", 86400), body, 60010},
		{"ErrNotAdminBeforeRoute", "POST", "/v4/im_open_login_svc/nope", "sdkappid=1400000001&identifier=alice&usersig=" +
			Sig(t, TestAppID, TestKey, "alice", 86400), body, 60010},
		{"ErrUnknownCommand", "POST", "/v4/im_open_login_svc/nope", good, "not json", 60009},
		{"ErrUnknownService", "POST", "/v4/nope/account_import", good, body, 60009},
		{"ErrUnknownPath", "POST", "/v4/", good, body, 60009},
		{"ErrUnknownGroupCommand", "POST", "/v4/group_open_http_svc/nope", good, body, 10003},
		{"ErrJSON", "POST", importPath, good, `{"UserID":`, 60003},
		{"ErrJSONGarbage", "POST", importPath, good, `UserID=alice`, 60003},
		{"ErrWrongType", "POST", importPath, good, `{"UserID":42}`, 70402},
		{"ErrNotAnObject", "POST", importPath, good, `["alice"]`, 70402},
		{"ErrEmptyBodyIsEmptyObject", "POST", importPath, good, ``, 70402},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := h.Do(tc.method, tc.path, tc.query, tc.body)
			if got := r.Code(t); got != tc.code {
				t.Fatalf("ErrorCode = %d, want %d: %v", got, tc.code, r)
			}
		})
	}
}

// Ensure sns and recentcontact replies carry ErrorDisplay even when the REST
// layer stops them (Do checks its presence).
func TestREST_ErrorDisplay(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	for _, p := range []string{"/v4/sns/nope", "/v4/recentcontact/nope"} {
		if r := h.Do("POST", p, AdminQuery(t), "{}"); r.Code(t) != 60009 {
			t.Fatalf("%s: %v", p, r)
		}
	}
}

// Ensure the per-app, per-API rate limit answers 60007 once a second's
// calls are used up, separately for each API and each app.
func TestREST_RateLimit(t *testing.T) {
	now := time.Now()
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.RateLimit = api.RateTencent
		o.Now = func() time.Time { return now } // no refill during the test
	})
	check := `{"CheckItem":[{"UserID":"alice"}]}`
	for i := 0; i < 100; i++ {
		h.MustCall(0, "im_open_login_svc", "account_check", check)
	}
	h.MustCall(60007, "im_open_login_svc", "account_check", check)
	// Another API of the same app still has its own 200.
	h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
	// Another app is not affected.
	other := "sdkappid=1400000002&identifier=administrator&usersig=" + Sig(t, OtherAppID, OtherKey, Admin, 86400)
	if r := h.Do("POST", "/v4/im_open_login_svc/account_check", other, check); r.Code(t) != 0 {
		t.Fatalf("other app: %v", r)
	}

	fixed := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.RateLimit = 3
		o.Now = func() time.Time { return now }
	})
	for i := 0; i < 3; i++ {
		fixed.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
	}
	fixed.MustCall(60007, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
}

// Ensure junk UserSigs lock out the address that sends them (70050 for its
// junk after 20 failures within a minute) and never the valid admin: its
// UserSig passes from that address and from any other, while junk from
// another address still gets its own code.
func TestREST_SigLockout(t *testing.T) {
	now := time.Now()
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.Now = func() time.Time { return now }
	})
	const attacker, other = "198.51.100.7:40000", "192.0.2.1:50000"
	forged := "sdkappid=1400000001&identifier=administrator&usersig=" + Sig(t, TestAppID, "guess", Admin, 86400)
	for i := range 25 {
		want := 70009
		if i >= 20 {
			want = 70050
		}
		if r := serveFrom(t, h, attacker, "/v4/im_open_login_svc/account_check", forged, "{}"); r.Code(t) != want {
			t.Fatalf("junk %d: want %d: %v", i+1, want, r)
		}
	}
	for _, from := range []string{attacker, other} {
		if r := serveFrom(t, h, from, "/v4/im_open_login_svc/account_import", AdminQuery(t), `{"UserID":"alice"}`); r.Code(t) != 0 {
			t.Fatalf("valid admin UserSig from %s: %v", from, r)
		}
	}
	// A fresh, never cached, valid UserSig passes too.
	fresh := "sdkappid=1400000001&identifier=administrator&usersig=" + Sig(t, TestAppID, TestKey, Admin, 3600)
	if r := serveFrom(t, h, attacker, "/v4/im_open_login_svc/account_import", fresh, `{"UserID":"alice"}`); r.Code(t) != 0 {
		t.Fatalf("fresh valid UserSig from the attacker's address: %v", r)
	}
	if r := serveFrom(t, h, attacker, "/v4/im_open_login_svc/account_check", forged, "{}"); r.Code(t) != 70050 {
		t.Fatalf("junk from the locked address: %v", r)
	}
	if r := serveFrom(t, h, other, "/v4/im_open_login_svc/account_check", forged, "{}"); r.Code(t) != 70009 {
		t.Fatalf("junk from another address: %v", r)
	}
	now = now.Add(time.Minute)
	if r := serveFrom(t, h, attacker, "/v4/im_open_login_svc/account_check", forged, "{}"); r.Code(t) != 70009 {
		t.Fatalf("junk once the lock is over: %v", r)
	}
}

// serveFrom sends a request through h's handler as if from remoteAddr and
// checks the envelope.
func serveFrom(t *testing.T, h *Harness, remoteAddr, path, query, body string) Reply {
	t.Helper()
	req := httptest.NewRequest("POST", path+"?"+query, strings.NewReader(body))
	req.RemoteAddr = remoteAddr
	w := httptest.NewRecorder()
	h.Handler.ServeHTTP(w, req)
	return checkEnvelope(t, path, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
}

// Ensure a UserSig is refused with 70001 from the second after it expires,
// also when its verification was cached while it was valid.
func TestREST_SigExpiry(t *testing.T) {
	now := time.Now()
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.Now = func() time.Time { return now }
	})
	query := "sdkappid=1400000001&identifier=administrator&usersig=" + Sig(t, TestAppID, TestKey, Admin, 60)
	if r := h.Do("POST", "/v4/im_open_login_svc/account_check", query, `{"CheckItem":[{"UserID":"a"}]}`); r.Code(t) != 0 {
		t.Fatalf("fresh: %v", r)
	}
	now = now.Add(2 * time.Minute)
	if r := h.Do("POST", "/v4/im_open_login_svc/account_check", query, `{"CheckItem":[{"UserID":"a"}]}`); r.Code(t) != 70001 {
		t.Fatalf("expired: %v", r)
	}
}

// Ensure the health endpoints answer.
func TestHealth(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, err := httpGet(h.URL + p)
		if err != nil || resp != "ok\n" {
			t.Fatalf("%s: %q %v", p, resp, err)
		}
	}
}

// Ensure a request's Content-Type does not matter: Tencent's callers send
// none, application/json, text/plain or a form type with a JSON body, and
// each is read as JSON.
func TestREST_AnyRequestContentType(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	for i, ct := range []string{"", "application/json", "application/json; charset=utf-8", "text/plain",
		"application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream"} {
		req, err := http.NewRequest("POST", h.URL+"/v4/im_open_login_svc/account_import?"+AdminQuery(t),
			strings.NewReader(fmt.Sprintf(`{"UserID":"ct%d"}`, i)))
		if err != nil {
			t.Fatal(err)
		}
		if ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(raw), `"ErrorCode":0`) {
			t.Errorf("Content-Type %q: HTTP %d %s", ct, resp.StatusCode, raw)
		}
	}
	r := h.MustCall(0, login, "account_check", `{"CheckItem":[{"UserID":"ct3"},{"UserID":"ct6"}]}`)
	if strings.Count(r.Raw, `"AccountStatus":"Imported"`) != 2 {
		t.Fatalf("accounts imported under other types: %s", r)
	}
}
