package im

import "time"

// CallbackPortraitSet is the callback after a profile is set (1047/48733).
const CallbackPortraitSet = "Profile.CallbackPortraitSet"

// PortraitSetBody is Profile.CallbackPortraitSet, recorded with a
// portrait_set. Its keys keep the order of Tencent's sample (1047/48733):
// Operator_Account is who set the profile (the REST admin), From_Account
// whose profile it is, ProfileItem the fields set, as set, in the order of
// the request.
type PortraitSetBody struct {
	Command     string        `json:"CallbackCommand,omitempty"`
	Operator    string        `json:"Operator_Account"`
	From        string        `json:"From_Account"`
	EventTime   *int64        `json:"EventTime,omitempty"`
	ProfileItem []ProfileItem `json:"ProfileItem"`
}

// CallbackCommand is Profile.CallbackPortraitSet.
func (PortraitSetBody) CallbackCommand() string { return CallbackPortraitSet }

// EventKey is the account: one account's profile changes are reported in
// order.
func (b PortraitSetBody) EventKey() string { return b.From }
func (b PortraitSetBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
