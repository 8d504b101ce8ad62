// Package config holds timd's configuration: one value built from defaults,
// an optional YAML file, TIMD_* environment variables and flags, in that
// order of precedence (flags win), and checked as a whole by Validate.
package config

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/timd/timd/internal/im"
)

// Config is the whole configuration of one timd process.
type Config struct {
	Addr            string        `yaml:"addr"`
	Data            string        `yaml:"data"`             // SQLite file or directory, or a postgres:// URL
	RateLimit       string        `yaml:"rate_limit"`       // "tencent", "off" or calls per second per API
	MaxBodyBytes    int64         `yaml:"max_body_bytes"`   // request body limit
	MaxConns        int           `yaml:"max_conns"`        // database pool size
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"` // how long SIGTERM waits for in-flight requests
	LogLevel        string        `yaml:"log_level"`        // debug, info, warn, error
	LogFormat       string        `yaml:"log_format"`       // text or json
	// PprofAddr, if set, is a second listen address serving Go's
	// net/http/pprof profiles; off by default, never on the API's port.
	PprofAddr string `yaml:"pprof_addr"`
	// PprofAllowRemote lets PprofAddr be a non-loopback address: the
	// profiles show the process's memory, goroutines and code, and a
	// CPU profile or trace costs it, so they stay local unless the
	// operator says otherwise.
	PprofAllowRemote bool `yaml:"pprof_allow_remote"`
	// ProxyAddr, if set, is the listen address of the proxy front
	// (package proxyfront): HTTP CONNECT and direct TLS for Tencent's REST
	// hosts, answered by timd's own handler; off by default.
	ProxyAddr string `yaml:"proxy_addr"`
	// ProxyCADir is the directory of the proxy front's CA; empty, the
	// directory of the SQLite file (PostgreSQL and in-memory data need it).
	ProxyCADir string `yaml:"proxy_ca_dir"`
	// TimeControl lets the control plane move apps' clocks (timd_clock);
	// only apps whose control plane is on can use it.
	TimeControl bool `yaml:"time_control"`
	// Console turns the web console (/console/) on or off; unset, it is on
	// when timd serves the development app only (ConsoleOn).
	Console *bool `yaml:"console"`
	// PublicURL, if set, is scheme://host[:port] clients reach timd at, for
	// the URLs replies hand out (get_history's downloads); unset, each is
	// the address the call came to, which behind a proxy may be one only
	// the proxy reaches.
	PublicURL string `yaml:"public_url"`
	// ReadyFile, if set, is where timd writes its start-up handshake (package
	// ready: URL, app, pid as JSON) once it serves, for programs that start it.
	ReadyFile string `yaml:"ready_file"`
	// Seed, if set, is a state document (timd export, timd_control/export)
	// imported at every start into its app, replacing that app's state
	// (docs/control-state.md).
	Seed string `yaml:"seed"`
	// CallbackRetention is how long delivered callback events (and captured callbacks) are kept
	// before they are purged, for every app.
	CallbackRetention time.Duration `yaml:"callback_retention"`
	// CallbackLease is how long an instance owns a claimed callback event
	// before another may take it over.
	CallbackLease time.Duration `yaml:"callback_lease"`

	// MaxConnections caps the client connections open at once; more wait
	// to be accepted.
	MaxConnections int `yaml:"max_connections"`
	// MaxInflightBytes caps the request-body bytes being read or held at
	// once; a request that would pass it is answered 60007 unread.
	MaxInflightBytes int64 `yaml:"max_inflight_bytes"`

	// Apps are the apps of a config file. App is the single app configured
	// by flags and environment; with no SDKAppID it holds the settings of
	// the development app timd creates when no app is configured at all.
	Apps []AppConfig `yaml:"apps"`
	App  AppConfig   `yaml:"-"`
}

// AppConfig configures one app.
type AppConfig struct {
	SDKAppID  uint64         `yaml:"sdkappid"`
	SecretKey string         `yaml:"secret_key"`
	Admins    []string       `yaml:"admins"`
	Edition   string         `yaml:"edition"`
	Callback  CallbackConfig `yaml:"callback"`
	// Profile declares the app's custom profile fields
	// (Tag_Profile_Custom_<name>); portrait_set and portrait_get answer
	// 40009 for any other custom tag.
	Profile []ProfileFieldConfig `yaml:"profile_fields"`
	// Control turns the emulator control plane on or off for the app;
	// unset, it is on for the development app only.
	Control *bool `yaml:"control"`
}

// CallbackConfig configures an app's third-party callbacks. A nil or empty
// setting takes its default (AppConfig.CallbackConfig fills them in); a set
// one must be valid, so that an explicit 0 is an error, not the default.
type CallbackConfig struct {
	URL     string   `yaml:"url"`
	Token   string   `yaml:"token"`
	Secrets []string `yaml:"secrets"` // whsec_...; two at once during rotation
	// Commands are the enabled callback commands (Group.X, Sns.X); none
	// means all.
	Commands []string `yaml:"commands"`
	// Timeout bounds one after-callback delivery attempt (default 5 s).
	Timeout *time.Duration `yaml:"timeout"`
	// Retry is the delay before each delivery attempt (nil: im.DefaultRetry).
	Retry []time.Duration `yaml:"retry"`
	// Concurrency bounds the app's deliveries in flight (default 16).
	Concurrency *int `yaml:"concurrency"`
	// BeforeTimeout bounds a before-callback (default 2 s).
	BeforeTimeout *time.Duration `yaml:"before_timeout"`
	// OnFailure is what a before-callback that times out or fails does:
	// "allow" (the default, also for "") or "reject".
	OnFailure string `yaml:"on_failure"`
}

// Callback defaults (docs/decisions.md §6.6).
const (
	DefaultCallbackTimeout     = im.DefaultCallbackTimeout
	DefaultCallbackConcurrency = im.DefaultCallbackConcurrency
	DefaultBeforeTimeout       = im.DefaultBeforeTimeout
	DefaultCallbackRetention   = 7 * 24 * time.Hour
	DefaultCallbackLease       = 60 * time.Second
)

// The values of CallbackConfig.OnFailure.
const (
	OnFailureAllow  = "allow"
	OnFailureReject = "reject"
)

// CallbackConfig returns the app's callback settings as the domain type,
// with every unset setting at its default. Slices are copies.
func (a AppConfig) CallbackConfig() im.CallbackConfig {
	cb := a.Callback
	out := im.CallbackConfig{
		URL:             cb.URL,
		Token:           cb.Token,
		Secret:          slices.Clone(cb.Secrets),
		Commands:        slices.Clone(cb.Commands),
		Timeout:         DefaultCallbackTimeout,
		Retry:           slices.Clone(cb.Retry),
		Concurrency:     DefaultCallbackConcurrency,
		BeforeTimeout:   DefaultBeforeTimeout,
		RejectOnFailure: cb.OnFailure == OnFailureReject,
	}
	if len(out.Retry) == 0 {
		out.Retry = im.DefaultRetry()
	}
	if cb.Timeout != nil {
		out.Timeout = *cb.Timeout
	}
	if cb.Concurrency != nil {
		out.Concurrency = *cb.Concurrency
	}
	if cb.BeforeTimeout != nil {
		out.BeforeTimeout = *cb.BeforeTimeout
	}
	return out
}

// Defaults of the client limits. 1,024 connections cost some 20 MiB when
// idle; 64 MiB of bodies are 64 bodies at the default body limit.
const (
	DefaultMaxConnections   = 1024
	DefaultMaxInflightBytes = 64 << 20
)

// DefaultAdmin is the admin identifier when none is configured.
const DefaultAdmin = "administrator"

// Default returns the configuration timd runs with when nothing is set:
// embedded SQLite under ./timd-data/ on 127.0.0.1:8080.
func Default() Config {
	return Config{
		Addr:              "127.0.0.1:8080",
		Data:              "timd-data/timd.db",
		RateLimit:         "tencent",
		MaxBodyBytes:      1 << 20,
		MaxConnections:    DefaultMaxConnections,
		MaxInflightBytes:  DefaultMaxInflightBytes,
		MaxConns:          16,
		ShutdownTimeout:   30 * time.Second,
		LogLevel:          "info",
		LogFormat:         "text",
		CallbackRetention: DefaultCallbackRetention,
		CallbackLease:     DefaultCallbackLease,
		App:               AppConfig{Admins: []string{DefaultAdmin}, Edition: string(im.EditionUltimate)},
	}
}

// ReadFile merges the YAML file at path into c. Apps in the file get the
// default admin and edition when they name none.
func (c *Config) ReadFile(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(strings.NewReader(string(b)))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("%s: %w", path, err)
	}
	for i := range c.Apps {
		if len(c.Apps[i].Admins) == 0 {
			c.Apps[i].Admins = []string{DefaultAdmin}
		}
		if c.Apps[i].Edition == "" {
			c.Apps[i].Edition = string(im.EditionUltimate)
		}
	}
	return nil
}

// RateLimitPerSec turns RateLimit into the api package's figure: -1 for
// Tencent's per-API figures, 0 for off, otherwise calls per second.
func (c *Config) RateLimitPerSec() (int, error) {
	switch c.RateLimit {
	case "tencent", "":
		return -1, nil
	case "off":
		return 0, nil
	}
	n, err := strconv.Atoi(c.RateLimit)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("rate limit %q: want tencent, off or a positive number", c.RateLimit)
	}
	return n, nil
}

// AllApps returns the configured apps: the file's, with the flag/environment
// app added or, for the same SDKAppID, put in its place. It is empty when
// timd should use its development app.
func (c *Config) AllApps() []AppConfig {
	apps := append([]AppConfig(nil), c.Apps...)
	if c.App.SDKAppID == 0 {
		return apps
	}
	for i := range apps {
		if apps[i].SDKAppID == c.App.SDKAppID {
			apps[i] = c.App
			return apps
		}
	}
	return append(apps, c.App)
}

// Validate reports every problem of the configuration at once.
func (c *Config) Validate() error {
	errs := c.serverErrors()
	errs = append(errs, c.appErrors()...)
	return errors.Join(errs...)
}

// serverErrors are the problems of the settings that are not an app's.
func (c *Config) serverErrors() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Addr == "" {
		add("addr (TIMD_ADDR) is empty")
	}
	if c.Data == "" {
		add("data (TIMD_DATA) is empty")
	}
	if _, err := c.RateLimitPerSec(); err != nil {
		add("rate_limit (TIMD_RATE_LIMIT): %v", err)
	}
	if c.MaxBodyBytes <= 0 {
		add("max_body_bytes must be positive")
	}
	if c.MaxConnections <= 0 {
		add("max_connections (TIMD_MAX_CONNECTIONS) must be positive")
	}
	if c.MaxInflightBytes < c.MaxBodyBytes {
		add("max_inflight_bytes (TIMD_MAX_INFLIGHT_BYTES) must be at least max_body_bytes (TIMD_MAX_BODY_BYTES)")
	}
	if c.MaxConns <= 0 {
		add("max_conns must be positive")
	}
	if c.ShutdownTimeout < 0 {
		add("shutdown_timeout must not be negative")
	}
	if c.PublicURL != "" && !validPublicURL(c.PublicURL) {
		add("public_url (TIMD_PUBLIC_URL) %q: want http:// or https:// and a host, without a path, query or fragment", c.PublicURL)
	}
	if c.CallbackRetention <= 0 {
		add("callback_retention (TIMD_CALLBACK_RETENTION) must be positive")
	}
	if c.CallbackLease <= 0 {
		add("callback_lease (TIMD_CALLBACK_LEASE) must be positive")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		add("log_level %q: want debug, info, warn or error", c.LogLevel)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		add("log_format %q: want text or json", c.LogFormat)
	}
	errs = append(errs, c.proxyErrors()...)
	if c.PprofAddr != "" && !c.PprofAllowRemote && !IsLoopback(c.PprofAddr) {
		add("pprof_addr (TIMD_PPROF_ADDR) %q is not a loopback address: Go's profiles would be open to the network; "+
			"use 127.0.0.1:PORT, or set TIMD_PPROF_ALLOW_REMOTE=true (--pprof-allow-remote) to serve them there anyway", c.PprofAddr)
	}
	return errs
}

// proxyErrors are the problems of the proxy front's settings.
func (c *Config) proxyErrors() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.ProxyAddr == "" {
		if c.ProxyCADir != "" {
			add("proxy_ca_dir (TIMD_PROXY_CA_DIR) is set but proxy_addr (TIMD_PROXY_ADDR) is not: the CA serves only the proxy front")
		}
		return errs
	}
	if _, port, err := net.SplitHostPort(c.ProxyAddr); err != nil {
		add("proxy_addr (TIMD_PROXY_ADDR) %q is not host:port, e.g. 127.0.0.1:8443", c.ProxyAddr)
	} else if c.ProxyAddr == c.Addr && port != "0" {
		add("proxy_addr (TIMD_PROXY_ADDR) %q is addr (TIMD_ADDR) too: the proxy front needs its own port", c.ProxyAddr)
	}
	if c.ProxyCADir == "" && !dataIsFile(c.Data) {
		add("proxy_addr (TIMD_PROXY_ADDR) with data %q needs proxy_ca_dir (TIMD_PROXY_CA_DIR): "+
			"there is no data directory to keep the proxy's CA in", redactDSN(c.Data))
	}
	return errs
}

// dataIsFile reports whether data names a SQLite file or directory, not a
// PostgreSQL URL or an in-memory database.
func dataIsFile(data string) bool {
	return data != "" && data != ":memory:" &&
		!strings.HasPrefix(data, "postgres://") && !strings.HasPrefix(data, "postgresql://")
}

// redactDSN hides a password in a database URL.
func redactDSN(data string) string {
	if u, err := url.Parse(data); err == nil && u.User != nil {
		return u.Redacted()
	}
	return data
}

// appErrors are the problems of the apps, the TIMD_SDKAPPID one included.
func (c *Config) appErrors() []error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.App.SDKAppID == 0 && c.App.SecretKey != "" {
		add("TIMD_SECRET_KEY is set but TIMD_SDKAPPID is not")
	}
	seen := map[uint64]bool{}
	for i, a := range c.Apps {
		if seen[a.SDKAppID] && a.SDKAppID != 0 {
			add("apps[%d]: sdkappid %d appears twice", i, a.SDKAppID)
		}
		seen[a.SDKAppID] = true
		errs = append(errs, a.validate(fmt.Sprintf("apps[%d]", i))...)
	}
	if c.App.SDKAppID != 0 {
		errs = append(errs, c.App.validate("TIMD_SDKAPPID app")...)
	} else {
		// The development app's settings still have to make sense.
		dev := c.App
		dev.SDKAppID, dev.SecretKey = 1, "x"
		errs = append(errs, dev.validate("app")...)
	}
	return errs
}

// IsLoopback reports whether the listen address addr (host:port) can only
// be reached from this machine: localhost or a loopback IP. An empty host
// listens on every interface.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (a AppConfig) validate(where string) []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(where+": "+format, args...))
	}
	if a.SDKAppID == 0 {
		add("sdkappid is required")
	}
	if a.SecretKey == "" {
		add("secret key (TIMD_SECRET_KEY) is required")
	}
	if len(a.Admins) == 0 {
		add("at least one admin identifier (TIMD_ADMINS) is required")
	}
	for _, id := range a.Admins {
		if !im.ValidUserID(id) {
			add("admin %q is not a valid identifier", id)
		}
	}
	if !im.Edition(a.Edition).Valid() {
		add("edition %q: want ultimate, pro or standard", a.Edition)
	}
	// "internal" captures the callbacks instead (im.CaptureURL, timd_capture).
	if a.Callback.URL != "" && a.Callback.URL != im.CaptureURL {
		u, err := url.Parse(a.Callback.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("callback url %q must be an http:// or https:// URL, or internal to capture callbacks", a.Callback.URL)
		}
	}
	for _, s := range a.Callback.Secrets {
		if _, err := im.DecodeWebhookSecret(s); err != nil {
			add("callback secret: %v", err)
		}
	}
	a.Callback.validate(add)
	validateProfileFields(a.Profile, add)
	return errs
}

// validate checks the delivery settings of a callback block, reporting each
// problem through add.
func (cb CallbackConfig) validate(add func(format string, args ...any)) {
	for _, cmd := range cb.Commands {
		if !im.ValidCallbackCommand(cmd) {
			add("callback command %q: want Group.<name>, Sns.<name> or Profile.<name>", cmd)
		}
	}
	if cb.Timeout != nil && *cb.Timeout <= 0 {
		add("callback timeout (TIMD_CALLBACK_TIMEOUT) must be positive")
	}
	if cb.Retry != nil && len(cb.Retry) == 0 {
		add("callback retry (TIMD_CALLBACK_RETRY) needs at least one delay")
	}
	for _, d := range cb.Retry {
		if d < 0 {
			add("callback retry delay %v must not be negative", d)
		}
	}
	if cb.Concurrency != nil && *cb.Concurrency <= 0 {
		add("callback concurrency (TIMD_CALLBACK_CONCURRENCY) must be positive")
	}
	if cb.BeforeTimeout != nil && *cb.BeforeTimeout <= 0 {
		add("callback before_timeout (TIMD_CALLBACK_BEFORE_TIMEOUT) must be positive")
	}
	if cb.OnFailure != "" && cb.OnFailure != OnFailureAllow && cb.OnFailure != OnFailureReject {
		add("callback on_failure %q (TIMD_CALLBACK_ON_FAILURE): want allow or reject", cb.OnFailure)
	}
}

// ConsoleOn reports whether timd serves the web console: as set, else only
// for the development app (no app configured), like the control plane.
func (c *Config) ConsoleOn() bool {
	if c.Console != nil {
		return *c.Console
	}
	return len(c.AllApps()) == 0
}

// validPublicURL reports whether u is scheme://host[:port] and nothing
// more (a trailing "/" allowed): the URLs timd hands out are u followed by
// an absolute path.
func validPublicURL(u string) bool {
	p, err := url.Parse(strings.TrimSuffix(u, "/"))
	return err == nil && (p.Scheme == "http" || p.Scheme == "https") && p.Host != "" && p.User == nil &&
		p.Path == "" && p.RawQuery == "" && p.Fragment == "" && !p.ForceQuery
}
