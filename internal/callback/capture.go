package callback

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/timd/timd/internal/fault"
	"github.com/timd/timd/internal/im"
)

// Capture (callback URL "internal", im.CaptureURL): callbacks are stored
// as they would be sent, for timd_capture, instead of being POSTed.

// Capturer stores a captured before-callback (*sqlstore.DB).
type Capturer interface {
	CaptureCallback(ctx context.Context, c im.Captured) (int64, error)
}

// DeliveryCapturer stores a captured after-callback and marks its event
// delivered, in one transaction (*sqlstore.DB).
type DeliveryCapturer interface {
	CaptureDelivered(ctx context.Context, instance string, status int, c im.Captured) error
}

// errNoCapture is the attempt of a capturing app when nothing stores captures.
var errNoCapture = errors.New("callback capture (url internal) has no store configured")

// captureOf is the capture of a callback as it would be sent at now: its
// body, the query string of its URL, and the group and accounts it names.
func captureOf(app *im.App, command, phase, clientIP string, body []byte, now, appNow time.Time) im.Captured {
	_, query, _ := strings.Cut(callbackURL(app, command, clientIP, now), "?")
	group, accounts := im.CaptureSubjects(body)
	return im.Captured{AppID: app.SDKAppID, Command: command, Phase: phase, Body: body, Query: query,
		GroupID: group, Accounts: accounts, CapturedAt: appNow}
}

// injectFault plays a callback fault out: it stalls for the fault's
// latency, then a Fail answers HTTP 500 and a Timeout waits for timeout and
// fails as a receiver that does not answer; a Stall lets the delivery go
// ahead (nil). ctx ending cuts the wait short.
func injectFault(ctx context.Context, hit fault.Hit, timeout time.Duration) (int, error) {
	if hit.Rule.Action == fault.ActionTimeout {
		if err := fault.Sleep(ctx, timeout); err != nil {
			return 0, err
		}
		return 0, fmt.Errorf("injected fault %d: no answer within %v", hit.Rule.ID, timeout)
	}
	if err := fault.Sleep(ctx, hit.Latency); err != nil {
		return 0, err
	}
	if hit.Rule.Action == fault.ActionFail {
		return http.StatusInternalServerError, fmt.Errorf("HTTP 500 (injected fault %d)", hit.Rule.ID)
	}
	return 0, nil
}
