package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/im"
)

// env turns a map into the getenv Load takes.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// writeFile writes a config file into a fresh temporary directory.
func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "timd.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// mustLoad loads and validates, failing on any error.
func mustLoad(t *testing.T, args []string, m map[string]string) Config {
	t.Helper()
	c, err := Load(args, env(m))
	if err != nil {
		t.Fatalf("Load(%q): %v", args, err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	return c
}

// mustContainAll fails unless err mentions every one of wants.
func mustContainAll(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("error = nil, want one mentioning %q", wants)
	}
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
}

// Ensure that with nothing set Load returns exactly the defaults, which are
// valid and select the development app.
func TestConfig_Default(t *testing.T) {
	c := mustLoad(t, nil, nil)
	if !reflect.DeepEqual(c, Default()) {
		t.Fatalf("Load with nothing set = %+v\nwant %+v", c, Default())
	}
	if c.Addr != "127.0.0.1:8080" || c.App.Edition != "ultimate" || !reflect.DeepEqual(c.App.Admins, []string{DefaultAdmin}) {
		t.Fatalf("unexpected defaults: %+v", c)
	}
	if apps := c.AllApps(); len(apps) != 0 {
		t.Fatalf("AllApps = %+v, want none (development app)", apps)
	}
}

// Ensure the layers apply in order: defaults < file < TIMD_* < flags, each
// layer changing only what it sets.
func TestConfig_LoadPrecedence(t *testing.T) {
	file := writeFile(t, "addr: file:1\ndata: file.db\nrate_limit: \"7\"\nlog_level: debug\nmax_conns: 3\n")
	other := writeFile(t, "addr: other:1\n")
	vars := map[string]string{"TIMD_ADDR": "env:1", "TIMD_DATA": "env.db", "TIMD_CONFIG": file}

	c := mustLoad(t, []string{"--addr", "flag:1"}, vars)
	want := [][2]string{
		{c.Addr, "flag:1"},    // flag over env over file
		{c.Data, "env.db"},    // env over file
		{c.RateLimit, "7"},    // file over default
		{c.LogLevel, "debug"}, // file over default
		{c.LogFormat, "text"}, // default
		{c.App.Edition, "ultimate"},
	}
	for i, w := range want {
		if w[0] != w[1] {
			t.Errorf("field %d = %q, want %q", i, w[0], w[1])
		}
	}
	if c.MaxConns != 3 || c.MaxBodyBytes != 1<<20 {
		t.Errorf("MaxConns, MaxBodyBytes = %d, %d; want 3 (file), %d (default)", c.MaxConns, c.MaxBodyBytes, 1<<20)
	}

	// --config wins over TIMD_CONFIG.
	c = mustLoad(t, []string{"--config", other}, map[string]string{"TIMD_CONFIG": file})
	if c.Addr != "other:1" || c.Data != Default().Data {
		t.Errorf("--config over TIMD_CONFIG: Addr, Data = %q, %q", c.Addr, c.Data)
	}
}

// settingCase is one setting's value and what it must set.
type settingCase struct {
	env, value string
	check      func(c Config) bool
}

// settingCases gives a value of every setting and its check.
func settingCases() []settingCase {
	secrets := "whsec_c2VjcmV0MQ==,whsec_c2VjcmV0Mg=="
	return []settingCase{
		{"TIMD_ADDR", "0.0.0.0:9", func(c Config) bool { return c.Addr == "0.0.0.0:9" }},
		{"TIMD_DATA", "postgres://db/timd", func(c Config) bool { return c.Data == "postgres://db/timd" }},
		{"TIMD_SDKAPPID", "1400000099", func(c Config) bool { return c.App.SDKAppID == 1400000099 }},
		{"TIMD_SECRET_KEY", "k3y", func(c Config) bool { return c.App.SecretKey == "k3y" }},
		{"TIMD_ADMINS", "boss,ops, audit", func(c Config) bool { return reflect.DeepEqual(c.App.Admins, []string{"boss", "ops", "audit"}) }},
		{"TIMD_EDITION", "pro", func(c Config) bool { return c.App.Edition == "pro" }},
		{"TIMD_RATE_LIMIT", "off", func(c Config) bool { return c.RateLimit == "off" }},
		{"TIMD_PROFILE_FIELDS", "Test:string:100, Score:integer,Plain", func(c Config) bool {
			return reflect.DeepEqual(c.App.Profile, []ProfileFieldConfig{{"Test", "string", 100}, {"Score", "integer", 0}, {"Plain", "", 0}})
		}},
		{"TIMD_CONTROL", "on", func(c Config) bool { return c.App.Control != nil && *c.App.Control }},
		{"TIMD_TIME_CONTROL", "on", func(c Config) bool { return c.TimeControl }},
		{"TIMD_CONSOLE", "off", func(c Config) bool { return c.Console != nil && !*c.Console && !c.ConsoleOn() }},
		{"TIMD_CALLBACK_URL", "https://cb.example/im", func(c Config) bool { return c.App.Callback.URL == "https://cb.example/im" }},
		{"TIMD_CALLBACK_TOKEN", "tok", func(c Config) bool { return c.App.Callback.Token == "tok" }},
		{"TIMD_CALLBACK_SECRET", secrets, func(c Config) bool { return reflect.DeepEqual(c.App.Callback.Secrets, strings.Split(secrets, ",")) }},
		{"TIMD_CALLBACK_COMMANDS", "Group.CallbackAfterCreateGroup, Sns.CallbackFriendAdd", func(c Config) bool {
			return reflect.DeepEqual(c.App.Callback.Commands, []string{"Group.CallbackAfterCreateGroup", "Sns.CallbackFriendAdd"})
		}},
		{"TIMD_CALLBACK_TIMEOUT", "750ms", func(c Config) bool { return *c.App.Callback.Timeout == 750*time.Millisecond }},
		{"TIMD_CALLBACK_RETRY", "0s, 1s,2m", func(c Config) bool {
			return reflect.DeepEqual(c.App.Callback.Retry, []time.Duration{0, time.Second, 2 * time.Minute})
		}},
		{"TIMD_CALLBACK_CONCURRENCY", "3", func(c Config) bool { return *c.App.Callback.Concurrency == 3 }},
		{"TIMD_CALLBACK_BEFORE_TIMEOUT", "1s", func(c Config) bool { return *c.App.Callback.BeforeTimeout == time.Second }},
		{"TIMD_CALLBACK_ON_FAILURE", "reject", func(c Config) bool { return c.App.Callback.OnFailure == "reject" }},
		{"TIMD_CALLBACK_RETENTION", "24h", func(c Config) bool { return c.CallbackRetention == 24*time.Hour }},
		{"TIMD_CALLBACK_LEASE", "90s", func(c Config) bool { return c.CallbackLease == 90*time.Second }},
		{"TIMD_MAX_BODY_BYTES", "2048", func(c Config) bool { return c.MaxBodyBytes == 2048 }},
		{"TIMD_MAX_CONNECTIONS", "64", func(c Config) bool { return c.MaxConnections == 64 }},
		{"TIMD_MAX_INFLIGHT_BYTES", "4194304", func(c Config) bool { return c.MaxInflightBytes == 4<<20 }},
		{"TIMD_MAX_CONNS", "4", func(c Config) bool { return c.MaxConns == 4 }},
		{"TIMD_SHUTDOWN_TIMEOUT", "1m30s", func(c Config) bool { return c.ShutdownTimeout == 90*time.Second }},
		{"TIMD_LOG_LEVEL", "warn", func(c Config) bool { return c.LogLevel == "warn" }},
		{"TIMD_LOG_FORMAT", "json", func(c Config) bool { return c.LogFormat == "json" }},
		{"TIMD_PPROF_ADDR", "127.0.0.1:6060", func(c Config) bool { return c.PprofAddr == "127.0.0.1:6060" }},
		{"TIMD_PPROF_ALLOW_REMOTE", "true", func(c Config) bool { return c.PprofAllowRemote }},
		{"TIMD_PROXY_ADDR", "127.0.0.1:8443", func(c Config) bool { return c.ProxyAddr == "127.0.0.1:8443" }},
		{"TIMD_PROXY_CA_DIR", "/var/lib/timd/ca", func(c Config) bool { return c.ProxyCADir == "/var/lib/timd/ca" }},
		{"TIMD_PUBLIC_URL", "https://im.example.com", func(c Config) bool { return c.PublicURL == "https://im.example.com" }},
		{"TIMD_READY_FILE", "/run/timd/ready.json", func(c Config) bool { return c.ReadyFile == "/run/timd/ready.json" }},
		{"TIMD_SEED", "/srv/state.json", func(c Config) bool { return c.Seed == "/srv/state.json" }},
	}
}

// Ensure every setting, as TIMD_* variable and as flag, sets its field; and
// that the table below covers every entry of settings.
func TestConfig_LoadEachSetting(t *testing.T) {
	tests := settingCases()
	covered := map[string]bool{}
	for _, tt := range tests {
		covered[tt.env] = true
		var flagName string
		for _, s := range settings {
			if s.env == tt.env {
				flagName = s.flag
			}
		}
		if flagName == "" {
			t.Errorf("%s is not a setting", tt.env)
			continue
		}
		t.Run(tt.env, func(t *testing.T) {
			c, err := Load(nil, env(map[string]string{tt.env: tt.value}))
			if err != nil || !tt.check(c) {
				t.Errorf("%s=%q: err %v, config %+v", tt.env, tt.value, err, c)
			}
			args := []string{"--" + flagName, tt.value}
			if boolSettings[flagName] {
				args = []string{"--" + flagName + "=" + tt.value}
			}
			c, err = Load(args, env(nil))
			if err != nil || !tt.check(c) {
				t.Errorf("--%s %q: err %v, config %+v", flagName, tt.value, err, c)
			}
		})
	}
	for _, s := range settings {
		if !covered[s.env] {
			t.Errorf("setting %s (--%s) has no test", s.env, s.flag)
		}
	}
}

// Ensure unparsable values are all reported at once, naming their source,
// and that unknown flags and stray arguments are errors.
func TestConfig_LoadErrors(t *testing.T) {
	_, err := Load([]string{"--max-body-bytes", "big", "--callback-retry", "0s,later"}, env(map[string]string{
		"TIMD_SDKAPPID": "abc", "TIMD_MAX_CONNS": "many", "TIMD_SHUTDOWN_TIMEOUT": "soon",
		"TIMD_CALLBACK_TIMEOUT": "5", "TIMD_CALLBACK_CONCURRENCY": "lots", "TIMD_CALLBACK_BEFORE_TIMEOUT": "x",
		"TIMD_CALLBACK_RETENTION": "week", "TIMD_CALLBACK_LEASE": "long",
		"TIMD_MAX_CONNECTIONS": "1k", "TIMD_MAX_INFLIGHT_BYTES": "64MiB",
	}))
	mustContainAll(t, err, "TIMD_SDKAPPID", `"abc"`, "TIMD_MAX_CONNS", "TIMD_SHUTDOWN_TIMEOUT", "--max-body-bytes",
		"--callback-retry", `"later"`, "TIMD_CALLBACK_TIMEOUT", "TIMD_CALLBACK_CONCURRENCY", "TIMD_CALLBACK_BEFORE_TIMEOUT",
		"TIMD_CALLBACK_RETENTION", "TIMD_CALLBACK_LEASE", "TIMD_MAX_CONNECTIONS", "TIMD_MAX_INFLIGHT_BYTES")

	if _, err := Load(nil, env(map[string]string{"TIMD_SDKAPPID": "0"})); err == nil {
		t.Error("TIMD_SDKAPPID=0 accepted")
	}
	for u, valid := range map[string]bool{"http://127.0.0.1:8080": true, "https://im.example.com/": true,
		"im.example.com": false, "ftp://im.example.com": false, "https://": false, "https://h/path": false,
		"https://h?q=1": false, "https://u@h": false, "https://h#f": false} {
		c, err := Load(nil, env(map[string]string{"TIMD_PUBLIC_URL": u}))
		if err == nil {
			err = c.Validate()
		}
		if valid != (err == nil) || (err != nil && !strings.Contains(err.Error(), "TIMD_PUBLIC_URL")) {
			t.Errorf("TIMD_PUBLIC_URL=%s: err = %v", u, err)
		}
	}
	if _, err := Load([]string{"serve-me"}, env(nil)); err == nil || !strings.Contains(err.Error(), "serve-me") {
		t.Errorf("stray argument: err = %v", err)
	}
	if _, err := Load(nil, env(map[string]string{"TIMD_CONFIG": filepath.Join(t.TempDir(), "missing.yaml")})); err == nil {
		t.Error("missing config file accepted")
	}
}

// Ensure a file with two apps loads, missing admins and edition take the
// defaults, and the result validates.
func TestConfig_ReadFileTwoApps(t *testing.T) {
	file := writeFile(t, `
addr: 0.0.0.0:8080
shutdown_timeout: 5s
callback_retention: 48h
apps:
  - sdkappid: 1400000001
    secret_key: key-one
    admins: [boss, ops]
    edition: pro
    callback:
      url: https://cb.example/one
      token: t1
      secrets: [whsec_c2VjcmV0]
      commands: [Group.CallbackAfterGroupDestroyed, Sns.CallbackFriendAdd]
      timeout: 3s
      retry: [0s, 5s]
      concurrency: 4
      before_timeout: 500ms
      on_failure: reject
  - sdkappid: 1400000002
    secret_key: key-two
`)
	c := mustLoad(t, []string{"--config", file}, nil)
	if c.Addr != "0.0.0.0:8080" || c.ShutdownTimeout != 5*time.Second || c.CallbackRetention != 48*time.Hour {
		t.Errorf("Addr, ShutdownTimeout, CallbackRetention = %q, %v, %v", c.Addr, c.ShutdownTimeout, c.CallbackRetention)
	}
	want := []AppConfig{
		{SDKAppID: 1400000001, SecretKey: "key-one", Admins: []string{"boss", "ops"}, Edition: "pro",
			Callback: CallbackConfig{URL: "https://cb.example/one", Token: "t1", Secrets: []string{"whsec_c2VjcmV0"},
				Commands: []string{"Group.CallbackAfterGroupDestroyed", "Sns.CallbackFriendAdd"},
				Timeout:  ptr(3 * time.Second), Retry: []time.Duration{0, 5 * time.Second}, Concurrency: ptr(4),
				BeforeTimeout: ptr(500 * time.Millisecond), OnFailure: "reject"}},
		{SDKAppID: 1400000002, SecretKey: "key-two", Admins: []string{DefaultAdmin}, Edition: "ultimate"},
	}
	if got := c.AllApps(); !reflect.DeepEqual(got, want) {
		t.Errorf("AllApps =\n%+v\nwant\n%+v", got, want)
	}

	empty := writeFile(t, "")
	if c := mustLoad(t, []string{"--config", empty}, nil); !reflect.DeepEqual(c, Default()) {
		t.Errorf("empty file changed the defaults: %+v", c)
	}
}

func ptr[T any](v T) *T { return &v }

// Ensure CallbackConfig turns an app's callback block into the domain type:
// unset settings at their defaults, set ones as they are, slices copied.
func TestConfig_CallbackConfig(t *testing.T) {
	got := AppConfig{Callback: CallbackConfig{URL: "http://cb", Token: "t", Secrets: []string{"whsec_c2VjcmV0"}}}.CallbackConfig()
	want := im.CallbackConfig{URL: "http://cb", Token: "t", Secret: []string{"whsec_c2VjcmV0"},
		Timeout: 5 * time.Second, Retry: im.DefaultRetry(), Concurrency: 16, BeforeTimeout: 2 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if got := (AppConfig{Callback: CallbackConfig{OnFailure: "allow"}}).CallbackConfig(); got.RejectOnFailure {
		t.Error("on_failure allow rejects")
	}

	cb := CallbackConfig{URL: "https://cb", Commands: []string{"Group.CallbackAfterCreateGroup"},
		Timeout: ptr(time.Second), Retry: []time.Duration{0, time.Minute}, Concurrency: ptr(2),
		BeforeTimeout: ptr(300 * time.Millisecond), OnFailure: "reject"}
	got = AppConfig{Callback: cb}.CallbackConfig()
	want = im.CallbackConfig{URL: "https://cb", Commands: []string{"Group.CallbackAfterCreateGroup"},
		Timeout: time.Second, Retry: []time.Duration{0, time.Minute}, Concurrency: 2,
		BeforeTimeout: 300 * time.Millisecond, RejectOnFailure: true}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("set:\n got %+v\nwant %+v", got, want)
	}
	got.Retry[0], got.Commands[0] = time.Hour, "x"
	if cb.Retry[0] != 0 || cb.Commands[0] != "Group.CallbackAfterCreateGroup" {
		t.Error("CallbackConfig shares its slices with the configuration")
	}

	// Through Load: the flag/environment app and a file app alike.
	file := writeFile(t, "apps:\n  - sdkappid: 7\n    secret_key: k\n    callback: {url: http://cb/7, concurrency: 9}\n")
	c := mustLoad(t, nil, map[string]string{"TIMD_CONFIG": file, "TIMD_SDKAPPID": "8", "TIMD_SECRET_KEY": "k",
		"TIMD_CALLBACK_URL": "http://cb/8", "TIMD_CALLBACK_RETRY": "1s", "TIMD_CALLBACK_ON_FAILURE": "reject"})
	apps := c.AllApps()
	if len(apps) != 2 {
		t.Fatalf("AllApps = %+v", apps)
	}
	if cc := apps[0].CallbackConfig(); cc.URL != "http://cb/7" || cc.Concurrency != 9 || cc.Timeout != 5*time.Second ||
		!reflect.DeepEqual(cc.Retry, im.DefaultRetry()) || cc.RejectOnFailure {
		t.Errorf("file app: %+v", cc)
	}
	if cc := apps[1].CallbackConfig(); cc.URL != "http://cb/8" || cc.Concurrency != 16 ||
		!reflect.DeepEqual(cc.Retry, []time.Duration{time.Second}) || !cc.RejectOnFailure {
		t.Errorf("environment app: %+v", cc)
	}
}

// Ensure misspelt keys, at the top level or inside an app, are rejected
// rather than silently ignored, and the error names the file.
func TestConfig_ReadFileUnknownKey(t *testing.T) {
	tests := []struct{ name, body, key string }{
		{"top", "adress: 0.0.0.0:1\n", "adress"},
		{"app", "apps:\n  - sdkappid: 1\n    secretkey: x\n", "secretkey"},
		{"callback", "apps:\n  - sdkappid: 1\n    callback: {uri: http://x}\n", "uri"},
		{"callback-", "apps:\n  - sdkappid: 1\n    callback: {retries: [1s]}\n", "retries"},
		{"retention-", "apps:\n  - sdkappid: 1\n    callback_retention: 1h\n", "callback_retention"}, // top level only
		{"app-", "app:\n  sdkappid: 1\n", "app"},                                                     // Config.App is for flags and env only
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeFile(t, tt.body)
			_, err := Load([]string{"--config", file}, env(nil))
			mustContainAll(t, err, file, `field `+tt.key+` not found`)
		})
	}
}

// Ensure AllApps merges the flag/environment app into the file's apps: added
// when new, in place of a file app with its SDKAppID, absent when unset; and
// that it never changes c.Apps.
func TestConfig_AllApps(t *testing.T) {
	one := AppConfig{SDKAppID: 1, SecretKey: "a", Admins: []string{"x"}, Edition: "ultimate"}
	two := AppConfig{SDKAppID: 2, SecretKey: "b", Admins: []string{"x"}, Edition: "ultimate"}
	envApp := AppConfig{SDKAppID: 2, SecretKey: "env", Admins: []string{"y"}, Edition: "pro"}
	newApp := AppConfig{SDKAppID: 3, SecretKey: "c", Admins: []string{"z"}, Edition: "standard"}
	devOnly := AppConfig{Admins: []string{"x"}, Edition: "pro"} // no SDKAppID: development app settings

	tests := []struct {
		name string
		file []AppConfig
		app  AppConfig
		want []AppConfig
	}{
		{"nothing", nil, devOnly, nil},
		{"file only", []AppConfig{one, two}, devOnly, []AppConfig{one, two}},
		{"env only", nil, newApp, []AppConfig{newApp}},
		{"env added", []AppConfig{one, two}, newApp, []AppConfig{one, two, newApp}},
		{"env replaces", []AppConfig{one, two}, envApp, []AppConfig{one, envApp}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Config{Apps: append([]AppConfig(nil), tt.file...), App: tt.app}
			got := c.AllApps()
			if len(got) != len(tt.want) || (len(got) > 0 && !reflect.DeepEqual(got, tt.want)) {
				t.Errorf("AllApps = %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(c.Apps, tt.file) && len(tt.file) > 0 {
				t.Errorf("AllApps changed c.Apps to %+v", c.Apps)
			}
		})
	}
}
