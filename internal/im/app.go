package im

import "slices"

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
