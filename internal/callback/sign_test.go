package callback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"testing"
)

// Ensure Sign matches the worked example of Tencent's documentation.
func TestTencentSign_DocExample(t *testing.T) {
	const want = "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061"
	if got := TencentSign("xxxxyyyy", 1669872112); got != want {
		t.Fatalf("Sign = %s, want %s", got, want)
	}
}

// Ensure the Standard Webhooks signature is what the spec's own example
// computes (secret, id, timestamp and body from the Standard Webhooks
// specification), and that two secrets give two signatures.
func TestWebhookSignature(t *testing.T) {
	const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	body := []byte(`{"test": 2432232314}`)
	got := WebhookSignature([]string{secret}, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
	if want := "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="; got != want {
		t.Fatalf("signature = %s, want %s", got, want)
	}
	// Independently of WebhookSignature: recompute with the decoded key.
	key, _ := base64.StdEncoding.DecodeString("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330." + string(body)))
	if want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		t.Fatalf("signature = %s, recomputed %s", got, want)
	}
	two := WebhookSignature([]string{secret, "whsec_" + base64.StdEncoding.EncodeToString([]byte("second"))}, "id", 1, body)
	if n := len(splitFields(two)); n != 2 {
		t.Fatalf("two secrets gave %d signatures: %s", n, two)
	}
}

func splitFields(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	return out
}
