package api

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/timd/timd/internal/im"
)

// timd_capture: the callbacks of an app whose callback URL is internal
// (im.CaptureURL), captured instead of sent (docs/control-callbacks.md).
// Each command reads or clears the calling app's captures.

// captureStore is what the capture handlers may touch (Server.captures).
type captureStore interface {
	ListCaptured(ctx context.Context, app uint64, f im.CaptureFilter, limit int) ([]im.Captured, error)
	ClearCaptured(ctx context.Context, app uint64, f im.CaptureFilter) (int, error)
	CaptureSignal() <-chan struct{}
}

// Bounds of list and wait.
const (
	defaultCaptureLimit = 100
	maxCaptureLimit     = 1000
	defaultCaptureWait  = 10 * time.Second
	maxCaptureWait      = 30 * time.Second
	// capturePoll is how often wait reads again when nothing woke it:
	// captures of other instances on one PostgreSQL database.
	capturePoll = 200 * time.Millisecond
)

// longPolls are the commands that may take longer than the request
// timeout, and by how much.
var longPolls = map[string]time.Duration{"timd_capture/wait": maxCaptureWait}

type captureFilterReq struct {
	CallbackCommand *string
	GroupId         *string
	Account         *string
}

type captureListReq struct {
	CallbackCommand *string
	GroupId         *string
	Account         *string
	Cursor          *int64 // the Seq after which to list; 0: from the first
	Limit           *int
	TimeoutMs       *int // wait only
}

type capturedCallback struct {
	Seq             int64
	CallbackCommand string
	Kind            string // After or Before
	GroupId         string `json:",omitempty"`
	EventId         int64  `json:",omitempty"` // the outbox event (timd_callback/list_deliveries)
	CapturedAt      int64  // unix ms, the app's time
	Query           string
	Body            json.RawMessage
}

type captureListResp struct {
	Callbacks  []capturedCallback
	NextCursor int64 // the Seq of the last callback listed, else the request's Cursor
}

type captureClearResp struct {
	Cleared int
}

// filter checks the filters: each given must not be empty.
func (req *captureFilterReq) filter() (im.CaptureFilter, error) {
	return captureFilter(req.CallbackCommand, req.GroupId, req.Account)
}

// captureFilter checks the filters of a request: each given must not be
// empty.
func captureFilter(command, group, account *string) (im.CaptureFilter, error) {
	var f im.CaptureFilter
	for _, v := range []struct {
		name string
		p    *string
		to   *string
	}{{"CallbackCommand", command, &f.Command}, {"GroupId", group, &f.GroupID}, {"Account", account, &f.Account}} {
		if v.p == nil {
			continue
		}
		if *v.p == "" {
			return f, invalidField(v.name, v.name+" must not be empty when given")
		}
		*v.to = *v.p
	}
	return f, nil
}

// query checks list's and wait's fields.
func (req *captureListReq) query() (im.CaptureFilter, int, error) {
	f, err := captureFilter(req.CallbackCommand, req.GroupId, req.Account)
	if err != nil {
		return f, 0, err
	}
	if req.Cursor != nil {
		if *req.Cursor < 0 {
			return f, 0, invalidField("Cursor", "Cursor must not be negative")
		}
		f.After = *req.Cursor
	}
	limit := defaultCaptureLimit
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > maxCaptureLimit {
			return f, 0, invalidField("Limit", fmt.Sprintf("Limit must be from 1 to %d", maxCaptureLimit))
		}
		limit = *req.Limit
	}
	return f, limit, nil
}

func (s *Server) captureList(ctx context.Context, c *Call, req *captureListReq) (*captureListResp, error) {
	if req.TimeoutMs != nil {
		return nil, invalidField("TimeoutMs", "TimeoutMs goes with wait, not list")
	}
	f, limit, err := req.query()
	if err != nil {
		return nil, err
	}
	list, err := s.captures.ListCaptured(ctx, c.App.SDKAppID, f, limit)
	if err != nil {
		return nil, err
	}
	return captureReply(list, f.After), nil
}

// captureWait answers as soon as at least one matching callback was
// captured after Cursor, or with an empty list after TimeoutMs. Between
// reads it holds no connection: it waits for this process's next capture,
// or capturePoll for another instance's.
func (s *Server) captureWait(ctx context.Context, c *Call, req *captureListReq) (*captureListResp, error) {
	f, limit, err := req.query()
	if err != nil {
		return nil, err
	}
	wait := defaultCaptureWait
	if req.TimeoutMs != nil {
		if *req.TimeoutMs < 0 || *req.TimeoutMs > int(maxCaptureWait/time.Millisecond) {
			return nil, invalidField("TimeoutMs", fmt.Sprintf("TimeoutMs must be from 0 to %d", maxCaptureWait/time.Millisecond))
		}
		wait = time.Duration(*req.TimeoutMs) * time.Millisecond
	}
	if !c.App.Captures() {
		return nil, invalidParam(fmt.Sprintf("app %d does not capture callbacks: set its callback URL to %s (TIMD_CALLBACK_URL=%s)",
			c.App.SDKAppID, im.CaptureURL, im.CaptureURL))
	}
	deadline := time.NewTimer(wait)
	defer deadline.Stop()
	for {
		woken := s.captures.CaptureSignal() // before the read: a capture after it wakes us
		list, err := s.captures.ListCaptured(ctx, c.App.SDKAppID, f, limit)
		if err != nil || len(list) > 0 {
			return captureReply(list, f.After), err
		}
		poll := time.NewTimer(capturePoll)
		select {
		case <-woken:
		case <-poll.C:
		case <-deadline.C:
			poll.Stop()
			return captureReply(nil, f.After), nil
		case <-ctx.Done():
			poll.Stop()
			return nil, ctx.Err()
		}
		poll.Stop()
	}
}

// captureReply lists captures; NextCursor is the last one's Seq, else after.
func captureReply(list []im.Captured, after int64) *captureListResp {
	resp := &captureListResp{Callbacks: make([]capturedCallback, 0, len(list)), NextCursor: after}
	for _, c := range list {
		resp.Callbacks = append(resp.Callbacks, capturedCallback{Seq: c.Seq, CallbackCommand: c.Command, Kind: c.Phase,
			GroupId: c.GroupID, EventId: c.EventID, CapturedAt: c.CapturedAt.UnixMilli(), Query: c.Query, Body: c.Body})
		resp.NextCursor = c.Seq
	}
	return resp
}

// captureClear deletes the app's captures matching the filters, all of them
// without one.
func (s *Server) captureClear(ctx context.Context, c *Call, req *captureFilterReq) (*captureClearResp, error) {
	f, err := req.filter()
	if err != nil {
		return nil, err
	}
	n, err := s.captures.ClearCaptured(ctx, c.App.SDKAppID, f)
	if err != nil {
		return nil, err
	}
	return &captureClearResp{Cleared: n}, nil
}
