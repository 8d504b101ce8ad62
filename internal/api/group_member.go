package api

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/timd/timd/internal/im"
)

type addGroupMemberReq struct {
	GroupId    *string
	Silence    *int
	MemberList []struct {
		Member_Account *string
	}
}

type addResult struct {
	Member_Account string
	Result         int
}

type addGroupMemberResp struct {
	MemberList []addResult
}

// addGroupMember adds up to 300 accounts to a group. Result per account: 1
// added, 2 already a member.
func (s *Server) addGroupMember(ctx context.Context, c *Call, req *addGroupMemberReq) (*addGroupMemberResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.MemberList) == 0 {
		return nil, invalidParam("MemberList is required")
	}
	if len(req.MemberList) > im.MaxAddMembers {
		return nil, im.Errorf(im.CodeGroupTooManyMembers, "at most %d members per request", im.MaxAddMembers)
	}
	ids := make([]string, len(req.MemberList))
	for i, m := range req.MemberList {
		if m.Member_Account == nil {
			return nil, invalidParam(fmt.Sprintf("MemberList[%d].Member_Account is required", i))
		}
		ids[i] = *m.Member_Account
	}
	results, err := s.groups.AddMembers(ctx, op(c), id, ids)
	if err != nil {
		return nil, err
	}
	resp := &addGroupMemberResp{MemberList: make([]addResult, len(ids))}
	for i, id := range ids {
		resp.MemberList[i] = addResult{Member_Account: id, Result: int(results[i])}
	}
	return resp, nil
}

type deleteGroupMemberReq struct {
	GroupId             *string
	Silence             *int
	Reason              *string
	MemberToDel_Account []string
}

// deleteGroupMember removes up to 100 members; naming a non-member is fine,
// naming the owner is 10004.
func (s *Server) deleteGroupMember(ctx context.Context, c *Call, req *deleteGroupMemberReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.MemberToDel_Account) == 0 {
		return nil, invalidParam("MemberToDel_Account is required")
	}
	if len(req.MemberToDel_Account) > im.MaxDeleteMembers {
		return nil, im.Errorf(im.CodeGroupTooManyMembers, "at most %d members per request", im.MaxDeleteMembers)
	}
	return nil, s.groups.DeleteMembers(ctx, op(c), id, req.MemberToDel_Account)
}

type getGroupMemberInfoReq struct {
	GroupId                          *string
	MemberInfoFilter                 []string
	MemberRoleFilter                 []string
	AppDefinedDataFilter_GroupMember []string
	Limit                            *int
	Offset                           *int
	Next                             *string
}

// getGroupMemberInfoResp is written by replyObject, which leaves Next out
// when it is nil.
type getGroupMemberInfoResp struct {
	MemberNum  int
	MemberList []object
	Next       *string
}

// getGroupMemberInfo lists a group's members, a page at a time with Limit
// and Offset, or, for a Community, Limit and Next.
func (s *Server) getGroupMemberInfo(ctx context.Context, c *Call, req *getGroupMemberInfoReq) (*getGroupMemberInfoResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	f, err := memberFilter(req)
	if err != nil {
		return nil, err
	}
	g, members, next, err := s.membersPage(ctx, c, id, f)
	if err != nil {
		return nil, err
	}
	view := memberView(req.MemberInfoFilter, req.AppDefinedDataFilter_GroupMember)
	resp := &getGroupMemberInfoResp{MemberNum: g.MemberNum, MemberList: view.memberList(members)}
	if g.Type == im.GroupCommunity {
		n := ""
		if next > 0 {
			n = strconv.FormatInt(next, 10)
		}
		resp.Next = &n
	}
	return resp, nil
}

type getSpecifiedGroupMemberInfoReq struct {
	GroupId                          *string
	Member_List_Account              []string
	MemberInfoFilter                 []string
	AppDefinedDataFilter_GroupMember []string
}

type getSpecifiedGroupMemberInfoResp struct {
	GroupId    string
	MemberList []object
}

// getSpecifiedGroupMemberInfo reads the profiles of up to 50 named members
// (269/112002), in joining order, as get_group_member_info writes them; a
// name that is not a member is left out.
func (s *Server) getSpecifiedGroupMemberInfo(ctx context.Context, c *Call, req *getSpecifiedGroupMemberInfoReq) (*getSpecifiedGroupMemberInfoResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if n := len(req.Member_List_Account); n == 0 || n > im.MaxSpecifiedMembers {
		return nil, invalidField("Member_List_Account", fmt.Sprintf("Member_List_Account must hold 1 to %d accounts", im.MaxSpecifiedMembers))
	}
	_, members, _, err := s.groups.Members(ctx, c.App.SDKAppID, id, im.MemberFilter{Users: req.Member_List_Account})
	if err != nil {
		return nil, err
	}
	view := memberView(req.MemberInfoFilter, req.AppDefinedDataFilter_GroupMember)
	return &getSpecifiedGroupMemberInfoResp{GroupId: id, MemberList: view.memberList(members)}, nil
}

// memberView is the view of members that get_group_member_info's filters
// ask for: with a MemberInfoFilter, member custom fields come back only
// when asked for.
func memberView(fields, appDefined []string) groupView {
	view := groupView{members: fieldSet{}}
	if fields != nil {
		view.memberFields = newFieldSet(fields)
	}
	if appDefined != nil {
		view.memberAppDef = newFieldSet(appDefined)
	} else if fields != nil {
		view.memberAppDef = fieldSet{}
	}
	return view
}

// memberFilter checks get_group_member_info's role filter and paging
// fields into the store's filter.
func memberFilter(req *getGroupMemberInfoReq) (im.MemberFilter, error) {
	f := im.MemberFilter{Roles: req.MemberRoleFilter}
	for _, r := range f.Roles {
		if !slices.Contains([]string{im.RoleOwner, im.RoleAdmin, im.RoleMember}, r) {
			return f, invalidParam(fmt.Sprintf("MemberRoleFilter: unknown role %q", r))
		}
	}
	if req.Limit != nil {
		if *req.Limit < 0 || *req.Limit > im.MaxMemberInfoLimit {
			return f, invalidParam(fmt.Sprintf("Limit must lie between 0 and %d", im.MaxMemberInfoLimit))
		}
		f.Limit = *req.Limit
	}
	if req.Offset != nil {
		if *req.Offset < 0 {
			return f, invalidParam("Offset must not be negative")
		}
		f.Offset = *req.Offset
	}
	if req.Next != nil && *req.Next != "" {
		n, err := strconv.ParseInt(*req.Next, 10, 64)
		if err != nil || n < 0 {
			return f, invalidParam("Next is not a value this server returned")
		}
		f.After = n
	}
	return f, nil
}

// membersPage reads a page of members. A Community pages by Next, not
// Offset (Tencent does not support Offset there).
func (s *Server) membersPage(ctx context.Context, c *Call, id string, f im.MemberFilter) (*im.Group, []im.Member, int64, error) {
	g, members, next, err := s.groups.Members(ctx, c.App.SDKAppID, id, f)
	if err != nil || g.Type == im.GroupCommunity || f.After == 0 {
		return g, members, next, err
	}
	return nil, nil, 0, invalidParam("Next is only for Community groups")
}
