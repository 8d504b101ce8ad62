package config

import "testing"

// Ensure every family of callback commands timd sends can be enabled one
// by one (TIMD_CALLBACK_COMMANDS), and that other text cannot.
func TestValidCallbackCommand(t *testing.T) {
	for _, s := range []string{"Group.CallbackAfterGroupDestroyed", "Sns.CallbackFriendAdd", "Profile.CallbackPortraitSet",
		"C2C.CallbackAfterSendMsg", "C2C.CallbackBeforeSendMsg", "State.StateChange", "Group.CallbackAfterRecallMsg"} {
		if !ValidCallbackCommand(s) {
			t.Errorf("ValidCallbackCommand(%q) = false, want true", s)
		}
	}
	for _, s := range []string{"", "Group.", "C2C", "Foo.Bar", "Group.Callback-After", "c2c.CallbackAfterSendMsg", " State.StateChange"} {
		if ValidCallbackCommand(s) {
			t.Errorf("ValidCallbackCommand(%q) = true, want false", s)
		}
	}
}
