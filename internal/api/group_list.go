package api

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/timd/timd/internal/im"
)

type getJoinedGroupListReq struct {
	Member_Account     *string
	WithHugeGroups     *int
	WithNoActiveGroups *int
	Limit              *int
	Offset             *int
	GroupType          *string
	ResponseFilter     *responseFilter
	SupportTopic       *int
}

type getJoinedGroupListResp struct {
	TotalCount  int
	GroupIdList []object
}

// getJoinedGroupList lists the groups an account belongs to. Every group
// counts as active (timd keeps no messages), so WithNoActiveGroups changes
// nothing.
func (s *Server) getJoinedGroupList(ctx context.Context, c *Call, req *getJoinedGroupListReq) (*getJoinedGroupListResp, error) {
	if req.Member_Account == nil || *req.Member_Account == "" {
		return nil, invalidParam("Member_Account is required")
	}
	f := im.JoinedFilter{WithHugeGroups: req.WithHugeGroups != nil && *req.WithHugeGroups == 1}
	var err error
	if f.Type, err = groupTypeFilter(req.GroupType); err != nil {
		return nil, err
	}
	if f.Limit, f.Offset, err = limitOffset(req.Limit, req.Offset); err != nil {
		return nil, err
	}
	total, joined, err := s.groups.JoinedGroups(ctx, c.App.SDKAppID, *req.Member_Account, f)
	if err != nil {
		return nil, err
	}
	var view groupView
	if rf := req.ResponseFilter; rf != nil {
		view = newGroupView(rf)
	}
	resp := &getJoinedGroupListResp{TotalCount: total, GroupIdList: make([]object, len(joined))}
	for i := range joined {
		o := object{{"GroupId", joined[i].Group.GroupID}}
		if req.ResponseFilter != nil && req.ResponseFilter.GroupBaseInfoFilter != nil {
			view.base(&o, c.App.SDKAppID, &joined[i].Group)
		}
		if view.self != nil {
			o.add("SelfInfo", selfInfo(&joined[i].Self, view.self))
		}
		resp.GroupIdList[i] = o
	}
	return resp, nil
}

// selfInfo renders the caller-named user's own membership.
func selfInfo(m *im.Member, f fieldSet) object {
	var o object
	add := func(name string, value any) {
		if f[name] {
			o.add(name, value)
		}
	}
	add("Role", m.Role)
	add("JoinTime", m.JoinTime.Unix())
	add("MsgFlag", m.MsgFlag)
	add("MsgSeq", 0)
	add("UnreadMsgNum", m.Unread)
	if o == nil {
		o = object{}
	}
	return o
}

// groupTypeFilter checks a GroupType filter: a type or one of its aliases.
func groupTypeFilter(p *string) (string, error) {
	if p == nil || *p == "" {
		return "", nil
	}
	t, ok := im.GroupTypeAlias[*p]
	if !ok {
		return "", invalidParam(fmt.Sprintf("GroupType %q is not a group type", *p))
	}
	return t, nil
}

// limitOffset checks optional non-negative Limit and Offset.
func limitOffset(limit, offset *int) (int, int, error) {
	var l, o int
	if limit != nil {
		if *limit < 0 {
			return 0, 0, invalidParam("Limit must not be negative")
		}
		l = *limit
	}
	if offset != nil {
		if *offset < 0 {
			return 0, 0, invalidParam("Offset must not be negative")
		}
		o = *offset
	}
	return l, o, nil
}

type getAppidGroupListReq struct {
	Limit     *int
	Next      *json.Number
	GroupType *string
}

type groupIDItem struct {
	GroupId string
}

type getAppidGroupListResp struct {
	TotalCount  int
	GroupIdList []groupIDItem
	Next        uint64
}

// getAppidGroupList pages through all of the app's groups, oldest first.
// Next is 0 on the first call and in the reply once every group was listed.
func (s *Server) getAppidGroupList(ctx context.Context, c *Call, req *getAppidGroupListReq) (*getAppidGroupListResp, error) {
	f := im.GroupListFilter{Limit: im.MaxAppGroupListLimit}
	if req.Limit != nil {
		if *req.Limit < 0 || *req.Limit > im.MaxAppGroupListLimit {
			return nil, invalidParam(fmt.Sprintf("Limit must lie between 1 and %d", im.MaxAppGroupListLimit))
		}
		if *req.Limit > 0 {
			f.Limit = *req.Limit
		}
	}
	if req.Next != nil {
		n, err := strconv.ParseUint(req.Next.String(), 10, 63)
		if err != nil {
			return nil, invalidParam("Next must be a value this server returned")
		}
		f.After = int64(n)
	}
	var err error
	if f.Type, err = groupTypeFilter(req.GroupType); err != nil {
		return nil, err
	}
	total, ids, next, err := s.groups.AppGroups(ctx, c.App.SDKAppID, f)
	if err != nil {
		return nil, err
	}
	resp := &getAppidGroupListResp{TotalCount: total, GroupIdList: make([]groupIDItem, len(ids)), Next: uint64(next)}
	for i, id := range ids {
		resp.GroupIdList[i] = groupIDItem{GroupId: id}
	}
	return resp, nil
}
