package api

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// timd_control/apply_join_group stands in for a client applying to join a
// group, which no REST command does: it sends Group.CallbackBeforeApplyJoinGroup
// and applies the group's ApplyJoinOption (docs/fidelity/group-admin.md).

// maxApplyMsg bounds ApplyMsg; Tencent documents no limit, timd's.
const maxApplyMsg = 1024

type applyJoinReq struct {
	GroupId           *string
	Requestor_Account *string
	ApplyMsg          *string
}

type applyJoinResp struct {
	Result im.ApplyOutcome // Joined, or Pending when an admin would decide
}

func (s *Server) applyJoinGroup(ctx context.Context, c *Call, req *applyJoinReq) (*applyJoinResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.Requestor_Account == nil || !im.ValidUserID(*req.Requestor_Account) {
		return nil, invalidField("Requestor_Account", "Requestor_Account is required")
	}
	if err := maxBytes("ApplyMsg", req.ApplyMsg, maxApplyMsg); err != nil {
		return nil, err
	}
	var msg string
	deref(&msg, req.ApplyMsg)
	if err := s.beforeApplyJoin(ctx, c, id, *req.Requestor_Account, msg); err != nil {
		return nil, err
	}
	outcome, err := s.groups.ApplyJoin(ctx, op(c), id, *req.Requestor_Account)
	if err != nil {
		return nil, err
	}
	return &applyJoinResp{Result: outcome}, nil
}

// beforeApplyJoin sends Group.CallbackBeforeApplyJoinGroup when the app has
// it on: after the checks of the group itself (a group that does not exist
// or takes no applications is answered by the store without asking), before
// anything is stored; a rejection is 10016, or the receiver's 10100–10200.
func (s *Server) beforeApplyJoin(ctx context.Context, c *Call, id, requestor, msg string) error {
	if s.before == nil || !c.App.Records(im.CallbackBeforeApplyJoin) {
		return nil
	}
	groups, _, err := s.groups.FindGroups(ctx, c.App.SDKAppID, []string{id}, false)
	if err != nil {
		return err
	}
	g := groups[0]
	if g == nil || g.Type == im.GroupAVChatRoom || g.Type == im.GroupPrivate || g.ApplyJoin == "DisableApply" {
		return nil
	}
	return s.before.Before(ctx, c.App, c.ClientIP, im.BeforeApplyJoinBody{
		GroupID: id, Type: g.Type, Requestor: requestor, ApplyMsg: msg,
	})
}
