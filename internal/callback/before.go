package callback

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
)

// Before sends synchronous before-callbacks (Group.CallbackBeforeCreateGroup,
// Sns.CallbackPrevFriendAdd): the app backend's reply decides whether the
// operation goes ahead.
type Before struct {
	// Client sends the callbacks (nil: the default transport); it must not
	// change after the first call. Redirects are never followed, whatever
	// its CheckRedirect: one would turn the POST into a GET without the body
	// (301 to 303) and let the reply to that decide. A 3xx reply is a
	// failure.
	Client *http.Client
	Logger *slog.Logger     // nil: none
	Now    func() time.Time // nil: time.Now

	clientOnce sync.Once
	client     *http.Client // Client without redirects
}

// beforeClient sends before-callbacks when Before.Client is nil.
var beforeClient = &http.Client{CheckRedirect: noRedirects}

// beforeReply is the part of a before-callback reply that decides.
type beforeReply struct {
	ActionStatus string
	ErrorCode    *int
	ErrorInfo    string
	// ResultItem decides per item (Sns.CallbackPrevFriendAdd); it is read
	// only there, so that it cannot make another reply unreadable.
	ResultItem json.RawMessage
}

// itemReply is one ResultItem of a per-item before-callback reply.
type itemReply struct {
	To_Account string
	ResultCode int
	ResultInfo string
}

// Before posts the callback and turns the reply into the operation's fate:
// ErrorCode 0 allows (nil), 1 rejects (10016), 10100 to 10200 reject with
// that code and ErrorInfo passed through to the caller, any other code
// rejects (10016). A receiver that fails, times out or answers something
// unreadable lets the operation go ahead, unless the app is configured to
// reject then.
func (b *Before) Before(ctx context.Context, app *im.App, clientIP string, cb im.Callback) error {
	command, now := cb.CallbackCommand(), b.now()
	body, err := im.CallbackBody(cb, now)
	if err != nil {
		return err
	}
	reply, err := b.post(ctx, app, command, clientIP, body, now)
	if err != nil {
		if b.Logger != nil {
			b.Logger.Warn("before-callback failed", "command", command, "sdkappid", app.SDKAppID, "err", err,
				"reject", app.Callback.RejectOnFailure)
		}
		if app.Callback.RejectOnFailure {
			return im.Errorf(im.CodeGroupCallbackDenied, "the app backend did not answer %s", command)
		}
		return nil
	}
	switch code := *reply.ErrorCode; {
	case code == 0:
		return nil
	case code >= 10100 && code <= 10200:
		return &im.Error{Code: code, Info: reply.ErrorInfo}
	default:
		return im.Errorf(im.CodeGroupCallbackDenied, "rejected by the app backend: %s", reply.ErrorInfo)
	}
}

// BeforeItems posts a before-callback whose reply decides per item
// (Sns.CallbackPrevFriendAdd) and returns the rejected items by To_Account.
// With ErrorCode 0, each ResultItem whose ResultCode is not 0 rejects its
// To_Account with that code and ResultInfo (Tencent asks for codes from
// 38000 to 39000), items the reply does not name go ahead. A reply with
// another ErrorCode counts as a failed receiver, as Tencent ignores it: a
// receiver that fails, times out or answers something unreadable lets every
// item go ahead, unless the app is configured to reject then, when the
// error is a 30006 for every item.
func (b *Before) BeforeItems(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (map[string]*im.Error, error) {
	command, now := cb.CallbackCommand(), b.now()
	body, err := im.CallbackBody(cb, now)
	if err != nil {
		return nil, err
	}
	var items []itemReply
	reply, err := b.post(ctx, app, command, clientIP, body, now)
	switch {
	case err != nil:
	case *reply.ErrorCode != 0:
		err = fmt.Errorf("ErrorCode %d: %.200s", *reply.ErrorCode, reply.ErrorInfo)
	case len(reply.ResultItem) > 0 && string(reply.ResultItem) != "null":
		if jerr := json.Unmarshal(reply.ResultItem, &items); jerr != nil {
			err = fmt.Errorf("unreadable ResultItem: %.200s", reply.ResultItem)
		}
	}
	if err != nil {
		if b.Logger != nil {
			b.Logger.Warn("before-callback failed", "command", command, "sdkappid", app.SDKAppID, "err", err,
				"reject", app.Callback.RejectOnFailure)
		}
		if app.Callback.RejectOnFailure {
			return nil, im.Errorf(im.CodeSNSInternal, "the app backend did not answer %s", command)
		}
		return nil, nil
	}
	rejected := map[string]*im.Error{}
	for _, it := range items {
		if it.ResultCode != 0 {
			rejected[it.To_Account] = &im.Error{Code: it.ResultCode, Info: it.ResultInfo}
		}
	}
	return rejected, nil
}

// now reads the Before's clock: one reading is a callback's EventTime and
// its request's time.
func (b *Before) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

// post sends the callback and reads the reply.
// clientIP is the REST caller's, sent as ClientIP as with after-callbacks.
func (b *Before) post(ctx context.Context, app *im.App, command, clientIP string, body []byte, now time.Time) (*beforeReply, error) {
	timeout := app.Callback.BeforeTimeout
	if timeout <= 0 {
		timeout = 2 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callbackURL(app, command, clientIP, now), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	id := "before_" + strconv.FormatInt(now.UnixNano(), 36)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	if len(app.Callback.Secret) > 0 {
		req.Header.Set("webhook-signature", WebhookSignature(app.Callback.Secret, id, now.Unix(), body))
	}
	b.clientOnce.Do(func() {
		b.client = beforeClient
		if b.Client != nil {
			b.client = withoutRedirects(b.Client)
		}
	})
	resp, err := b.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var r beforeReply
	if err := json.Unmarshal(raw, &r); err != nil || r.ErrorCode == nil {
		return nil, fmt.Errorf("unreadable reply: %.200s", raw)
	}
	return &r, nil
}
