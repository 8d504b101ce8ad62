package api

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of group_open_http_svc that create, change and dismiss groups
// (docs/fidelity/groups.md, docs/decisions.md §3).

// groupStore is what the group_open_http_svc handlers may touch
// (Server.groups), in this file and in group_info.go, group_list.go and
// group_member.go; the methods and their codes are im.GroupService's.
type groupStore interface {
	// Here: create_group, destroy_group, change_group_owner,
	// modify_group_base_info.
	CreateGroup(ctx context.Context, op im.Op, g im.NewGroup) (groupID string, err error)
	CountOwnedGroups(ctx context.Context, app uint64, owner, groupType string) (int, error)
	DestroyGroup(ctx context.Context, op im.Op, groupID string) error
	ChangeOwner(ctx context.Context, op im.Op, groupID, newOwner string) error
	UpdateGroup(ctx context.Context, op im.Op, groupID string, upd im.GroupUpdate) error
	// group_info.go: get_group_info.
	FindGroups(ctx context.Context, app uint64, ids []string, withMembers bool) ([]*im.Group, [][]im.Member, error)
	// CacheGeneration is the store's read cache generation, read before
	// FindGroups to file its result in get_group_info's memo; ok is false
	// when the store has none (group_info_memo.go).
	CacheGeneration() (gen uint64, ok bool)
	// group_online.go: get_online_member_num.
	OnlineMemberNum(ctx context.Context, app uint64, groupSeq int64) (int, error)
	// group_list.go: get_joined_group_list, get_appid_group_list.
	JoinedGroups(ctx context.Context, app uint64, userID string, f im.JoinedFilter) (total int, groups []im.Joined, err error)
	AppGroups(ctx context.Context, app uint64, f im.GroupListFilter) (total int, ids []string, next int64, err error)
	// group_member.go: add_group_member, delete_group_member,
	// get_group_member_info.
	AddMembers(ctx context.Context, op im.Op, groupID string, userIDs []string) ([]im.AddResult, error)
	// group_apply.go: timd_control/apply_join_group.
	ApplyJoin(ctx context.Context, op im.Op, groupID, userID string) (im.ApplyOutcome, error)
	DeleteMembers(ctx context.Context, op im.Op, groupID string, userIDs []string) error
	Members(ctx context.Context, app uint64, groupID string, f im.MemberFilter) (group *im.Group, members []im.Member, next int64, err error)
}

// groupID checks a GroupId field naming an existing group: missing or not a
// string is 10004 (the decoder catches the latter), a string that could
// never be a GroupId is 10015.
func groupID(p *string) (string, error) {
	if p == nil {
		return "", invalidParam("GroupId is required")
	}
	if !im.WellFormedGroupID(*p) {
		return "", im.Errorf(im.CodeGroupIDMalformed, "GroupId %q is invalid", *p)
	}
	return *p, nil
}

// op is the write context of a call.
func op(c *Call) im.Op { return im.Op{App: c.App, Operator: c.Identifier, ClientIP: c.ClientIP} }

// maxBytes fails with 10004 if a given text field is longer than limit or
// holds a NUL character (which PostgreSQL cannot store in text; custom
// field values, which may hold binary data, are stored encoded instead).
func maxBytes(field string, v *string, limit int) error {
	if v != nil && len(*v) > limit {
		return invalidParam(fmt.Sprintf("%s is longer than %d bytes", field, limit))
	}
	if v != nil && strings.IndexByte(*v, 0) >= 0 {
		return invalidParam(fmt.Sprintf("%s must not contain the NUL character", field))
	}
	return nil
}

// kvReq is a {Key, Value} custom field in a request.
type kvReq struct {
	Key   *string
	Value *string
}

// customFields validates AppDefinedData-style fields: at most 20, keys of 1
// to 16 bytes of [A-Za-z0-9_], values of at most maxValue bytes. Spaces
// around a key are dropped: Tencent's own create_group sample sends the key
// " GroupTestData2", and a key is only ever one configured in its console,
// made of those characters (docs/fidelity/groups.md#create_group).
func customFields(field string, in []kvReq, maxValue int) ([]im.KV, error) {
	if len(in) > im.MaxAppDefinedKeys {
		return nil, invalidParam(fmt.Sprintf("at most %d %s entries", im.MaxAppDefinedKeys, field))
	}
	out := make([]im.KV, 0, len(in))
	for i, kv := range in {
		if kv.Key == nil || kv.Value == nil {
			return nil, invalidParam(fmt.Sprintf("%s[%d] needs Key and Value", field, i))
		}
		key := strings.Trim(*kv.Key, " ")
		if !validCustomKey(key) {
			return nil, invalidParam(fmt.Sprintf("%s key %q must be 1 to %d bytes of A-Z a-z 0-9 _", field, *kv.Key, im.MaxAppDefinedKey))
		}
		if len(*kv.Value) > maxValue {
			return nil, invalidParam(fmt.Sprintf("%s value of %q is longer than %d bytes", field, key, maxValue))
		}
		out = append(out, im.KV{Key: key, Value: *kv.Value})
	}
	return out, nil
}

func validCustomKey(k string) bool {
	if len(k) == 0 || len(k) > im.MaxAppDefinedKey {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

var (
	applyJoinOptions  = []string{"FreeAccess", "NeedPermission", "DisableApply"}
	inviteJoinOptions = []string{"FreeAccess", "NeedPermission", "DisableInvite"}
)

// checkGroupProfile checks the profile fields create_group and
// modify_group_base_info share; nil fields were not given.
func checkGroupProfile(name, intro, notification, faceURL, applyJoin, inviteJoin *string) error {
	for _, e := range []error{
		maxBytes("Name", name, im.MaxGroupNameBytes),
		maxBytes("Introduction", intro, im.MaxIntroBytes),
		maxBytes("Notification", notification, im.MaxNotificationBytes),
		maxBytes("FaceUrl", faceURL, im.MaxFaceURLBytes),
		oneOf("ApplyJoinOption", applyJoin, applyJoinOptions),
		oneOf("InviteJoinOption", inviteJoin, inviteJoinOptions),
	} {
		if e != nil {
			return e
		}
	}
	return nil
}

// supportTopic checks create_group's SupportTopic: 0 or 1, and 1 only
// for a Community.
func supportTopic(v *int, typ string) (bool, error) {
	switch {
	case v == nil || *v == 0:
		return false, nil
	case typ != im.GroupCommunity:
		return false, invalidParam("SupportTopic is only for Community groups")
	case *v != 1:
		return false, invalidParam("SupportTopic must be 0 or 1")
	}
	return true, nil
}

// oneOf fails with 10004 if a given field is not one of the allowed values.
func oneOf(field string, v *string, allowed []string) error {
	if v != nil && !slices.Contains(allowed, *v) {
		return invalidParam(fmt.Sprintf("%s must be one of %v", field, allowed))
	}
	return nil
}

type createGroupReq struct {
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
	MemberList       []struct {
		Member_Account       *string
		Role                 *string
		AppMemberDefinedData []kvReq
	}
	SupportTopic *int
}

// createGroupResp is create_group's reply. Tencent's sample reply for a
// Community adds HugeGroupFlag (0) and Type after the GroupId; its samples for
// the other types carry the GroupId alone
// (docs/fidelity/groups.md#create_group).
type createGroupResp struct {
	GroupId       string
	HugeGroupFlag *int   `json:",omitempty"`
	Type          string `json:",omitempty"`
}

// createGroup creates a group.
func (s *Server) createGroup(ctx context.Context, c *Call, req *createGroupReq) (*createGroupResp, error) {
	ng, err := newGroupFromRequest(req)
	if err != nil {
		return nil, err
	}
	if err := s.beforeCreateGroup(ctx, c, ng); err != nil {
		return nil, err
	}
	id, err := s.groups.CreateGroup(ctx, op(c), ng)
	if err != nil {
		return nil, err
	}
	resp := &createGroupResp{GroupId: id}
	if ng.Type == im.GroupCommunity {
		resp.HugeGroupFlag, resp.Type = new(int), im.GroupCommunity
	}
	return resp, nil
}

// beforeCreateGroup sends Group.CallbackBeforeCreateGroup when the app has it
// on (docs/fidelity/callbacks.md, docs/decisions.md §6.5): a rejection stops
// create_group before anything is stored.
func (s *Server) beforeCreateGroup(ctx context.Context, c *Call, ng im.NewGroup) error {
	if s.before == nil || !c.App.Records(im.CallbackBeforeCreateGroup) {
		return nil
	}
	owned, err := s.groups.CountOwnedGroups(ctx, c.App.SDKAppID, ng.Owner, ng.Type)
	if err != nil {
		return err
	}
	members := make([]im.MemberAccount, len(ng.Members))
	for i, m := range ng.Members {
		members[i] = im.MemberAccount{Account: m.UserID}
	}
	return s.before.Before(ctx, c.App, c.ClientIP, im.BeforeCreateGroupBody{
		Operator:       c.Identifier,
		Owner:          ng.Owner,
		Type:           ng.Type,
		Name:           ng.Name,
		CreateGroupNum: owned,
		MemberList:     members,
	})
}

// newGroupFromRequest validates a create_group request and fills defaults.
func newGroupFromRequest(req *createGroupReq) (im.NewGroup, error) {
	var ng im.NewGroup
	if req.Type == nil {
		return ng, invalidParam("Type is required")
	}
	typ, ok := im.GroupTypeAlias[*req.Type]
	if !ok {
		return ng, invalidParam(fmt.Sprintf("Type %q is not a group type that can be created", *req.Type))
	}
	if req.Name == nil || *req.Name == "" {
		return ng, invalidParam("Name is required")
	}
	if err := checkGroupProfile(req.Name, req.Introduction, req.Notification, req.FaceUrl,
		req.ApplyJoinOption, req.InviteJoinOption); err != nil {
		return ng, err
	}
	var err error
	if ng.SupportTopic, err = supportTopic(req.SupportTopic, typ); err != nil {
		return ng, err
	}
	g := im.Group{Type: typ, Name: *req.Name, ApplyJoin: defaultApplyJoin(typ), InviteJoin: defaultInviteJoin(typ)}
	if req.GroupId != nil {
		if !im.ValidCustomGroupID(*req.GroupId, typ) {
			return ng, invalidParam(fmt.Sprintf("GroupId %q cannot be used as a custom id for a %s group", *req.GroupId, typ))
		}
		g.GroupID, ng.CustomID = *req.GroupId, true
	}
	deref(&g.Introduction, req.Introduction)
	deref(&g.Notification, req.Notification)
	deref(&g.FaceURL, req.FaceUrl)
	deref(&g.Owner, req.Owner_Account)
	deref(&g.ApplyJoin, req.ApplyJoinOption)
	deref(&g.InviteJoin, req.InviteJoinOption)

	g.MaxMemberNum = im.MemberCap(typ)
	if req.MaxMemberCount != nil && typ != im.GroupAVChatRoom {
		if *req.MaxMemberCount < 1 || *req.MaxMemberCount > g.MaxMemberNum {
			return ng, invalidParam(fmt.Sprintf("MaxMemberCount must lie between 1 and %d for a %s group", g.MaxMemberNum, typ))
		}
		g.MaxMemberNum = *req.MaxMemberCount
	}
	if g.AppDefined, err = customFields("AppDefinedData", req.AppDefinedData, im.MaxAppDefinedValue); err != nil {
		return ng, err
	}
	if ng.Members, err = createMembers(req, typ); err != nil {
		return ng, err
	}
	ng.Group = g
	return ng, nil
}

// createMembers checks create_group's MemberList, of a group of type typ.
func createMembers(req *createGroupReq, typ string) ([]im.Member, error) {
	var members []im.Member
	if typ == im.GroupAVChatRoom && len(req.MemberList) > 0 {
		return nil, im.Errorf(im.CodeGroupForbidden, "an AVChatRoom cannot be created with members")
	}
	if len(req.MemberList) > im.MaxCreateMembers {
		return nil, im.Errorf(im.CodeGroupTooManyMembers, "at most %d members in MemberList", im.MaxCreateMembers)
	}
	for i, m := range req.MemberList {
		if m.Member_Account == nil {
			return nil, invalidParam(fmt.Sprintf("MemberList[%d].Member_Account is required", i))
		}
		role := im.RoleMember
		if m.Role != nil && *m.Role != "" {
			if *m.Role != im.RoleAdmin && *m.Role != im.RoleMember {
				return nil, invalidParam(fmt.Sprintf("MemberList[%d].Role must be Admin", i))
			}
			role = *m.Role
		}
		defined, err := customFields("AppMemberDefinedData", m.AppMemberDefinedData, 64)
		if err != nil {
			return nil, err
		}
		members = append(members, im.Member{UserID: *m.Member_Account, Role: role, AppDefined: defined})
	}
	return members, nil
}

func deref(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

// defaultApplyJoin is ApplyJoinOption when create_group names none: Work
// (Private) groups cannot be applied to, AVChatRooms are open, others need
// approval.
func defaultApplyJoin(typ string) string {
	switch typ {
	case im.GroupPrivate:
		return "DisableApply"
	case im.GroupAVChatRoom:
		return "FreeAccess"
	}
	return "NeedPermission"
}

// defaultInviteJoin is InviteJoinOption when create_group names none.
func defaultInviteJoin(typ string) string {
	switch typ {
	case im.GroupPrivate, im.GroupCommunity:
		return "FreeAccess"
	case im.GroupAVChatRoom:
		return "DisableInvite"
	}
	return "NeedPermission"
}

type groupIDReq struct {
	GroupId *string
}

// destroyGroup dismisses a group: irreversible, one transaction, one
// Group.CallbackAfterGroupDestroyed event.
func (s *Server) destroyGroup(ctx context.Context, c *Call, req *groupIDReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	return nil, s.groups.DestroyGroup(ctx, op(c), id)
}

type changeGroupOwnerReq struct {
	GroupId          *string
	NewOwner_Account *string
}

// changeGroupOwner hands a group to one of its members.
func (s *Server) changeGroupOwner(ctx context.Context, c *Call, req *changeGroupOwnerReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.NewOwner_Account == nil || *req.NewOwner_Account == "" {
		return nil, invalidParam("NewOwner_Account is required")
	}
	return nil, s.groups.ChangeOwner(ctx, op(c), id, *req.NewOwner_Account)
}

type modifyGroupBaseInfoReq struct {
	GroupId          *string
	Name             *string
	Introduction     *string
	Notification     *string
	FaceUrl          *string
	MaxMemberNum     *int
	ApplyJoinOption  *string
	InviteJoinOption *string
	MuteAllMember    *string
	ShutUpAllMember  *string // older name of MuteAllMember
	AppDefinedData   []kvReq
}

// modifyGroupBaseInfo changes a group's profile.
func (s *Server) modifyGroupBaseInfo(ctx context.Context, c *Call, req *modifyGroupBaseInfoReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.Name != nil && *req.Name == "" {
		return nil, invalidParam("Name cannot be empty")
	}
	mute := req.MuteAllMember
	if mute == nil {
		mute = req.ShutUpAllMember
	}
	if err := checkGroupProfile(req.Name, req.Introduction, req.Notification, req.FaceUrl,
		req.ApplyJoinOption, req.InviteJoinOption); err != nil {
		return nil, err
	}
	if err := oneOf("MuteAllMember", mute, []string{"On", "Off"}); err != nil {
		return nil, err
	}
	upd := im.GroupUpdate{
		Name: req.Name, Introduction: req.Introduction, Notification: req.Notification, FaceURL: req.FaceUrl,
		MaxMemberNum: req.MaxMemberNum, ApplyJoin: req.ApplyJoinOption, InviteJoin: req.InviteJoinOption,
	}
	if mute != nil {
		on := *mute == "On"
		upd.MuteAll = &on
	}
	if upd.AppDefined, err = customFields("AppDefinedData", req.AppDefinedData, im.MaxAppDefinedValue); err != nil {
		return nil, err
	}
	return nil, s.groups.UpdateGroup(ctx, op(c), id, upd)
}
