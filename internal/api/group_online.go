package api

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// group_open_http_svc/get_online_member_num (269/49180;
// docs/fidelity/push.md#get_online_member_num).

type onlineMemberNumReq struct {
	GroupId *string
}

type onlineMemberNumResp struct {
	OnlineMemberNum int
}

// getOnlineMemberNum answers how many of a group's members are online:
// those timd_control/set_state logged in with the status Online on some
// platform (timd keeps no client sessions of its own). An
// AVChatRoom is always answered; another type only on the Ultimate
// edition, which Tencent requires with the console's "group member online
// status" switch; else 10007, as Tencent's earlier page answered every
// type but AVChatRoom. Unknown or dismissed 10010, malformed 10015.
func (s *Server) getOnlineMemberNum(ctx context.Context, c *Call, req *onlineMemberNumReq) (*onlineMemberNumResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	groups, _, err := s.groups.FindGroups(ctx, c.App.SDKAppID, []string{id}, false)
	if err != nil {
		return nil, err
	}
	if len(groups) == 0 || groups[0] == nil {
		return nil, im.Errorf(im.CodeGroupNotFound, "group %s does not exist or has been dismissed", id)
	}
	if groups[0].Type != im.GroupAVChatRoom && c.App.Edition != im.EditionUltimate {
		return nil, im.Errorf(im.CodeGroupForbidden, "the online member count of a %s group needs the Ultimate edition", groups[0].Type)
	}
	n, err := s.groups.OnlineMemberNum(ctx, c.App.SDKAppID, groups[0].Seq)
	if err != nil {
		return nil, err
	}
	return &onlineMemberNumResp{OnlineMemberNum: n}, nil
}
