package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// import_group and import_group_member: groups and members brought over
// from another system, with their times, and no callbacks
// (docs/fidelity/group-admin.md).

type importGroupReq struct {
	Owner_Account    *string
	Type             *string
	GroupId          *string
	Name             *string
	Introduction     *string
	Notification     *string
	FaceUrl          *string
	MaxMemberCount   *int
	ApplyJoinOption  *string
	InviteJoinOption *string
	AppDefinedData   []kvReq
	CreateTime       *int64
	SupportTopic     *int // a Community's, as create_group's
}

type importGroupResp struct {
	GroupId string
}

// importGroup creates a group as create_group does, without members
// beyond its owner, at its CreateTime, and records no callback.
func (s *Server) importGroup(ctx context.Context, c *Call, req *importGroupReq) (*importGroupResp, error) {
	ng, err := newGroupFromRequest(&createGroupReq{
		Owner_Account: req.Owner_Account, Type: req.Type, GroupId: req.GroupId, Name: req.Name,
		Introduction: req.Introduction, Notification: req.Notification, FaceUrl: req.FaceUrl,
		MaxMemberCount: req.MaxMemberCount, ApplyJoinOption: req.ApplyJoinOption,
		InviteJoinOption: req.InviteJoinOption, AppDefinedData: req.AppDefinedData, SupportTopic: req.SupportTopic,
	})
	if err != nil {
		return nil, err
	}
	if ng.Type == im.GroupAVChatRoom {
		return nil, im.Errorf(im.CodeGroupForbidden, "an AVChatRoom cannot be imported")
	}
	if ng.CreateTime, err = pastTime("CreateTime", req.CreateTime, s.appNow(c.App).Unix()); err != nil {
		return nil, err
	}
	ng.Import = true
	id, err := s.groups.CreateGroup(ctx, op(c), ng)
	if err != nil {
		return nil, err
	}
	return &importGroupResp{GroupId: id}, nil
}

// pastTime checks an optional unix-seconds time that may not lie ahead of
// now; absent or 0 means now (0 returned).
func pastTime(field string, v *int64, now int64) (int64, error) {
	if v == nil {
		return 0, nil
	}
	if *v < 0 || *v > now {
		return 0, invalidParam(fmt.Sprintf("%s must be a unix time in seconds, not after now", field))
	}
	return *v, nil
}

type importGroupMemberReq struct {
	GroupId    *string
	MemberList []struct {
		Member_Account *string
		Role           *string
		JoinTime       *int64
		UnreadMsgNum   *int
	}
}

// importGroupMember adds up to 300 members with their roles, join times and
// unread counts. Result per account: 1 added, 2 already a member.
func (s *Server) importGroupMember(ctx context.Context, c *Call, req *importGroupMemberReq) (*addGroupMemberResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.MemberList) == 0 {
		return nil, invalidParam("MemberList is required")
	}
	if len(req.MemberList) > im.MaxImportMembers {
		return nil, im.Errorf(im.CodeGroupTooManyMembers, "at most %d members per request", im.MaxImportMembers)
	}
	now := s.appNow(c.App).Unix()
	members := make([]im.ImportMember, len(req.MemberList))
	for i, m := range req.MemberList {
		if m.Member_Account == nil || *m.Member_Account == "" {
			return nil, invalidParam(fmt.Sprintf("MemberList[%d].Member_Account is required", i))
		}
		mem := im.ImportMember{UserID: *m.Member_Account, Role: im.RoleMember}
		if m.Role != nil && *m.Role != "" {
			if err := oneOf(fmt.Sprintf("MemberList[%d].Role", i), m.Role, []string{"Admin", "Member"}); err != nil {
				return nil, err
			}
			mem.Role = *m.Role
		}
		if mem.JoinTime, err = pastTime(fmt.Sprintf("MemberList[%d].JoinTime", i), m.JoinTime, now); err != nil {
			return nil, err
		}
		if m.UnreadMsgNum != nil {
			if *m.UnreadMsgNum < 0 {
				return nil, invalidParam(fmt.Sprintf("MemberList[%d].UnreadMsgNum must not be negative", i))
			}
			mem.Unread = *m.UnreadMsgNum
		}
		members[i] = mem
	}
	results, err := s.gadmin.ImportMembers(ctx, op(c), id, members)
	if err != nil {
		return nil, err
	}
	resp := &addGroupMemberResp{MemberList: make([]addResult, len(members))}
	for i, m := range members {
		resp.MemberList[i] = addResult{Member_Account: m.UserID, Result: int(results[i])}
	}
	return resp, nil
}
