package im

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

// Ensure DecodeWebhookSecret accepts whsec_ followed by standard base64 and refuses
// a missing prefix, an empty key and bad base64.
func TestDecodeWebhookSecret(t *testing.T) {
	key, err := DecodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	if err != nil || len(key) != 24 {
		t.Fatalf("DecodeWebhookSecret(valid) = %x, %v", key, err)
	}
	if key, err := DecodeWebhookSecret("whsec_c2VjcmV0"); err != nil || string(key) != "secret" {
		t.Fatalf("DecodeWebhookSecret(whsec_c2VjcmV0) = %q, %v", key, err)
	}
	for _, bad := range []string{"", "c2VjcmV0", "WHSEC_c2VjcmV0", "whsec_", "whsec_!!!!", "whsec_c2VjcmV0=", " whsec_c2VjcmV0"} {
		if key, err := DecodeWebhookSecret(bad); err == nil {
			t.Errorf("DecodeWebhookSecret(%q) = %x, want an error", bad, key)
		}
	}
}
