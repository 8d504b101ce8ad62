package im

import (
	"encoding/base64"
	"errors"
	"strings"
)

// Rules of an app's settings that a config file and timd_apps/create share.

// callbackPrefixes are the families of the callback commands timd sends.
var callbackPrefixes = []string{"Group.", "Sns.", "Profile.", "C2C.", "State.", "Follow."}

// ValidCallbackCommand reports whether s looks like a callback command: one
// of callbackPrefixes followed by a name of ASCII letters and digits.
func ValidCallbackCommand(s string) bool {
	var name string
	ok := false
	for _, p := range callbackPrefixes {
		if name, ok = strings.CutPrefix(s, p); ok {
			break
		}
	}
	if !ok || name == "" {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// DecodeWebhookSecret returns the key bytes of a Standard Webhooks secret,
// "whsec_" followed by standard base64.
func DecodeWebhookSecret(s string) ([]byte, error) {
	b64, ok := strings.CutPrefix(s, "whsec_")
	if !ok {
		return nil, errors.New("secret must start with whsec_")
	}
	key, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(key) == 0 {
		return nil, errors.New("secret after whsec_ must be non-empty base64")
	}
	return key, nil
}

// MaxProfileFieldName bounds a custom profile field's name: 8 bytes of
// [A-Za-z0-9_], as for custom friend fields (docs/fidelity/profiles.md).
const MaxProfileFieldName = 8

// ValidProfileFieldName reports whether s may name a custom profile field
// (Tag_Profile_Custom_<s>).
func ValidProfileFieldName(s string) bool {
	if len(s) == 0 || len(s) > MaxProfileFieldName {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}
