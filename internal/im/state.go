package im

import "context"

// Online state (docs/fidelity/state.md). timd serves no client
// connections, so an account's state per platform is what a test or an
// operator sets through timd_control/set_state; openim/querystate reads it
// and im_open_login_svc/kick clears it.

// Online statuses, as openim/querystate answers them (269/2566).
const (
	StatusOnline     = "Online"     // the app runs in the foreground
	StatusPushOnline = "PushOnline" // the app runs in the background, reachable by push
	StatusOffline    = "Offline"    // not logged in
)

// Platforms a device can log in from: the values of querystate's
// Detail.Platform (269/2566), in the order Detail lists them.
var Platforms = []string{"iPhone", "Android", "Web", "PC", "iPad", "Mac"}

// Actions of State.StateChange (269/2570).
const (
	ActionLogin      = "Login"
	ActionLogout     = "Logout"
	ActionDisconnect = "Disconnect"
)

// StateReasons are the Reason values State.StateChange documents for each
// Action (269/2570), the first the default.
var StateReasons = map[string][]string{
	ActionLogin:      {"Register"},
	ActionLogout:     {"Unregister"},
	ActionDisconnect: {"LinkClose", "TimeOut"},
}

// KickReason is State.StateChange's Reason when kick logs an account out:
// the one Logout reason Tencent documents.
const KickReason = "Unregister"

// MaxStateQuery is how many accounts one querystate names at most.
const MaxStateQuery = 500

// PlatformState is one platform an account is logged in on.
type PlatformState struct {
	Platform string
	Status   string
}

// AccountState is one account's online state. Detail lists the platforms
// that are not Offline, in the order of Platforms.
type AccountState struct {
	UserID   string
	Imported bool
	Status   string
	Detail   []PlatformState
}

// StateChange is one change set_state makes: Platform takes Action for
// Reason, and, on a Login, the Kicked platforms go offline.
type StateChange struct {
	UserID   string
	Platform string
	Action   string
	Reason   string
	Kicked   []string
}

// StatusOf is what an Action leaves a platform in: Login Online,
// Disconnect PushOnline, Logout Offline.
func StatusOf(action string) string {
	switch action {
	case ActionLogin:
		return StatusOnline
	case ActionDisconnect:
		return StatusPushOnline
	}
	return StatusOffline
}

// OverallStatus is an account's Status from its platforms': Online if one
// is Online, else PushOnline if one is, else Offline.
func OverallStatus(detail []PlatformState) string {
	status := StatusOffline
	for _, d := range detail {
		switch d.Status {
		case StatusOnline:
			return StatusOnline
		case StatusPushOnline:
			status = StatusPushOnline
		}
	}
	return status
}

// StateService keeps the online state of accounts.
type StateService interface {
	// QueryStates reports, per id, whether it is imported and its state.
	QueryStates(ctx context.Context, app uint64, userIDs []string) ([]AccountState, error)

	// SetState applies one change and records State.StateChange. 70107 if
	// the account is not imported.
	SetState(ctx context.Context, op Op, ch StateChange) error

	// Kick logs the account out of every platform and, if it was on one,
	// records State.StateChange (Logout, KickReason). 70107 if the account
	// is not imported.
	Kick(ctx context.Context, op Op, userID string) error
}
