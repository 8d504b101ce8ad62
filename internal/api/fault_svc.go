package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/fault"
	"github.com/timd/timd/internal/im"
)

// timd_fault: fault injection of the control plane (docs/control-callbacks.md).
// Faults are per app and live in this process: a REST command of a Tencent
// service answers an error code, or late, before it runs (so nothing
// changes), and callback deliveries fail, time out or stall. timd's own
// services (timd_*) are never faulted.

type faultSetReq struct {
	Service     *string
	Command     *string
	ErrorCode   *int
	ErrorInfo   *string
	Count       *int
	Probability *float64
	LatencyMs   *int
}

type faultSetCallbackReq struct {
	CallbackCommand *string
	Action          *string
	Count           *int
	Probability     *float64
	LatencyMs       *int
}

type faultSelectReq struct {
	FaultId *int64
	Kind    *string // API or Callback
}

type faultIDResp struct {
	FaultId int64
}

type faultInfo struct {
	FaultId         int64
	Kind            string
	Service         string  `json:",omitempty"`
	Command         string  `json:",omitempty"`
	CallbackCommand string  `json:",omitempty"`
	Action          string  `json:",omitempty"`
	ErrorCode       int     `json:",omitempty"`
	ErrorInfo       string  `json:",omitempty"`
	Count           int     `json:",omitempty"` // calls left
	Probability     float64 `json:",omitempty"`
	LatencyMs       int     `json:",omitempty"`
	Injected        int
}

type faultListResp struct {
	Faults []faultInfo
}

type faultClearResp struct {
	Cleared int
}

// faultSet adds a fault of a REST command, or of every command of a
// service with Command "*".
func (s *Server) faultSet(ctx context.Context, c *Call, req *faultSetReq) (*faultIDResp, error) {
	if req.Service == nil || *req.Service == "" {
		return nil, invalidField("Service", "Service is required")
	}
	if req.Command == nil || *req.Command == "" {
		return nil, invalidField("Command", `Command is required: a command of Service, or "*" for all`)
	}
	svc, cmd := *req.Service, *req.Command
	if _, ok := services[svc]; !ok || strings.HasPrefix(svc, "timd_") {
		return nil, invalidField("Service", fmt.Sprintf("Service %q is not a Tencent service timd serves", svc))
	}
	if cmd != fault.Any && s.route(svc, cmd) == nil {
		return nil, invalidField("Command", fmt.Sprintf("%s has no command %q", svc, cmd))
	}
	r := fault.Rule{Kind: fault.KindAPI, Service: svc, Command: cmd, Count: deref0(req.Count), Probability: deref0(req.Probability),
		LatencyMs: deref0(req.LatencyMs), ErrorCode: deref0(req.ErrorCode), ErrorInfo: deref0(req.ErrorInfo)}
	if req.ErrorCode != nil && *req.ErrorCode == 0 {
		return nil, invalidField("ErrorCode", "ErrorCode must be a non-zero code")
	}
	if req.ErrorInfo != nil && req.ErrorCode == nil {
		return nil, invalidField("ErrorInfo", "ErrorInfo goes with ErrorCode")
	}
	if r.ErrorCode != 0 && r.ErrorInfo == "" {
		r.ErrorInfo = "injected fault"
	}
	return s.addFault(c.App, r, req.Count, req.Probability)
}

// faultSetCallback adds a fault of the deliveries of a callback command, or
// of all with CallbackCommand "*".
func (s *Server) faultSetCallback(ctx context.Context, c *Call, req *faultSetCallbackReq) (*faultIDResp, error) {
	if req.CallbackCommand == nil || !validCallbackName(*req.CallbackCommand) {
		return nil, invalidField("CallbackCommand", `CallbackCommand is required: a callback command (Group.CallbackAfterCreateGroup), or "*" for all`)
	}
	if req.Action == nil {
		return nil, invalidField("Action", "Action is required: Fail, Timeout or Stall")
	}
	r := fault.Rule{Kind: fault.KindCallback, CallbackCommand: *req.CallbackCommand, Action: *req.Action,
		Count: deref0(req.Count), Probability: deref0(req.Probability), LatencyMs: deref0(req.LatencyMs)}
	return s.addFault(c.App, r, req.Count, req.Probability)
}

// validCallbackName reports whether s is "*" or looks like a callback
// command: a family and a name, as Group.CallbackAfterCreateGroup.
func validCallbackName(s string) bool {
	family, name, ok := strings.Cut(s, ".")
	return s == fault.Any || ok && family != "" && name != "" && len(s) <= 128
}

// addFault adds r for app; a Count or Probability given as 0 is refused
// as such, not taken as absent.
func (s *Server) addFault(app *im.App, r fault.Rule, count *int, prob *float64) (*faultIDResp, error) {
	if count != nil && *count < 1 {
		return nil, invalidField("Count", "Count must be at least 1")
	}
	if prob != nil && !(*prob > 0 && *prob <= 1) {
		return nil, invalidField("Probability", "Probability must be above 0 and at most 1")
	}
	id, err := s.faults.Add(app.SDKAppID, r)
	var bad *fault.Invalid
	if errors.As(err, &bad) {
		return nil, invalidParam(bad.Info)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("fault set", "sdkappid", app.SDKAppID, "fault_id", id, "kind", r.Kind)
	return &faultIDResp{FaultId: id}, nil
}

// kind checks the Kind filter: "" for both.
func (req *faultSelectReq) kind() (string, error) {
	if req.Kind == nil {
		return "", nil
	}
	if k := *req.Kind; k == fault.KindAPI || k == fault.KindCallback {
		return k, nil
	}
	return "", invalidField("Kind", "Kind must be API or Callback")
}

// faultList lists the app's faults, of one Kind if given.
func (s *Server) faultList(ctx context.Context, c *Call, req *faultSelectReq) (*faultListResp, error) {
	kind, err := req.kind()
	if err != nil {
		return nil, err
	}
	if req.FaultId != nil {
		return nil, invalidField("FaultId", "FaultId goes with clear, not list")
	}
	resp := &faultListResp{Faults: []faultInfo{}}
	for _, r := range s.faults.List(c.App.SDKAppID, kind) {
		resp.Faults = append(resp.Faults, faultInfo{FaultId: r.ID, Kind: r.Kind, Service: r.Service, Command: r.Command,
			CallbackCommand: r.CallbackCommand, Action: r.Action, ErrorCode: r.ErrorCode, ErrorInfo: r.ErrorInfo,
			Count: r.Count, Probability: r.Probability, LatencyMs: r.LatencyMs, Injected: r.Injected})
	}
	return resp, nil
}

// faultClear removes the fault FaultId, or every fault of the app (of one
// Kind if given).
func (s *Server) faultClear(ctx context.Context, c *Call, req *faultSelectReq) (*faultClearResp, error) {
	kind, err := req.kind()
	if err != nil {
		return nil, err
	}
	if req.FaultId == nil {
		return &faultClearResp{Cleared: s.faults.Clear(c.App.SDKAppID, 0, kind)}, nil
	}
	if *req.FaultId < 1 || req.Kind != nil {
		return nil, invalidField("FaultId", "FaultId must be a fault's id (at least 1), without Kind")
	}
	n := s.faults.Clear(c.App.SDKAppID, *req.FaultId, "")
	if n == 0 {
		return nil, invalidField("FaultId", fmt.Sprintf("app %d has no fault %d (a fault of Count goes once used up)", c.App.SDKAppID, *req.FaultId))
	}
	return &faultClearResp{Cleared: n}, nil
}

// injectFault plays out a fault set for the command x calls, before it
// runs: the latency, then the error code if any. timd's own services are
// never faulted.
func (s *Server) injectFault(ctx context.Context, x *exchange) error {
	if strings.HasPrefix(x.rt.service, "timd_") {
		return nil
	}
	hit, ok := s.faults.API(x.adm.call.App.SDKAppID, x.rt.service, x.rt.command)
	if !ok {
		return nil
	}
	if err := fault.Sleep(ctx, hit.Latency); err != nil {
		return err
	}
	if hit.Rule.ErrorCode != 0 {
		x.faulted = true
		return &im.Error{Code: hit.Rule.ErrorCode, Info: hit.Rule.ErrorInfo}
	}
	return nil
}
