package api

import (
	"context"
	"fmt"
	"slices"

	"github.com/timd/timd/internal/im"
)

// maxReplyBytes is Tencent's limit on a reply: beyond it, 10018.
const maxReplyBytes = 1 << 20

type responseFilter struct {
	GroupBaseInfoFilter              []string
	MemberInfoFilter                 []string
	AppDefinedDataFilter_Group       []string
	AppDefinedDataFilter_GroupMember []string
	SelfInfoFilter                   []string
}

type getGroupInfoReq struct {
	GroupIdList    []string
	ResponseFilter *responseFilter
}

type getGroupInfoResp struct {
	GroupInfo []object
	// memo, when set, is written as GroupInfo instead: the groups' objects
	// as the memo holds them (group_info_memo.go).
	memo []rawJSON
}

// memberSizeEstimate is what each member is taken to add to a reply when
// checking it against maxReplyBytes.
const memberSizeEstimate = 64

// getGroupInfo returns up to 50 groups' profiles and members. The reply's
// own ErrorCode is 0; each group carries its own (10010 unknown or
// dismissed, 10015 malformed id).
func (s *Server) getGroupInfo(ctx context.Context, c *Call, req *getGroupInfoReq) (*getGroupInfoResp, error) {
	if len(req.GroupIdList) == 0 {
		return nil, invalidParam("GroupIdList is required")
	}
	if len(req.GroupIdList) > im.MaxGroupInfoBatch {
		return nil, invalidParam(fmt.Sprintf("at most %d groups per request", im.MaxGroupInfoBatch))
	}
	app := c.App.SDKAppID
	gen, memo := s.groups.CacheGeneration()
	memo = memo && s.groupMemo != nil && memoizable(req)
	if memo {
		if items, size, ok := lookupGroups(s.groupMemo, app, req.GroupIdList, gen); ok {
			if size > maxReplyBytes {
				return nil, replyTooLarge()
			}
			return &getGroupInfoResp{memo: items}, nil
		}
	}
	view := newGroupView(req.ResponseFilter)
	var ids []string
	for _, id := range req.GroupIdList {
		if im.WellFormedGroupID(id) {
			ids = append(ids, id)
		}
	}
	groups, members, err := s.groups.FindGroups(ctx, app, ids, view.members != nil)
	if err != nil {
		return nil, err
	}
	resp := &getGroupInfoResp{GroupInfo: make([]object, 0, len(req.GroupIdList))}
	j := 0
	size := 0
	for _, id := range req.GroupIdList {
		o := append(make(object, 0, groupInfoMembers), member{"GroupId", id})
		switch {
		case !im.WellFormedGroupID(id):
			o.add("ErrorCode", im.CodeGroupIDMalformed)
			o.add("ErrorInfo", "invalid group id")
		case groups[j] == nil:
			j++
			o.add("ErrorCode", im.CodeGroupNotFound)
			o.add("ErrorInfo", "group does not exist or has been dismissed")
		default:
			o.add("ErrorCode", 0)
			o.add("ErrorInfo", "")
			view.base(&o, app, groups[j])
			n := 0
			if view.members != nil && groups[j].Type != im.GroupAVChatRoom {
				list := view.memberList(members[j])
				o.add("MemberList", list)
				n = len(list)
				size += n * memberSizeEstimate
			}
			if memo {
				if b, err := o.appendJSON(nil); err == nil {
					s.groupMemo.put(groupMemoKey{app, id}, gen, groupMemoValue{b, n}, len(b))
				}
			}
			j++
		}
		resp.GroupInfo = append(resp.GroupInfo, o)
	}
	if size > maxReplyBytes {
		return nil, replyTooLarge()
	}
	return resp, nil
}

func replyTooLarge() error {
	return im.Errorf(im.CodeGroupReplyTooLarge, "the reply would exceed 1 MB: use ResponseFilter or get_group_member_info")
}

// groupInfoMembers is how many members a group of get_group_info has at
// most, memberInfoMembers the same for one of its members: the objects are
// made that large at once.
const (
	groupInfoMembers  = 22
	memberInfoMembers = 9
)

// groupView renders groups and members as a ResponseFilter asks. Without a
// filter everything is rendered; with one, each part only if its filter is
// given, and then only the fields it lists.
type groupView struct {
	baseFields   fieldSet // nil: all; empty: none
	appDefined   fieldSet
	members      fieldSet // nil: no member list at all
	memberFields fieldSet
	memberAppDef fieldSet
	self         fieldSet
}

func newGroupView(f *responseFilter) groupView {
	if f == nil {
		return groupView{members: fieldSet{}, memberFields: nil}
	}
	v := groupView{baseFields: newFieldSet(f.GroupBaseInfoFilter), appDefined: fieldSet{}, memberAppDef: fieldSet{}}
	if f.AppDefinedDataFilter_Group != nil {
		v.appDefined = newFieldSet(f.AppDefinedDataFilter_Group)
	}
	if f.MemberInfoFilter != nil {
		v.members, v.memberFields = fieldSet{}, newFieldSet(f.MemberInfoFilter)
	}
	if f.AppDefinedDataFilter_GroupMember != nil {
		v.memberAppDef = newFieldSet(f.AppDefinedDataFilter_GroupMember)
	}
	if f.SelfInfoFilter != nil {
		v.self = newFieldSet(f.SelfInfoFilter)
	}
	return v
}

// base adds a group's base profile fields, in the order of Tencent's samples.
// Here and in member, string fields are added as pointers to them: a string
// put in an interface is copied to the heap, a pointer is not. g and the
// members are not changed while the reply is built: FindGroups gives each
// caller its own Group, and member lists are read-only.
func (v groupView) base(o *object, appID uint64, g *im.Group) {
	f := v.baseFields
	add := func(name string, value any) {
		if f.has(name) {
			o.add(name, value)
		}
	}
	add("Type", &g.Type)
	add("Name", &g.Name)
	add("Appid", appID)
	add("Introduction", &g.Introduction)
	add("Notification", &g.Notification)
	add("FaceUrl", &g.FaceURL)
	add("Owner_Account", &g.Owner)
	add("CreateTime", g.CreateTime.Unix())
	add("InfoSeq", g.InfoSeq)
	add("LastInfoTime", g.LastInfoTime.Unix())
	add("LastMsgTime", g.LastMsgTime)
	add("NextMsgSeq", g.NextMsgSeq)
	add("MemberNum", g.MemberNum)
	add("MaxMemberNum", g.MaxMemberNum)
	add("ApplyJoinOption", &g.ApplyJoin)
	add("InviteJoinOption", &g.InviteJoin)
	add("MuteAllMember", onOff(g.MuteAll))
	if defined := filterKVs(g.AppDefined, v.appDefined); v.appDefined == nil || len(v.appDefined) > 0 {
		o.add("AppDefinedData", defined)
	}
}

// memberList renders members, their objects made in one allocation.
func (v groupView) memberList(ms []im.Member) []object {
	const n = memberInfoMembers
	list := make([]object, len(ms))
	objs := make(object, len(ms)*n)
	for k := range ms {
		list[k] = v.member(objs[k*n:k*n:(k+1)*n], &ms[k])
	}
	return list
}

// member appends to o one member with the fields the filter asks for.
func (v groupView) member(o object, m *im.Member) object {
	o = append(o, member{"Member_Account", &m.UserID})
	f := v.memberFields
	add := func(name string, value any) {
		if f.has(name) {
			o.add(name, value)
		}
	}
	add("Role", &m.Role)
	add("JoinTime", m.JoinTime.Unix())
	add("MsgSeq", 0)
	add("MsgFlag", &m.MsgFlag)
	add("LastSendMsgTime", 0)
	add("MuteUntil", m.MuteUntil)
	add("NameCard", &m.NameCard)
	if v.memberAppDef == nil || len(v.memberAppDef) > 0 {
		o.add("AppMemberDefinedData", filterKVs(m.AppDefined, v.memberAppDef))
	}
	return o
}

func onOff(b bool) string {
	if b {
		return "On"
	}
	return "Off"
}

// filterKVs keeps the custom fields whose keys pass f, never nil.
func filterKVs(kvs []im.KV, f fieldSet) []im.KV {
	out := []im.KV{}
	for _, kv := range kvs {
		if f.has(kv.Key) {
			out = append(out, kv)
		}
	}
	return slices.Clip(out)
}
