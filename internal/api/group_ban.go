package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Handlers of AVChatRoom bans (docs/fidelity/group-admin.md#avchatroom-bans):
// ban_group_member, unban_group_member and get_group_ban_member, through
// groupAdminStore.

// banCall runs the checks every ban command starts with: the edition
// (10059 [?]: the pages open bans to the Premium edition, timd's Ultimate),
// then a well-formed GroupId.
func banCall(c *Call, id *string) (string, error) {
	if c.App.Edition != im.EditionUltimate {
		return "", im.Errorf(im.CodeGroupCounterEdition, "AVChatRoom bans need the Ultimate edition, the app is %q", c.App.Edition)
	}
	return groupID(id)
}

// banAccounts checks Members_Account: 1 to 20 accounts.
func banAccounts(ids []string) error {
	if len(ids) == 0 || len(ids) > im.MaxBanAccounts {
		return invalidField("Members_Account", fmt.Sprintf("Members_Account must hold 1 to %d accounts", im.MaxBanAccounts))
	}
	return nil
}

type banGroupMemberReq struct {
	GroupId         *string
	Members_Account []string
	Duration        *int64
	Description     *string
}

// banGroupMember bans accounts from an AVChatRoom for Duration seconds.
func (s *Server) banGroupMember(ctx context.Context, c *Call, req *banGroupMemberReq) (*empty, error) {
	id, err := banCall(c, req.GroupId)
	if err != nil {
		return nil, err
	}
	if err := banAccounts(req.Members_Account); err != nil {
		return nil, err
	}
	if req.Duration == nil || *req.Duration <= 0 || *req.Duration > im.MaxBanSeconds {
		return nil, invalidField("Duration", fmt.Sprintf("Duration must lie between 1 and %d seconds", int64(im.MaxBanSeconds)))
	}
	desc := ""
	if req.Description != nil {
		desc = *req.Description
	}
	if len(desc) > im.MaxBanDescription {
		return nil, invalidField("Description", fmt.Sprintf("Description holds at most %d bytes", im.MaxBanDescription))
	}
	return nil, s.gadmin.BanMembers(ctx, op(c), id, req.Members_Account, *req.Duration, desc)
}

type unbanGroupMemberReq struct {
	GroupId         *string
	Members_Account []string
}

// unbanGroupMember lifts accounts' bans from an AVChatRoom.
func (s *Server) unbanGroupMember(ctx context.Context, c *Call, req *unbanGroupMemberReq) (*empty, error) {
	id, err := banCall(c, req.GroupId)
	if err != nil {
		return nil, err
	}
	if err := banAccounts(req.Members_Account); err != nil {
		return nil, err
	}
	return nil, s.gadmin.UnbanMembers(ctx, op(c), id, req.Members_Account)
}

type getGroupBanMemberReq struct {
	GroupId *string
	Limit   *int
	Offset  *int
}

type getGroupBanMemberResp struct {
	BannedAccountList []im.GroupBan
	NextOffset        int
}

// getGroupBanMember reads a page of an AVChatRoom's running bans: Limit
// (1 to 100) of them from Offset (0 first).
func (s *Server) getGroupBanMember(ctx context.Context, c *Call, req *getGroupBanMemberReq) (*getGroupBanMemberResp, error) {
	id, err := banCall(c, req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.Limit == nil || *req.Limit <= 0 || *req.Limit > im.MaxBanPage {
		return nil, invalidField("Limit", fmt.Sprintf("Limit must lie between 1 and %d", im.MaxBanPage))
	}
	offset := 0
	if req.Offset != nil {
		offset = *req.Offset
	}
	if offset < 0 {
		return nil, invalidField("Offset", "Offset must not be negative")
	}
	page, err := s.gadmin.BannedMembers(ctx, c.App.SDKAppID, id, offset, *req.Limit)
	if err != nil {
		return nil, err
	}
	return &getGroupBanMemberResp{BannedAccountList: page.Bans, NextOffset: page.NextOffset}, nil
}
