package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/usersig"
)

const (
	cfgAppID = 1400000099
	cfgKey   = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"
)

// Ensure an app configured through TIMD_* variables is served with its
// admins only, its key stays out of the output, and each way a UserSig can
// be wrong gets Tencent's code.
func TestMain_ConfiguredApp(t *testing.T) {
	m := MustRunMain(t, map[string]string{
		"TIMD_SDKAPPID": "1400000099", "TIMD_SECRET_KEY": cfgKey, "TIMD_ADMINS": "boss,ops",
	})
	w := m.Welcome(t)
	if w.SDKAppID != cfgAppID || w.Admin != "boss" {
		t.Errorf("welcome shows app %d admin %q, want %d boss", w.SDKAppID, w.Admin, cfgAppID)
	}
	if strings.Contains(w.Out, cfgKey) || w.SecretKey != "" || !strings.Contains(w.Out, "(from your configuration)") {
		t.Errorf("welcome output prints the configured key:\n%s", w.Out)
	}
	// An admin UserSig valid 180 days is as good as the key: a configured
	// app's welcome says how to make one and prints none, nor a curl
	// command carrying one.
	if w.CurlURL != "" || strings.Contains(w.Out, "usersig=") || strings.Contains(w.Out, "valid 180 days") ||
		strings.Contains(w.Out, "eJw") || // every UserSig starts so: zlib's header in base64
		!strings.Contains(w.Out, "timd usersig --sdkappid 1400000099 --key <secret key> --identifier boss") {
		t.Errorf("welcome output of a configured app prints a UserSig or lacks how to make one:\n%s", w.Out)
	}
	if m.DevAppCreated || len(m.Apps) != 1 {
		t.Errorf("DevAppCreated %v, %d apps", m.DevAppCreated, len(m.Apps))
	}

	const svc, cmd, body = "im_open_login_svc", "account_import", `{"UserID":"carol"}`
	m.MustCall(t, 0, cfgAppID, cfgKey, "ops", svc, cmd, body)
	m.MustCall(t, 0, cfgAppID, cfgKey, "boss", svc, cmd, body)
	m.MustCall(t, 60010, cfgAppID, cfgKey, "administrator", svc, cmd, body)

	expired, err := usersig.Gen(cfgAppID, cfgKey, "ops", 86400, time.Now().Add(-30*24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		appID uint64 // in the URL
		sig   string
		code  int
	}{
		{"Forged", cfgAppID, TencentSig(t, cfgAppID, strings.Repeat("0", 64), "ops"), 70009},
		{"Expired", cfgAppID, expired, 70001},
		{"OtherApp", cfgAppID, TencentSig(t, cfgAppID-1, cfgKey, "ops"), 70014},
		{"OtherIdentifier", cfgAppID, TencentSig(t, cfgAppID, cfgKey, "boss"), 70013},
		{"Empty", cfgAppID, "", 70002},
		{"Garbage", cfgAppID, "not-a-sig", 70003},
		{"UnknownApp", cfgAppID - 1, TencentSig(t, cfgAppID-1, cfgKey, "ops"), 60006},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Post(t, CallURL(m.URL(), svc, cmd, tt.appID, "ops", tt.sig), body)
			if got := r.Code(t); got != tt.code {
				t.Errorf("ErrorCode %d, want %d: %s", got, tt.code, r.Raw)
			}
		})
	}
	// The failures above do not lock ops out.
	m.MustCall(t, 0, cfgAppID, cfgKey, "ops", svc, cmd, body)
}

// Ensure ParseFlags reports every problem of a bad configuration in one
// error and leaves the configuration alone.
func TestMain_InvalidConfig(t *testing.T) {
	env := map[string]string{
		"TIMD_EDITION":         "gold",
		"TIMD_RATE_LIMIT":      "fast",
		"TIMD_SECRET_KEY":      "k", // without TIMD_SDKAPPID
		"TIMD_LOG_LEVEL":       "loud",
		"TIMD_CALLBACK_URL":    "ftp://cb.example",
		"TIMD_CALLBACK_SECRET": "hunter2",
		"TIMD_DATA":            filepath.Join(t.TempDir(), "timd.db"),
	}
	m := NewMain()
	err := m.ParseFlags([]string{"--log-format", "xml"}, func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("ParseFlags accepted a bad configuration")
	}
	for _, want := range []string{
		"invalid configuration",
		`edition "gold"`,
		`rate limit "fast"`,
		"TIMD_SECRET_KEY is set but TIMD_SDKAPPID is not",
		`log_level "loud"`,
		`log_format "xml"`,
		`callback url "ftp://cb.example"`,
		"callback secret: secret must start with whsec_",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	if m.Config.RateLimit != "tencent" || m.Config.App.Edition != "ultimate" {
		t.Errorf("a failed ParseFlags changed the configuration: %+v", m.Config)
	}
}

// Ensure a value that does not parse does not hide the problems Validate
// would find in the rest of the configuration.
func TestMain_InvalidConfigParseAndValidate(t *testing.T) {
	env := map[string]string{"TIMD_MAX_CONNS": "lots", "TIMD_SDKAPPID": "0", "TIMD_EDITION": "gold"}
	err := NewMain().ParseFlags(nil, func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("ParseFlags accepted a bad configuration")
	}
	for _, want := range []string{"TIMD_MAX_CONNS", "TIMD_SDKAPPID", `edition "gold"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// Ensure apps from a config file are all served, the first in the welcome
// output, and a TIMD_SDKAPPID app with a file app's SDKAppID replaces it.
func TestMain_ConfigFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "timd.yaml")
	yaml := `apps:
  - sdkappid: 1400000011
    secret_key: key-eleven
  - sdkappid: 1400000012
    secret_key: key-twelve-file
    admins: [ops]
`
	if err := os.WriteFile(file, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	m := MustRunMain(t, map[string]string{
		"TIMD_CONFIG": file, "TIMD_SDKAPPID": "1400000012", "TIMD_SECRET_KEY": "key-twelve-env", "TIMD_ADMINS": "boss",
	})
	w := m.Welcome(t)
	if w.SDKAppID != 1400000011 || w.Admin != "administrator" || !strings.Contains(w.Out, "(1 more apps configured)") {
		t.Errorf("welcome output:\n%s", w.Out)
	}
	if strings.Contains(w.Out, "key-eleven") || strings.Contains(w.Out, "key-twelve") {
		t.Errorf("welcome output prints a configured key:\n%s", w.Out)
	}
	const svc, cmd, body = "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"boss"}]}`
	m.MustCall(t, 0, 1400000011, "key-eleven", "administrator", svc, cmd, body)
	r := m.MustCall(t, 0, 1400000012, "key-twelve-env", "boss", svc, cmd, body)
	if !strings.Contains(r.Raw, `"AccountStatus":"Imported"`) {
		t.Errorf("admin boss is not an imported account: %s", r.Raw)
	}
	m.MustCall(t, 70009, 1400000012, "key-twelve-file", "boss", svc, cmd, body)
	m.MustCall(t, 60010, 1400000012, "key-twelve-env", "ops", svc, cmd, body)
}
