package main

import (
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const okReply = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`

// Ensure a start with nothing configured prints a working first call: the
// development app, its admin and key, and a curl command whose URL (already
// carrying the real port) imports alice.
func TestMain_ZeroConfig(t *testing.T) {
	m := MustRunMain(t, nil)
	w := m.DevWelcome(t)

	if w.SDKAppID < 1_400_000_000 || w.SDKAppID >= 1_500_000_000 {
		t.Errorf("SDKAppID %d outside Tencent's 14xxxxxxxx range", w.SDKAppID)
	}
	if w.Admin != "administrator" {
		t.Errorf("admin = %q, want administrator", w.Admin)
	}
	if len(w.SecretKey) != 64 {
		t.Errorf("no 64-hex secret key in the welcome output:\n%s", w.Out)
	}
	if !strings.Contains(w.Out, "development app created now") {
		t.Errorf("first start does not say the app was created:\n%s", w.Out)
	}
	if len(m.Apps) != 1 || m.Apps[0].SDKAppID != w.SDKAppID || m.Apps[0].SecretKey != w.SecretKey || !m.DevAppCreated {
		t.Errorf("printed app %d/%s is not the served one: %+v", w.SDKAppID, w.SecretKey, m.Apps)
	}

	u, err := url.Parse(w.CurlURL)
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(m.URL(), "http://"); u.Host != want || strings.HasSuffix(u.Host, ":0") {
		t.Errorf("curl host %q, want the real address %q", u.Host, want)
	}
	if q := u.Query(); q.Get("sdkappid") != strconv.FormatUint(w.SDKAppID, 10) ||
		q.Get("identifier") != "administrator" || q.Get("contenttype") != "json" {
		t.Errorf("curl query %v does not match the printed app", q)
	}
	if w.CurlBody != `{"UserID":"alice","Nick":"Alice"}` {
		t.Errorf("curl body = %s", w.CurlBody)
	}
	if r := Post(t, w.CurlURL, w.CurlBody); r.Raw != okReply {
		t.Fatalf("printed curl command answered %s, want %s", r.Raw, okReply)
	}
}

// Ensure the development app is stored with the data: a second start on the
// same TIMD_DATA serves the same app and key, no longer says it created it,
// accepts UserSigs from Tencent's library and still has alice.
func TestMain_DevAppPersisted(t *testing.T) {
	data := filepath.Join(t.TempDir(), "timd.db")
	env := map[string]string{"TIMD_DATA": data}

	m1 := MustRunMain(t, env)
	w1 := m1.DevWelcome(t)
	if r := Post(t, w1.CurlURL, w1.CurlBody); r.Raw != okReply {
		t.Fatalf("import alice: %s", r.Raw)
	}
	if err := m1.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	m2 := MustRunMain(t, env)
	w2 := m2.DevWelcome(t)
	if w2.SDKAppID != w1.SDKAppID || w2.SecretKey != w1.SecretKey {
		t.Fatalf("second start serves %d/%s, first served %d/%s", w2.SDKAppID, w2.SecretKey, w1.SDKAppID, w1.SecretKey)
	}
	if m2.DevAppCreated || strings.Contains(w2.Out, "created now") || !strings.Contains(w2.Out, "reused on later starts") {
		t.Errorf("second start output still claims a new app:\n%s", w2.Out)
	}
	r := m2.MustCall(t, 0, w2.SDKAppID, w2.SecretKey, "administrator", "im_open_login_svc", "account_check",
		`{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"}]}`)
	if !strings.Contains(r.Raw, `{"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}`) ||
		!strings.Contains(r.Raw, `"UserID":"bob","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"`) {
		t.Errorf("account_check on the second start: %s", r.Raw)
	}
}

// Ensure no default secret ships: two fresh data directories get different
// random keys, and a data directory (not a file) works as TIMD_DATA.
func TestMain_FreshKeys(t *testing.T) {
	w1 := MustRunMain(t, map[string]string{"TIMD_DATA": t.TempDir()}).DevWelcome(t)
	w2 := MustRunMain(t, nil).DevWelcome(t)
	if w1.SecretKey == "" || w1.SecretKey == w2.SecretKey {
		t.Fatalf("two fresh starts printed keys %q and %q", w1.SecretKey, w2.SecretKey)
	}
	if w1.SDKAppID == w2.SDKAppID {
		t.Logf("both fresh starts drew SDKAppID %d (chance 1e-8)", w1.SDKAppID)
	}
}

// Ensure TIMD_ADMINS and TIMD_EDITION without TIMD_SDKAPPID configure the
// development app: its admins are the ones named.
func TestMain_DevAppSettings(t *testing.T) {
	m := MustRunMain(t, map[string]string{"TIMD_ADMINS": "boss,ops", "TIMD_EDITION": "pro"})
	w := m.DevWelcome(t)
	if w.Admin != "boss" || w.SecretKey == "" || m.Apps[0].Edition != "pro" {
		t.Fatalf("development app: admin %q, edition %q:\n%s", w.Admin, m.Apps[0].Edition, w.Out)
	}
	if r := Post(t, w.CurlURL, w.CurlBody); r.Raw != okReply {
		t.Errorf("printed curl command: %s", r.Raw)
	}
	m.MustCall(t, 0, w.SDKAppID, w.SecretKey, "ops", "im_open_login_svc", "account_import", `{"UserID":"dave"}`)
	m.MustCall(t, 60010, w.SDKAppID, w.SecretKey, "administrator", "im_open_login_svc", "account_import", `{"UserID":"dave"}`)
}
