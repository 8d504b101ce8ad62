package config

import (
	"strings"
	"testing"
	"time"
)

// Ensure Validate reports every problem of a configuration in one error, one
// line each, each naming where it is.
func TestConfig_Validate(t *testing.T) {
	c := Default()
	c.Addr = ""
	c.RateLimit = "fast"
	c.LogLevel = "loud"
	c.LogFormat = "xml"
	c.MaxConns = 0
	c.MaxBodyBytes = -1
	c.MaxConnections = 0
	c.MaxInflightBytes = -2
	c.ShutdownTimeout = -1
	c.CallbackRetention = 0
	c.CallbackLease = -time.Second
	c.App.SecretKey = "k" // without an SDKAppID
	c.Apps = []AppConfig{
		{SDKAppID: 1, Edition: "gold"},
		{SDKAppID: 1, SecretKey: "x", Admins: []string{"ok", "bad\tid"}, Edition: "pro",
			Callback: CallbackConfig{URL: "ftp://cb.example", Secrets: []string{"whsec_c2VjcmV0", "nope"}}},
		{SecretKey: "y", Admins: []string{"a"}, Edition: "standard"},
		{SDKAppID: 3, SecretKey: "z", Admins: []string{"a"}, Edition: "pro", Callback: CallbackConfig{
			Commands: []string{"Group.CallbackAfterCreateGroup", "group.CallbackX", "Sns.", "Sns.Callback Friend"},
			Timeout:  new(time.Duration), Retry: []time.Duration{0, -time.Second}, Concurrency: new(int),
			BeforeTimeout: ptr(-time.Second), OnFailure: "deny"}},
		{SDKAppID: 4, SecretKey: "w", Admins: []string{"a"}, Edition: "pro", Callback: CallbackConfig{Retry: []time.Duration{}}},
	}
	want := []string{
		"addr (TIMD_ADDR) is empty",
		`rate_limit (TIMD_RATE_LIMIT): rate limit "fast"`,
		"max_body_bytes must be positive",
		"max_connections (TIMD_MAX_CONNECTIONS) must be positive",
		"max_inflight_bytes (TIMD_MAX_INFLIGHT_BYTES) must be at least max_body_bytes",
		"max_conns must be positive",
		"shutdown_timeout must not be negative",
		`log_level "loud"`,
		`log_format "xml"`,
		"TIMD_SECRET_KEY is set but TIMD_SDKAPPID is not",
		"apps[0]: secret key (TIMD_SECRET_KEY) is required",
		"apps[0]: at least one admin identifier (TIMD_ADMINS) is required",
		`apps[0]: edition "gold": want ultimate, pro or standard`,
		"apps[1]: sdkappid 1 appears twice",
		`apps[1]: admin "bad\tid" is not a valid identifier`,
		`apps[1]: callback url "ftp://cb.example" must be an http:// or https:// URL, or internal to capture callbacks`,
		"apps[1]: callback secret: secret must start with whsec_",
		"apps[2]: sdkappid is required",
		"callback_retention (TIMD_CALLBACK_RETENTION) must be positive",
		"callback_lease (TIMD_CALLBACK_LEASE) must be positive",
		`apps[3]: callback command "group.CallbackX": want Group.<name>, Sns.<name> or Profile.<name>`,
		`apps[3]: callback command "Sns."`,
		`apps[3]: callback command "Sns.Callback Friend"`,
		"apps[3]: callback timeout (TIMD_CALLBACK_TIMEOUT) must be positive",
		"apps[3]: callback retry delay -1s must not be negative",
		"apps[3]: callback concurrency (TIMD_CALLBACK_CONCURRENCY) must be positive",
		"apps[3]: callback before_timeout (TIMD_CALLBACK_BEFORE_TIMEOUT) must be positive",
		`apps[3]: callback on_failure "deny" (TIMD_CALLBACK_ON_FAILURE): want allow or reject`,
		"apps[4]: callback retry (TIMD_CALLBACK_RETRY) needs at least one delay",
	}
	err := c.Validate()
	mustContainAll(t, err, want...)
	if err != nil {
		if lines := strings.Split(err.Error(), "\n"); len(lines) != len(want) {
			t.Errorf("%d problems reported, want %d:\n%v", len(lines), len(want), err)
		}
	}
}

// Ensure the single app of flags and environment is checked as
// "TIMD_SDKAPPID app", and the development app's settings as "app".
func TestConfig_ValidateSingleApp(t *testing.T) {
	c := Default()
	c.App.SDKAppID = 1400000099
	c.App.Admins = nil
	c.App.Callback.Secrets = []string{"whsec_"}
	mustContainAll(t, c.Validate(),
		"TIMD_SDKAPPID app: secret key (TIMD_SECRET_KEY) is required",
		"TIMD_SDKAPPID app: at least one admin identifier",
		"TIMD_SDKAPPID app: callback secret: secret after whsec_ must be non-empty base64")

	c = Default()
	c.App.Edition = "gold"
	c.App.Callback.URL = "https://"
	err := c.Validate()
	mustContainAll(t, err, `app: edition "gold"`, `app: callback url "https://"`)
	if strings.Contains(err.Error(), "sdkappid") || strings.Contains(err.Error(), "secret key") {
		t.Errorf("development app reported for missing SDKAppID or key: %v", err)
	}

	c = Default()
	c.App = AppConfig{SDKAppID: 1, SecretKey: "k", Admins: []string{"boss"}, Edition: "standard",
		Callback: CallbackConfig{URL: "http://127.0.0.1:9/cb", Token: "t", Secrets: []string{"whsec_c2VjcmV0"}}}
	if err := c.Validate(); err != nil {
		t.Errorf("valid single app rejected: %v", err)
	}
	c.App.Callback = CallbackConfig{URL: "http://127.0.0.1:9/cb", Commands: []string{"Sns.CallbackPrevFriendAdd"},
		Timeout: ptr(time.Millisecond), Retry: []time.Duration{0}, Concurrency: ptr(1), BeforeTimeout: ptr(time.Second),
		OnFailure: "allow"}
	if err := c.Validate(); err != nil {
		t.Errorf("valid callback settings rejected: %v", err)
	}
}

// Ensure explicit zeros from the environment, flags or the file are reported
// by Validate, not silently turned into the defaults.
func TestConfig_ValidateCallbackZeros(t *testing.T) {
	c, err := Load([]string{"--callback-concurrency", "0"}, env(map[string]string{
		"TIMD_CALLBACK_TIMEOUT": "0s", "TIMD_CALLBACK_BEFORE_TIMEOUT": "0s", "TIMD_CALLBACK_RETRY": ",",
		"TIMD_CALLBACK_RETENTION": "0s", "TIMD_CALLBACK_COMMANDS": "Friend.Add", "TIMD_CALLBACK_ON_FAILURE": "Reject",
	}))
	if err != nil {
		t.Fatal(err)
	}
	mustContainAll(t, c.Validate(),
		"app: callback timeout", "app: callback before_timeout", "app: callback concurrency",
		"app: callback retry (TIMD_CALLBACK_RETRY) needs at least one delay", "callback_retention",
		`app: callback command "Friend.Add"`, `app: callback on_failure "Reject"`)

	file := writeFile(t, "callback_retention: 0s\napps:\n  - sdkappid: 1\n    secret_key: k\n"+
		"    callback: {timeout: 0s, retry: [], concurrency: 0, before_timeout: 0s}\n")
	c, err = Load([]string{"--config", file}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	mustContainAll(t, c.Validate(), "callback_retention", "apps[0]: callback timeout", "apps[0]: callback retry",
		"apps[0]: callback concurrency", "apps[0]: callback before_timeout")
}

// Ensure RateLimitPerSec maps "tencent" (and unset) to -1, "off" to 0, a
// positive number to itself and rejects anything else.
func TestConfig_RateLimitPerSec(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"tencent", -1, true},
		{"", -1, true},
		{"off", 0, true},
		{"50", 50, true},
		{"1", 1, true},
		{"0", 0, false},
		{"-3", 0, false},
		{"x", 0, false},
		{"5/s", 0, false},
		{"Tencent", 0, false},
	}
	for _, tt := range tests {
		c := Config{RateLimit: tt.in}
		got, err := c.RateLimitPerSec()
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("RateLimitPerSec(%q) = %d, %v; want %d, ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), `"`+tt.in+`"`) {
			t.Errorf("RateLimitPerSec(%q) error does not quote the value: %v", tt.in, err)
		}
	}
}
