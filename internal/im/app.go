package im

import (
	"slices"
	"time"
)

// Edition is an app's Tencent Chat edition. Some APIs (conversation groups)
// exist only on the Ultimate edition.
type Edition string

// The editions timd knows.
const (
	EditionUltimate Edition = "ultimate"
	EditionPro      Edition = "pro"
	EditionStandard Edition = "standard"
)

// Valid reports whether e is one of the known editions.
func (e Edition) Valid() bool {
	return e == EditionUltimate || e == EditionPro || e == EditionStandard
}

// App is one Tencent Chat application served by timd: its SDKAppID, the secret
// key its UserSigs are signed with, its admin identifiers and its settings.
type App struct {
	SDKAppID  uint64
	SecretKey string
	Admins    []string // identifiers allowed to call the REST API
	Edition   Edition
	Callback  CallbackConfig
	// ProfileFields are the custom profile fields the app declares
	// (Tag_Profile_Custom_<Name>), as Tencent's console declares them.
	ProfileFields []ProfileField
	// Control turns on the emulator control plane for the app
	// (/timd/v1/..., /v4/timd_control/...): state control, captured
	// callbacks, faults, time. On by default for the development app,
	// off otherwise (TIMD_CONTROL).
	Control bool
}

// IsAdmin reports whether identifier is one of the app's admins.
func (a *App) IsAdmin(identifier string) bool {
	return slices.Contains(a.Admins, identifier)
}

// CallbackConfig is where and how an app's third-party callbacks are sent.
// An empty URL means callbacks are off and no events are recorded.
type CallbackConfig struct {
	URL    string
	Token  string   // Tencent's callback auth token: adds Sign and RequestTime
	Secret []string // Standard Webhooks signing secrets (whsec_...), newest first
	// Commands are the enabled callback commands, like Tencent's console
	// toggles; empty means all.
	Commands []string
	// Timeout bounds one after-callback delivery attempt (default 5 s).
	Timeout time.Duration
	// Retry is the delay before each attempt: the first (normally 0) after
	// the commit, each next after a failure; after the last, the event is
	// dead. Empty means DefaultRetry().
	Retry []time.Duration
	// Concurrency bounds the deliveries of this app in flight at once, each
	// for a different key (default 16).
	Concurrency int
	// BeforeTimeout bounds a before-callback (default 2 s).
	BeforeTimeout time.Duration
	// RejectOnFailure makes a before-callback that times out or fails
	// reject the operation; by default it goes ahead.
	RejectOnFailure bool
}

// Callback defaults (docs/decisions.md §6.6): what a zero setting of
// CallbackConfig means.
const (
	DefaultCallbackTimeout     = 5 * time.Second
	DefaultCallbackConcurrency = 16
	DefaultBeforeTimeout       = 2 * time.Second
)

// WithDefaults is c with every zero setting at its default.
func (c CallbackConfig) WithDefaults() CallbackConfig {
	if c.Timeout <= 0 {
		c.Timeout = DefaultCallbackTimeout
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultCallbackConcurrency
	}
	if c.BeforeTimeout <= 0 {
		c.BeforeTimeout = DefaultBeforeTimeout
	}
	if len(c.Retry) == 0 {
		c.Retry = DefaultRetry()
	}
	return c
}

// DefaultRetry returns the delivery schedule of docs/decisions.md §6.4: at
// once, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h after each failure.
func DefaultRetry() []time.Duration {
	return []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute,
		2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
}

// Records reports whether an event for the callback command is recorded:
// only when the app has a callback URL and the command is enabled (every
// command when Commands is empty).
func (a *App) Records(command string) bool {
	if a == nil || a.Callback.URL == "" {
		return false
	}
	return len(a.Callback.Commands) == 0 || slices.Contains(a.Callback.Commands, command)
}
