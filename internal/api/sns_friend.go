package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

type friendDeleteReq struct {
	From_Account *string
	To_Account   []string
	DeleteType   *string
}

type friendDeleteResp struct {
	ResultItem []snsResult
}

// friendDelete removes friends: one way (Delete_Type_Single, the default)
// or both. A To_Account with no relation to remove is a per-item 31704.
func (s *Server) friendDelete(ctx context.Context, c *Call, req *friendDeleteReq) (*friendDeleteResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	to, err := snsAccounts("To_Account", req.To_Account)
	if err != nil {
		return nil, err
	}
	both, err := mode("DeleteType", req.DeleteType, im.DeleteTypeSingle, im.DeleteTypeBoth, false)
	if err != nil {
		return nil, err
	}
	res, err := s.sns.DeleteFriends(ctx, op(c), from, to, both)
	if err != nil {
		return nil, err
	}
	resp := &friendDeleteResp{}
	resp.ResultItem, _ = snsResults(to, res)
	return resp, nil
}

// mode reads a two-valued mode field (AddType, DeleteType, CheckType):
// true for the "both" value; absent or "" is def.
func mode(field string, v *string, single, both string, def bool) (bool, error) {
	switch {
	case v == nil || *v == "":
		return def, nil
	case *v == single:
		return false, nil
	case *v == both:
		return true, nil
	}
	return false, invalidParam(fmt.Sprintf("%s %q is neither %s nor %s", field, *v, single, both))
}

type friendCheckReq struct {
	From_Account *string
	To_Account   []string
	CheckType    *string
}

type friendCheckItem struct {
	To_Account string
	Relation   string
	ResultCode int
	ResultInfo string
}

type friendCheckResp struct {
	InfoItem     []friendCheckItem
	Fail_Account []string `json:",omitempty"` // never filled: no item fails
}

// friendCheck reports relations. CheckResult_Type_Single looks only at
// From_Account's friend list (AWithB or NoRelation); CheckResult_Type_Both
// at both lists.
func (s *Server) friendCheck(ctx context.Context, c *Call, req *friendCheckReq) (*friendCheckResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	to, err := snsAccounts("To_Account", req.To_Account)
	if err != nil {
		return nil, err
	}
	if req.CheckType == nil || *req.CheckType == "" {
		return nil, invalidParam("CheckType is required")
	}
	both, err := mode("CheckType", req.CheckType, im.CheckTypeSingle, im.CheckTypeBoth, false)
	if err != nil {
		return nil, err
	}
	rel, err := s.sns.CheckFriends(ctx, c.App.SDKAppID, from, to, both)
	if err != nil {
		return nil, err
	}
	resp := &friendCheckResp{InfoItem: make([]friendCheckItem, len(to))}
	for i, id := range to {
		resp.InfoItem[i] = friendCheckItem{To_Account: id, Relation: rel[i]}
	}
	return resp, nil
}

type friendGetReq struct {
	From_Account     *string
	StartIndex       *int
	StandardSequence *int64
	CustomSequence   *int64
}

type userDataItem struct {
	To_Account string
	ValueItem  []tagValue
}

type tagValue struct {
	Tag   string
	Value any
}

type friendGetResp struct {
	UserDataItem     []userDataItem
	StandardSequence int64
	CustomSequence   int64
	FriendNum        int
	CompleteFlag     int
	NextStartIndex   int
}

// friendGet pages through a user's friends, 100 a page, in UserID order,
// with every standard and custom friend field. A StandardSequence (or
// CustomSequence) equal to the user's leaves the standard (or custom)
// fields out: the caller has them already.
func (s *Server) friendGet(ctx context.Context, c *Call, req *friendGetReq) (*friendGetResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	if req.StartIndex == nil {
		return nil, invalidParam("StartIndex is required")
	}
	if *req.StartIndex < 0 {
		return nil, invalidParam("StartIndex must not be negative")
	}
	start := *req.StartIndex
	page, err := s.sns.Friends(ctx, c.App.SDKAppID, from, start, im.FriendPageSize)
	if err != nil {
		return nil, err
	}
	standard := req.StandardSequence == nil || *req.StandardSequence != page.Standard
	custom := req.CustomSequence == nil || *req.CustomSequence != page.Custom
	resp := &friendGetResp{
		UserDataItem:     make([]userDataItem, len(page.Friends)),
		StandardSequence: page.Standard,
		CustomSequence:   page.Custom,
		FriendNum:        page.Total,
		CompleteFlag:     1,
	}
	for i := range page.Friends {
		resp.UserDataItem[i] = userData(&page.Friends[i], standard, custom)
	}
	if next := start + len(page.Friends); next < page.Total {
		resp.CompleteFlag, resp.NextStartIndex = 0, next
	}
	return resp, nil
}

// userData renders one friend as friend_get does, in the order of
// Tencent's sample: AddSource, Remark, Group, AddWording, AddTime, then the
// custom fields. Empty Remark, Group and AddWording are left out.
func userData(f *im.Friend, standard, custom bool) userDataItem {
	d := userDataItem{To_Account: f.UserID, ValueItem: []tagValue{}}
	if standard {
		d.ValueItem = append(d.ValueItem, tagValue{im.TagAddSource, f.AddSource})
		if f.Remark != "" {
			d.ValueItem = append(d.ValueItem, tagValue{im.TagRemark, f.Remark})
		}
		if len(f.Lists) > 0 {
			d.ValueItem = append(d.ValueItem, tagValue{im.TagGroup, f.Lists})
		}
		if f.AddWording != "" {
			d.ValueItem = append(d.ValueItem, tagValue{im.TagAddWording, f.AddWording})
		}
		d.ValueItem = append(d.ValueItem, tagValue{im.TagAddTime, f.AddTime.Unix()})
	}
	if custom {
		for _, ci := range f.Custom {
			d.ValueItem = append(d.ValueItem, tagValue{ci.Tag, ci.Value})
		}
	}
	return d
}
