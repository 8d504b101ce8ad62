package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// setting is one option that both a flag and a TIMD_* variable can set. The
// one table below keeps their names, help and parsing together.
type setting struct {
	flag, env, usage string
	set              func(c *Config, v string) error
}

var settings = []setting{
	{"addr", "TIMD_ADDR", "listen address", func(c *Config, v string) error { c.Addr = v; return nil }},
	{"data", "TIMD_DATA", "SQLite file or directory, or a postgres:// URL", func(c *Config, v string) error { c.Data = v; return nil }},
	{"sdkappid", "TIMD_SDKAPPID", "SDKAppID of the app served (with --secret-key)", func(c *Config, v string) error {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil || n == 0 {
			return fmt.Errorf("%q is not a positive integer", v)
		}
		c.App.SDKAppID = n
		return nil
	}},
	{"secret-key", "TIMD_SECRET_KEY", "secret key UserSigs of the app are signed with", func(c *Config, v string) error { c.App.SecretKey = v; return nil }},
	{"admins", "TIMD_ADMINS", "comma-separated admin identifiers", func(c *Config, v string) error { c.App.Admins = splitList(v); return nil }},
	{"edition", "TIMD_EDITION", "app edition: ultimate, pro or standard", func(c *Config, v string) error { c.App.Edition = v; return nil }},
	{"profile-fields", "TIMD_PROFILE_FIELDS", "custom profile fields of the app, comma-separated name[:string|integer[:max_length]], e.g. Test:string:100,Score:integer", func(c *Config, v string) error {
		f, err := parseProfileFields(v)
		c.App.Profile = f
		return err
	}},
	{"control", "TIMD_CONTROL", "the emulator control plane (/timd/v1/...): on or off; default on for the development app, off for a configured one", func(c *Config, v string) error {
		on, err := parseOnOff(v)
		c.App.Control = &on
		return err
	}},
	{"time-control", "TIMD_TIME_CONTROL", "let the control plane set and advance apps' clocks (timd_clock): on or off", func(c *Config, v string) error {
		on, err := parseOnOff(v)
		c.TimeControl = on
		return err
	}},
	{"console", "TIMD_CONSOLE", "the web console at /console/: on or off; default on for the development app, off for a configured one", func(c *Config, v string) error {
		on, err := parseOnOff(v)
		c.Console = &on
		return err
	}},
	{"rate-limit", "TIMD_RATE_LIMIT", "per-app, per-API limit: tencent, off, or calls per second", func(c *Config, v string) error { c.RateLimit = v; return nil }},
	{"callback-url", "TIMD_CALLBACK_URL", "URL third-party callbacks are POSTed to; internal captures them for timd_capture", func(c *Config, v string) error { c.App.Callback.URL = v; return nil }},
	{"callback-token", "TIMD_CALLBACK_TOKEN", "callback auth token (adds Sign and RequestTime)", func(c *Config, v string) error { c.App.Callback.Token = v; return nil }},
	{"callback-secret", "TIMD_CALLBACK_SECRET", "Standard Webhooks signing secret(s), whsec_..., comma-separated for rotation", func(c *Config, v string) error {
		c.App.Callback.Secrets = splitList(v)
		return nil
	}},
	{"callback-commands", "TIMD_CALLBACK_COMMANDS", "comma-separated enabled callback commands, e.g. Group.CallbackAfterCreateGroup", func(c *Config, v string) error {
		c.App.Callback.Commands = splitList(v)
		return nil
	}},
	{"callback-timeout", "TIMD_CALLBACK_TIMEOUT", "timeout of one callback delivery attempt", func(c *Config, v string) error {
		return parseDuration(v, &c.App.Callback.Timeout)
	}},
	{"callback-retry", "TIMD_CALLBACK_RETRY", "comma-separated delays before each delivery attempt, e.g. 0s,5s,5m", func(c *Config, v string) error {
		d, err := parseDurations(v)
		c.App.Callback.Retry = d
		return err
	}},
	{"callback-concurrency", "TIMD_CALLBACK_CONCURRENCY", "callback deliveries in flight at once per app", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		c.App.Callback.Concurrency = &n
		return nil
	}},
	{"callback-before-timeout", "TIMD_CALLBACK_BEFORE_TIMEOUT", "timeout of a before-callback", func(c *Config, v string) error {
		return parseDuration(v, &c.App.Callback.BeforeTimeout)
	}},
	{"callback-on-failure", "TIMD_CALLBACK_ON_FAILURE", "what a before-callback that times out or fails does: allow or reject", func(c *Config, v string) error {
		c.App.Callback.OnFailure = v
		return nil
	}},
	{"callback-retention", "TIMD_CALLBACK_RETENTION", "how long delivered callback events and captured callbacks are kept", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		c.CallbackRetention = d
		return nil
	}},
	{"callback-lease", "TIMD_CALLBACK_LEASE", "how long an instance owns a claimed callback event before another may take it over", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		c.CallbackLease = d
		return nil
	}},
	{"max-body-bytes", "TIMD_MAX_BODY_BYTES", "request body limit in bytes", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		c.MaxBodyBytes = n
		return nil
	}},
	{"max-connections", "TIMD_MAX_CONNECTIONS", "client connections open at once; more wait to be accepted (default 1024)", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		c.MaxConnections = n
		return nil
	}},
	{"max-inflight-bytes", "TIMD_MAX_INFLIGHT_BYTES", "request-body bytes read or held at once; beyond, calls are answered 60007 (default 67108864)", func(c *Config, v string) error {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return err
		}
		c.MaxInflightBytes = n
		return nil
	}},
	{"max-conns", "TIMD_MAX_CONNS", "database connection pool size", func(c *Config, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return err
		}
		c.MaxConns = n
		return nil
	}},
	{"shutdown-timeout", "TIMD_SHUTDOWN_TIMEOUT", "how long shutdown waits for in-flight requests", func(c *Config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return err
		}
		c.ShutdownTimeout = d
		return nil
	}},
	{"log-level", "TIMD_LOG_LEVEL", "debug, info, warn or error", func(c *Config, v string) error { c.LogLevel = v; return nil }},
	{"log-format", "TIMD_LOG_FORMAT", "text or json", func(c *Config, v string) error { c.LogFormat = v; return nil }},
	{"pprof-addr", "TIMD_PPROF_ADDR", "listen address of Go's pprof profiles, e.g. 127.0.0.1:6060; loopback only unless --pprof-allow-remote", func(c *Config, v string) error { c.PprofAddr = v; return nil }},
	{"pprof-allow-remote", "TIMD_PPROF_ALLOW_REMOTE", "let --pprof-addr listen on a non-loopback address (profiles and traces reveal much of a process)", func(c *Config, v string) error {
		b, err := strconv.ParseBool(v)
		c.PprofAllowRemote = b
		return err
	}},
	{"proxy-addr", "TIMD_PROXY_ADDR", "listen address of the proxy front, e.g. 127.0.0.1:8443: clients that hard-code Tencent's hosts reach timd with HTTPS_PROXY=http://<this address> and its CA trusted (docs/clients.md)", func(c *Config, v string) error { c.ProxyAddr = v; return nil }},
	{"proxy-ca-dir", "TIMD_PROXY_CA_DIR", "directory of the proxy front's CA (timd-proxy-ca.pem, made on first start; its key stays there)", func(c *Config, v string) error { c.ProxyCADir = v; return nil }},
	{"public-url", "TIMD_PUBLIC_URL", "scheme://host[:port] clients reach timd at, for the URLs replies hand out (get_history's downloads); behind a proxy, the proxy's", func(c *Config, v string) error {
		c.PublicURL = v
		return nil
	}},
	{"ready-file", "TIMD_READY_FILE", "file timd writes, once it serves, a JSON object with its URL, app and pid to (for programs that start timd)", func(c *Config, v string) error {
		c.ReadyFile = v
		return nil
	}},
	{"seed", "TIMD_SEED", "state document (timd export) imported at every start into its app (SdkAppId), replacing that app's state", func(c *Config, v string) error {
		c.Seed = v
		return nil
	}},
}

// boolSettings are the settings whose flag may be given without a value,
// as --pprof-allow-remote for --pprof-allow-remote=true.
var boolSettings = map[string]bool{"pprof-allow-remote": true}

// settingValue is the flag.Value of a setting: the text as given, parsed by
// the setting's set once every source is known.
type settingValue struct {
	v      string
	isBool bool
}

func (s *settingValue) String() string     { return s.v }
func (s *settingValue) Set(v string) error { s.v = v; return nil }
func (s *settingValue) IsBoolFlag() bool   { return s.isBool }

const configUsage = "YAML config file holding several apps"

// EnvConfigFile names the variable that points at a config file, like --config.
const EnvConfigFile = "TIMD_CONFIG"

// EnvNames lists every TIMD_* variable `timd serve` reads, TIMD_CONFIG
// included.
func EnvNames() []string {
	names := []string{EnvConfigFile}
	for _, s := range settings {
		names = append(names, s.env)
	}
	return names
}

// Load builds the configuration for `timd serve`: defaults, then the config
// file (--config or TIMD_CONFIG), then TIMD_* variables, then flags. It
// reports every unparsable value at once; call Validate on the result.
func Load(args []string, getenv func(string) string) (Config, error) {
	c := Default()
	fs := flag.NewFlagSet("timd serve", flag.ContinueOnError)
	// The caller prints the help (WriteHelp) on flag.ErrHelp; a bad flag
	// is reported once, in the returned error.
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	configPath := fs.String("config", getenv(EnvConfigFile), configUsage)
	vals := make([]*settingValue, len(settings))
	for i, s := range settings {
		vals[i] = &settingValue{isBool: boolSettings[s.flag]}
		fs.Var(vals[i], s.flag, s.usage)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return c, err
		}
		return c, fmt.Errorf("%w (timd --help lists every flag)", err)
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *configPath != "" {
		if err := c.ReadFile(*configPath); err != nil {
			return c, err
		}
	}
	var errs []error
	for _, s := range settings {
		if v := getenv(s.env); v != "" {
			if err := s.set(&c, v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", s.env, err))
			}
		}
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for i, s := range settings {
		if set[s.flag] {
			if err := s.set(&c, vals[i].v); err != nil {
				errs = append(errs, fmt.Errorf("--%s: %w", s.flag, err))
			}
		}
	}
	return c, errors.Join(errs...)
}

// splitList splits a comma-separated list, trimming spaces around items
// (identifiers may hold inner spaces) and dropping empty ones.
func splitList(v string) []string {
	var out []string
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseDuration parses a Go duration into *dst.
func parseDuration(v string, dst **time.Duration) error {
	d, err := time.ParseDuration(v)
	if err != nil {
		return err
	}
	*dst = &d
	return nil
}

// parseDurations parses a comma-separated list of Go durations. The result is
// never nil, so that Validate reports a list without any.
func parseDurations(v string) ([]time.Duration, error) {
	out := []time.Duration{}
	for _, f := range splitList(v) {
		d, err := time.ParseDuration(f)
		if err != nil {
			return out, err
		}
		out = append(out, d)
	}
	return out, nil
}

// parseOnOff reads an on/off setting.
func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "on", "true", "1":
		return true, nil
	case "off", "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is neither on nor off", v)
}
