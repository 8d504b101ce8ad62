package im

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// CaptureURL is the callback URL that captures an app's callbacks instead
// of sending them (TIMD_CALLBACK_URL=internal): the sender stores each one
// it would POST, as it would POST it, for timd_capture to read. A captured
// after-callback counts as delivered; a captured before-callback is
// answered as a receiver that accepts (ActionStatus OK, ErrorCode 0).
const CaptureURL = "internal"

// Captures reports whether the app's callbacks are captured rather than sent.
func (a *App) Captures() bool { return a != nil && a.Callback.URL == CaptureURL }

// Phases of a captured callback.
const (
	CaptureAfter  = "After"  // an after-callback, from the outbox
	CaptureBefore = "Before" // a synchronous before-callback
)

// Captured is one callback captured instead of sent.
type Captured struct {
	Seq        int64 // per app, in commit order: the cursor of timd_capture
	AppID      uint64
	Command    string          // CallbackCommand
	Phase      string          // CaptureAfter or CaptureBefore
	Body       json.RawMessage // the JSON body as it would be sent
	Query      string          // the query string it would be sent with
	GroupID    string          // the group it concerns, "" if none
	Accounts   []string        // the accounts it names (From_Account, Member_Account, ...)
	EventID    int64           // the outbox event of an after-callback, 0 for a before-callback
	CapturedAt time.Time
}

// CaptureFilter selects captured callbacks. Zero fields select all.
type CaptureFilter struct {
	Command string
	GroupID string
	Account string
	After   int64 // Seq greater than this
}

// CaptureService keeps captured callbacks (timd_capture).
type CaptureService interface {
	// CaptureCallback stores a callback (a before-callback) and returns it
	// with its Seq.
	CaptureCallback(ctx context.Context, c Captured) (int64, error)
	// ListCaptured returns up to limit callbacks of app matching f, by Seq.
	ListCaptured(ctx context.Context, app uint64, f CaptureFilter, limit int) ([]Captured, error)
	// ClearCaptured deletes the callbacks of app matching f (After is
	// ignored) and says how many there were.
	ClearCaptured(ctx context.Context, app uint64, f CaptureFilter) (int, error)
	// CaptureSignal is closed by the next capture this process commits.
	CaptureSignal() <-chan struct{}
}

// CaptureSubjects reads what a callback body concerns: its GroupId (its own,
// else the first found) and every account it names under a key ending in _Account
// (From_Account, To_Account, Member_Account, Operator_Account, ...), at any
// depth, each once, sorted.
func CaptureSubjects(body []byte) (groupID string, accounts []string) {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return "", nil
	}
	if top, ok := v.(map[string]any); ok {
		groupID, _ = top["GroupId"].(string) // the body's own first
	}
	seen := map[string]bool{}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case string:
			switch {
			case key == "GroupId" && groupID == "":
				groupID = x
			case strings.HasSuffix(key, "_Account") && x != "" && !seen[x]:
				seen[x] = true
				accounts = append(accounts, x)
			}
		}
	}
	walk("", v)
	slices.Sort(accounts) // map order is random: a stable order
	return groupID, accounts
}
