package api

import (
	"context"
	"fmt"
	"slices"

	"github.com/timd/timd/internal/im"
)

// Handlers of online state (docs/fidelity/state.md): openim/querystate
// (also served as openim/query_online_status, its current name),
// im_open_login_svc/kick, and timd_control/set_state, timd's own hook that
// sets what a client's login or logout would.

// stateStore is what the state handlers may touch (Server.states); the
// methods and their codes are im.StateService's.
type stateStore interface {
	QueryStates(ctx context.Context, app uint64, userIDs []string) ([]im.AccountState, error) // querystate
	SetState(ctx context.Context, op im.Op, ch im.StateChange) error                          // set_state
	Kick(ctx context.Context, op im.Op, userID string) error                                  // kick
}

type queryStateReq struct {
	To_Account   []string
	IsNeedDetail *int
	// IsReturnInstid and IsReturnCustomStatus are accepted and ignored:
	// timd keeps no device instances or custom statuses.
	IsReturnInstid       *int
	IsReturnCustomStatus *int
}

type stateResult struct {
	To_Account string
	Status     string
	Detail     []stateDetail `json:",omitempty"`
}

type stateDetail struct {
	Platform string
	Status   string
}

type stateError struct {
	To_Account string
	ErrorCode  int
}

type queryStateResp struct {
	QueryResult []stateResult
	ErrorList   []stateError `json:",omitempty"`
}

// queryState answers the state of up to 500 accounts; one that is not
// imported is listed in ErrorList with 70107.
func (s *Server) queryState(ctx context.Context, c *Call, req *queryStateReq) (*queryStateResp, error) {
	if len(req.To_Account) == 0 {
		return nil, invalidField("To_Account", "To_Account is required")
	}
	if len(req.To_Account) > im.MaxStateQuery {
		return nil, invalidField("To_Account", fmt.Sprintf("at most %d accounts per request", im.MaxStateQuery))
	}
	for _, f := range [...]struct {
		name string
		v    *int
	}{{"IsNeedDetail", req.IsNeedDetail}, {"IsReturnInstid", req.IsReturnInstid}, {"IsReturnCustomStatus", req.IsReturnCustomStatus}} {
		if f.v != nil && *f.v != 0 && *f.v != 1 {
			return nil, invalidParam(f.name + " must be 0 or 1")
		}
	}
	states, err := s.states.QueryStates(ctx, c.App.SDKAppID, req.To_Account)
	if err != nil {
		return nil, err
	}
	detail := req.IsNeedDetail != nil && *req.IsNeedDetail == 1
	resp := &queryStateResp{QueryResult: []stateResult{}}
	for _, st := range states {
		if !st.Imported {
			resp.ErrorList = append(resp.ErrorList, stateError{To_Account: st.UserID, ErrorCode: im.CodeAccountNotFound})
			continue
		}
		r := stateResult{To_Account: st.UserID, Status: st.Status}
		if detail {
			for _, d := range st.Detail {
				r.Detail = append(r.Detail, stateDetail(d))
			}
		}
		resp.QueryResult = append(resp.QueryResult, r)
	}
	return resp, nil
}

type kickReq struct {
	UserID     *string
	Identifier *string // legacy name of UserID, still sent by some SDKs
}

// kick logs an account out of every platform.
func (s *Server) kick(ctx context.Context, c *Call, req *kickReq) (*empty, error) {
	id := req.UserID
	if id == nil {
		id = req.Identifier
	}
	if id == nil || *id == "" {
		return nil, invalidParam("UserID is required")
	}
	return nil, s.states.Kick(ctx, op(c), *id)
}

type setStateReq struct {
	To_Account   *string
	Platform     *string
	Action       *string
	Reason       *string
	KickedDevice []struct {
		Platform *string
	}
}

// setState sets one platform of an account as a client's Login, Logout or
// Disconnect would, and records State.StateChange as Tencent sends it.
func (s *Server) setState(ctx context.Context, c *Call, req *setStateReq) (*empty, error) {
	ch, err := req.change()
	if err != nil {
		return nil, err
	}
	return nil, s.states.SetState(ctx, op(c), ch)
}

// change checks set_state's fields into the change they ask for.
func (req *setStateReq) change() (im.StateChange, error) {
	var ch im.StateChange
	if req.To_Account == nil || *req.To_Account == "" {
		return ch, invalidParam("To_Account is required")
	}
	ch.UserID = *req.To_Account
	if req.Platform == nil || !slices.Contains(im.Platforms, *req.Platform) {
		return ch, invalidParam(fmt.Sprintf("Platform must be one of %v", im.Platforms))
	}
	ch.Platform = *req.Platform
	if req.Action == nil || im.StateReasons[*req.Action] == nil {
		return ch, invalidParam("Action must be Login, Logout or Disconnect")
	}
	ch.Action = *req.Action
	reasons := im.StateReasons[ch.Action]
	ch.Reason = reasons[0]
	if req.Reason != nil {
		if !slices.Contains(reasons, *req.Reason) {
			return ch, invalidParam(fmt.Sprintf("Reason of %s must be one of %v", ch.Action, reasons))
		}
		ch.Reason = *req.Reason
	}
	if len(req.KickedDevice) > 0 && ch.Action != im.ActionLogin {
		return ch, invalidParam("KickedDevice goes only with Action Login")
	}
	for _, k := range req.KickedDevice {
		if k.Platform == nil || !slices.Contains(im.Platforms, *k.Platform) || *k.Platform == ch.Platform ||
			slices.Contains(ch.Kicked, *k.Platform) {
			return ch, invalidParam("KickedDevice: each Platform must be a platform other than Platform, named once")
		}
		ch.Kicked = append(ch.Kicked, *k.Platform)
	}
	return ch, nil
}
