package config

import (
	"testing"

	"github.com/timd/timd/internal/im"
)

// Ensure the callback URL internal (capture, im.CaptureURL) is valid from
// the environment and for a file's app, and nothing else that is not an
// http:// or https:// URL is, "Internal" included.
func TestConfig_CallbackURLInternal(t *testing.T) {
	c, err := Load(nil, func(k string) string {
		if k == "TIMD_CALLBACK_URL" {
			return "internal"
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatalf("TIMD_CALLBACK_URL=internal: %v", err)
	}
	if got := c.App.CallbackConfig().URL; got != im.CaptureURL {
		t.Errorf("callback URL %q, want %q", got, im.CaptureURL)
	}
	for url, ok := range map[string]bool{"internal": true, "Internal": false, "internal:": false, "https://cb.example/x": true} {
		c := Default()
		c.Apps = []AppConfig{{SDKAppID: 5, SecretKey: "k", Admins: []string{"a"}, Edition: "pro", Callback: CallbackConfig{URL: url}}}
		if err := c.Validate(); (err == nil) != ok {
			t.Errorf("app callback url %q: %v, want valid %v", url, err, ok)
		}
	}
}
