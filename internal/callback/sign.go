// Package callback delivers timd's third-party callbacks: the after-callback
// events recorded in the store, at least once and in commit order per key,
// signed both the Tencent way and the Standard Webhooks way; and the
// synchronous before-callbacks that may stop an operation.
package callback

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

// TencentSign is Tencent's callback signature: lowercase hex of
// SHA-256(token + RequestTime), RequestTime in unix seconds.
func TencentSign(token string, requestTime int64) string {
	sum := sha256.Sum256([]byte(token + strconv.FormatInt(requestTime, 10)))
	return hex.EncodeToString(sum[:])
}

// WebhookSignature is the Standard Webhooks 1.0 signature header value:
// "v1,<base64 HMAC-SHA256 of id.timestamp.body>" for each secret, space
// separated, so a receiver rotating secrets accepts either. Secrets that do
// not decode are skipped (configuration validation refuses them).
func WebhookSignature(secrets []string, id string, timestamp int64, body []byte) string {
	var sigs []string
	for _, s := range secrets {
		key, err := im.DecodeWebhookSecret(s)
		if err != nil {
			continue
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id + "." + strconv.FormatInt(timestamp, 10) + "."))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// WebhookID is an event's Standard Webhooks id:
// msg_<nonce>_<SDKAppID>_<creation time, unix ms>_<event id>. The same
// on every attempt and after restarts, as the spec asks, and unique beyond
// one database: the store's nonce tells databases apart, whose event ids
// both start at 1, and the creation time tells apart the events of a
// database restored from a backup, which issues again the ids given out
// after the backup was taken. It holds no '.', which the signed content
// uses as its separator.
func WebhookID(nonce string, ev im.Event) string {
	return "msg_" + nonce + "_" + strconv.FormatUint(ev.AppID, 10) + "_" +
		strconv.FormatInt(ev.CreatedAt.UnixMilli(), 10) + "_" + strconv.FormatInt(ev.ID, 10)
}

// callbackURL is the app's callback URL with Tencent's query parameters, in
// the order of Tencent's documentation, and Sign and RequestTime when the
// app has a callback token.
func callbackURL(app *im.App, command, clientIP string, now time.Time) string {
	var b strings.Builder
	b.WriteString(app.Callback.URL)
	if strings.Contains(app.Callback.URL, "?") {
		b.WriteByte('&')
	} else {
		b.WriteByte('?')
	}
	b.WriteString("SdkAppid=" + strconv.FormatUint(app.SDKAppID, 10))
	b.WriteString("&CallbackCommand=" + url.QueryEscape(command))
	b.WriteString("&contenttype=json")
	b.WriteString("&ClientIP=" + url.QueryEscape(clientIP))
	b.WriteString("&OptPlatform=RESTAPI")
	if app.Callback.Token != "" {
		t := now.Unix()
		b.WriteString("&Sign=" + TencentSign(app.Callback.Token, t))
		b.WriteString("&RequestTime=" + strconv.FormatInt(t, 10))
	}
	return b.String()
}
