package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Handlers of group_open_http_svc that administer members: profiles,
// mutes, roles and unread counts (docs/fidelity/group-admin.md); the
// imports are in group_import.go.

// groupAdminStore is what these handlers may touch (Server.gadmin); the
// methods and their codes are im.GroupAdminService's.
type groupAdminStore interface {
	ModifyMember(ctx context.Context, op im.Op, groupID string, upd im.MemberUpdate) error
	MuteMembers(ctx context.Context, op im.Op, groupID string, userIDs []string, seconds int64) error
	MutedMembers(ctx context.Context, app uint64, groupID string) ([]im.MutedMember, error)
	Roles(ctx context.Context, app uint64, groupID string, userIDs []string) ([]string, error)
	ImportMembers(ctx context.Context, op im.Op, groupID string, members []im.ImportMember) ([]im.AddResult, error)
	SetUnread(ctx context.Context, app uint64, groupID, userID string, n int) error
	BanMembers(ctx context.Context, op im.Op, groupID string, userIDs []string, seconds int64, description string) error
	UnbanMembers(ctx context.Context, op im.Op, groupID string, userIDs []string) error
	BannedMembers(ctx context.Context, app uint64, groupID string, offset, limit int) (im.GroupBanPage, error)
	// import_group (group_import.go) creates through groupStore.CreateGroup.
}

// memberAccount checks a required Member_Account field.
func memberAccount(p *string) (string, error) {
	if p == nil || *p == "" {
		return "", invalidParam("Member_Account is required")
	}
	return *p, nil
}

// muteSeconds checks a mute period: 0 (unmute) to 4294967295 (for ever).
func muteSeconds(field string, v int64) error {
	if v < 0 || v > im.MaxMuteSeconds {
		return invalidParam(fmt.Sprintf("%s must lie between 0 and %d", field, int64(im.MaxMuteSeconds)))
	}
	return nil
}

type modifyGroupMemberInfoReq struct {
	GroupId              *string
	Member_Account       *string
	Role                 *string
	MsgFlag              *string
	NameCard             *string
	ShutUpTime           *int64
	MuteTime             *int64 // the newer pages' name of ShutUpTime
	AppMemberDefinedData []kvReq
}

// modifyGroupMemberInfo changes one member's role, message option, name
// card, mute or custom fields.
func (s *Server) modifyGroupMemberInfo(ctx context.Context, c *Call, req *modifyGroupMemberInfoReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	upd := im.MemberUpdate{Role: req.Role, MsgFlag: req.MsgFlag, NameCard: req.NameCard, MuteFor: req.ShutUpTime}
	if upd.UserID, err = memberAccount(req.Member_Account); err != nil {
		return nil, err
	}
	if upd.MuteFor == nil {
		upd.MuteFor = req.MuteTime
	}
	for _, e := range []error{
		oneOf("Role", req.Role, []string{im.RoleAdmin, im.RoleMember}),
		oneOf("MsgFlag", req.MsgFlag, im.MsgFlags),
		maxBytes("NameCard", req.NameCard, im.MaxNameCardBytes),
	} {
		if e != nil {
			return nil, e
		}
	}
	if upd.MuteFor != nil {
		if err := muteSeconds("ShutUpTime", *upd.MuteFor); err != nil {
			return nil, err
		}
	}
	if upd.AppDefined, err = customFields("AppMemberDefinedData", req.AppMemberDefinedData, im.MaxMemberDefinedVal); err != nil {
		return nil, err
	}
	return nil, s.gadmin.ModifyMember(ctx, op(c), id, upd)
}

type forbidSendMsgReq struct {
	GroupId         *string
	Members_Account []string
	ShutUpTime      *int64
	MuteTime        *int64 // the newer pages' name of ShutUpTime
}

// forbidSendMsg mutes (or, with 0, unmutes) up to 500 members.
func (s *Server) forbidSendMsg(ctx context.Context, c *Call, req *forbidSendMsgReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.Members_Account) == 0 {
		return nil, invalidParam("Members_Account is required")
	}
	if len(req.Members_Account) > im.MaxMuteMembers {
		return nil, im.Errorf(im.CodeGroupTooManyMembers, "at most %d accounts per request", im.MaxMuteMembers)
	}
	secs := req.ShutUpTime
	if secs == nil {
		secs = req.MuteTime
	}
	if secs == nil {
		return nil, invalidParam("ShutUpTime is required")
	}
	if err := muteSeconds("ShutUpTime", *secs); err != nil {
		return nil, err
	}
	return nil, s.gadmin.MuteMembers(ctx, op(c), id, req.Members_Account, *secs)
}

type mutedAccount struct {
	Member_Account string
	MutedUntil     int64
}

type getGroupMutedAccountResp struct {
	GroupId          string
	MutedAccountList []mutedAccount
}

// getGroupMutedAccount lists the members muted now, with when each mute
// ends (unix seconds).
func (s *Server) getGroupMutedAccount(ctx context.Context, c *Call, req *groupIDReq) (*getGroupMutedAccountResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	muted, err := s.gadmin.MutedMembers(ctx, c.App.SDKAppID, id)
	if err != nil {
		return nil, err
	}
	resp := &getGroupMutedAccountResp{GroupId: id, MutedAccountList: make([]mutedAccount, len(muted))}
	for i, m := range muted {
		resp.MutedAccountList[i] = mutedAccount{Member_Account: m.UserID, MutedUntil: m.Until}
	}
	return resp, nil
}

type shuttedUin struct {
	Member_Account string
	ShuttedUntil   int64
}

type getGroupShuttedUinResp struct {
	GroupId        string
	ShuttedUinList []shuttedUin
}

// getGroupShuttedUin is get_group_muted_account under its older name, with
// the older reply keys (ShuttedUinList, ShuttedUntil), as the older pages
// and the SDKs written against them have it.
func (s *Server) getGroupShuttedUin(ctx context.Context, c *Call, req *groupIDReq) (*getGroupShuttedUinResp, error) {
	resp, err := s.getGroupMutedAccount(ctx, c, req)
	if err != nil {
		return nil, err
	}
	old := &getGroupShuttedUinResp{GroupId: resp.GroupId, ShuttedUinList: make([]shuttedUin, len(resp.MutedAccountList))}
	for i, m := range resp.MutedAccountList {
		old.ShuttedUinList[i] = shuttedUin{Member_Account: m.Member_Account, ShuttedUntil: m.MutedUntil}
	}
	return old, nil
}

type getRoleInGroupReq struct {
	GroupId      *string
	User_Account []string
}

type memberRole struct {
	Member_Account string
	Role           string
}

type getRoleInGroupResp struct {
	UserIdList []memberRole
}

// getRoleInGroup answers up to 500 accounts' roles: Owner, Admin, Member
// or NotMember.
func (s *Server) getRoleInGroup(ctx context.Context, c *Call, req *getRoleInGroupReq) (*getRoleInGroupResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.User_Account) == 0 {
		return nil, invalidParam("User_Account is required")
	}
	if len(req.User_Account) > im.MaxRoleQuery {
		return nil, im.Errorf(im.CodeGroupTooManyMembers, "at most %d accounts per request", im.MaxRoleQuery)
	}
	roles, err := s.gadmin.Roles(ctx, c.App.SDKAppID, id, req.User_Account)
	if err != nil {
		return nil, err
	}
	resp := &getRoleInGroupResp{UserIdList: make([]memberRole, len(roles))}
	for i, r := range roles {
		resp.UserIdList[i] = memberRole{Member_Account: req.User_Account[i], Role: r}
	}
	return resp, nil
}

type setUnreadMsgNumReq struct {
	GroupId        *string
	Member_Account *string
	UnreadMsgNum   *int
}

// setUnreadMsgNum sets a member's unread message count.
func (s *Server) setUnreadMsgNum(ctx context.Context, c *Call, req *setUnreadMsgNumReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	user, err := memberAccount(req.Member_Account)
	if err != nil {
		return nil, err
	}
	if req.UnreadMsgNum == nil || *req.UnreadMsgNum < 0 {
		return nil, invalidParam("UnreadMsgNum is required and must not be negative")
	}
	return nil, s.gadmin.SetUnread(ctx, c.App.SDKAppID, id, user, *req.UnreadMsgNum)
}
