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

	"github.com/timd/timd/internal/fault"
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
	// Capture stores the before-callbacks of apps whose URL is internal
	// (im.CaptureURL), answered as a receiver that accepts; nil fails them.
	Capture Capturer
	// Faults injects delivery faults (timd_fault/set_callback); nil: none.
	Faults *fault.Injector

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
	command, now := cb.CallbackCommand(), b.now().Add(im.ClockOffset(ctx))
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
	command, now := cb.CallbackCommand(), b.now().Add(im.ClockOffset(ctx))
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
	return b.postRaw(ctx, app, command, clientIP, body, now, nil)
}

// postRaw is post; when keep is not nil it also receives the reply's bytes.
func (b *Before) postRaw(ctx context.Context, app *im.App, command, clientIP string, body []byte, now time.Time, keep *[]byte) (*beforeReply, error) {
	timeout := app.Callback.BeforeTimeout
	if timeout <= 0 {
		timeout = im.DefaultBeforeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if hit, ok := b.Faults.Callback(app.SDKAppID, command); ok {
		if _, err := injectFault(ctx, hit, timeout); err != nil {
			return nil, err
		}
	}
	if app.Captures() {
		return b.capture(ctx, app, command, clientIP, body, now, keep)
	}
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
	if keep != nil {
		*keep = raw
	}
	return &r, nil
}

// sendReply is the part of a before-send callback's reply that rewrites
// the message.
type sendReply struct {
	MsgBody         json.RawMessage
	CloudCustomData *string
}

// BeforeSend posts a before-send callback (C2C.CallbackBeforeSendMsg,
// Group.CallbackBeforeSendMsg) and turns the reply into the message's fate:
// ErrorCode 0 sends it, with the reply's MsgBody and CloudCustomData in
// place of the message's when given (a MsgBody that is not a valid message
// body is ignored, and logged); 2 discards it silently; 1 refuses it (20006
// one-to-one, 10016 group); a code in the command's custom range
// (120001..130000 one-to-one, 10100..10200 group) refuses it with that code
// and ErrorInfo; any other code refuses it as 1 does. A receiver that fails
// lets the message go, unless the app is configured to reject then.
func (b *Before) BeforeSend(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (im.SendVerdict, error) {
	command, now := cb.CallbackCommand(), b.now().Add(im.ClockOffset(ctx))
	denied, first, last := im.CodeGroupCallbackDenied, im.CodeGroupCustomDeny, im.CodeGroupCustomDenyEnd
	if command == im.CallbackC2CBeforeSendMsg {
		denied, first, last = im.CodeMsgCallbackDenied, im.CodeMsgCustomDenyFirst, im.CodeMsgCustomDenyLast
	}
	body, err := im.CallbackBody(cb, now)
	if err != nil {
		return im.SendVerdict{}, err
	}
	reply, raw, err := b.postSend(ctx, app, command, clientIP, body, now)
	if err != nil {
		if b.Logger != nil {
			b.Logger.Warn("before-callback failed", "command", command, "sdkappid", app.SDKAppID, "err", err,
				"reject", app.Callback.RejectOnFailure)
		}
		if app.Callback.RejectOnFailure {
			return im.SendVerdict{}, im.Errorf(denied, "the app backend did not answer %s", command)
		}
		return im.SendVerdict{}, nil
	}
	switch code := *reply.ErrorCode; {
	case code == 0:
		return b.rewrite(app, command, raw), nil
	case code == 2:
		return im.SendVerdict{Discard: true}, nil
	case code >= first && code <= last:
		return im.SendVerdict{}, &im.Error{Code: code, Info: reply.ErrorInfo}
	default:
		return im.SendVerdict{}, im.Errorf(denied, "rejected by the app backend: %s", reply.ErrorInfo)
	}
}

// postSend is post keeping the reply's bytes, which may rewrite the message.
func (b *Before) postSend(ctx context.Context, app *im.App, command, clientIP string, body []byte, now time.Time) (*beforeReply, []byte, error) {
	var raw []byte
	reply, err := b.postRaw(ctx, app, command, clientIP, body, now, &raw)
	return reply, raw, err
}

// rewrite reads the replacement MsgBody and CloudCustomData of an allowing
// reply.
func (b *Before) rewrite(app *im.App, command string, raw []byte) im.SendVerdict {
	var r sendReply
	var v im.SendVerdict
	if json.Unmarshal(raw, &r) != nil {
		return v
	}
	v.CloudCustomData = r.CloudCustomData
	if len(r.MsgBody) > 0 && string(r.MsgBody) != "null" {
		body, err := im.ParseMsgBody(r.MsgBody, im.CodeMsgBodyInvalid, im.CodeMsgBodyInvalid, im.CodeMsgTooLong)
		if err != nil {
			if b.Logger != nil {
				b.Logger.Warn("before-callback reply's MsgBody ignored", "command", command, "sdkappid", app.SDKAppID, "err", err)
			}
			return v
		}
		v.MsgBody = body
	}
	return v
}

// acceptReply is the answer of a receiver that accepts: what a captured
// before-callback is answered.
const acceptReply = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`

// capture stores a before-callback of a capturing app and answers it as a
// receiver that accepts.
func (b *Before) capture(ctx context.Context, app *im.App, command, clientIP string, body []byte, now time.Time, keep *[]byte) (*beforeReply, error) {
	if b.Capture == nil {
		return nil, errNoCapture
	}
	if _, err := b.Capture.CaptureCallback(ctx, captureOf(app, command, im.CaptureBefore, clientIP, body, now, now)); err != nil {
		return nil, fmt.Errorf("capture: %w", err)
	}
	if keep != nil {
		*keep = []byte(acceptReply)
	}
	code := 0
	return &beforeReply{ActionStatus: "OK", ErrorCode: &code}, nil
}
