package im

import "time"

// CallbackStateChange is the online-state callback.
const CallbackStateChange = "State.StateChange"

// StateChangeBody is State.StateChange, with the keys in the order of
// Tencent's sample (269/2570): CallbackCommand, EventTime, Info,
// KickedDevice. KickedDevice is sent only for a Login that logged other
// devices out.
type StateChangeBody struct {
	Command      string         `json:"CallbackCommand,omitempty"`
	EventTime    *int64         `json:"EventTime,omitempty"`
	Info         StateInfo      `json:"Info"`
	KickedDevice []KickedDevice `json:"KickedDevice,omitempty"`
}

// StateInfo is State.StateChange's Info.
type StateInfo struct {
	Action string `json:"Action"`
	To     string `json:"To_Account"`
	Reason string `json:"Reason"`
}

// KickedDevice is one device a Login logged out.
type KickedDevice struct {
	Platform string `json:"Platform"`
}

// CallbackCommand is State.StateChange.
func (StateChangeBody) CallbackCommand() string { return CallbackStateChange }

// EventKey is the account: one account's changes arrive in commit order.
func (b StateChangeBody) EventKey() string { return b.Info.To }
func (b StateChangeBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
