package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Friend lists: sns group_add, group_delete and group_get. These are a
// user's lists of friends, unrelated to group_open_http_svc's groups.

// listNames checks a GroupName array: 1 to limit names, each 1 to 30 bytes.
func listNames(names []string, limit int) error {
	if len(names) == 0 {
		return invalidParam("GroupName is required")
	}
	if len(names) > limit {
		return invalidParam(fmt.Sprintf("at most %d names in GroupName", limit))
	}
	for i, name := range names {
		if err := listName(fmt.Sprintf("GroupName[%d]", i), name); err != nil {
			return err
		}
	}
	return nil
}

type groupAddReq struct {
	From_Account *string
	GroupName    []string
	To_Account   []string
}

type groupAddResp struct {
	ResultItem      []snsResult `json:",omitempty"` // only when To_Account is given
	Fail_Account    []string    `json:",omitempty"`
	CurrentSequence int64
}

// groupAdd creates friend lists (up to 32 per user; an existing name is
// left as it is) and puts the To_Account friends in the lists it created;
// a To_Account that is not a friend is a per-item 32216.
func (s *Server) groupAdd(ctx context.Context, c *Call, req *groupAddReq) (*groupAddResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	if err := listNames(req.GroupName, im.MaxFriendLists); err != nil {
		return nil, err
	}
	var to []string
	if len(req.To_Account) > 0 { // optional: [] and null name nobody
		if to, err = snsAccounts("To_Account", req.To_Account); err != nil {
			return nil, err
		}
	}
	seq, res, err := s.sns.AddFriendLists(ctx, op(c), from, req.GroupName, to)
	if err != nil {
		return nil, err
	}
	resp := &groupAddResp{CurrentSequence: seq}
	resp.ResultItem, resp.Fail_Account = snsResults(to, res)
	return resp, nil
}

type groupDeleteReq struct {
	From_Account *string
	GroupName    []string
}

type groupDeleteResp struct {
	CurrentSequence int64
}

// groupDelete deletes friend lists: every name must exist (30001 naming
// the first that does not, nothing deleted); a repeated name counts once.
// The friends in them stay friends.
func (s *Server) groupDelete(ctx context.Context, c *Call, req *groupDeleteReq) (*groupDeleteResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	if len(req.GroupName) == 0 {
		return nil, invalidParam("GroupName is required")
	}
	// Tencent caps GroupName at 32, a user's most lists, as for group_add.
	if len(req.GroupName) > im.MaxFriendLists {
		return nil, invalidParam(fmt.Sprintf("at most %d names in GroupName", im.MaxFriendLists))
	}
	seq, err := s.sns.DeleteFriendLists(ctx, op(c), from, req.GroupName)
	if err != nil {
		return nil, err
	}
	return &groupDeleteResp{CurrentSequence: seq}, nil
}

type groupGetReq struct {
	From_Account *string
	NeedFriend   *string
	GroupName    []string
	LastSequence *int64
}

type groupGetItem struct {
	GroupName    string
	FriendNumber int
	To_Account   *[]string `json:",omitempty"` // with Need_Friend_Type_Yes
}

type groupGetResp struct {
	ResultItem      *[]groupGetItem `json:",omitempty"`
	CurrentSequence int64
}

// groupGet lists a user's friend lists in creation order with their
// friend counts, and with NeedFriend "Need_Friend_Type_Yes" their friends.
// GroupName keeps only the named lists (unknown names are left out).
// Without GroupName, a LastSequence equal to the user's CurrentSequence
// leaves ResultItem out: nothing changed since that pull.
func (s *Server) groupGet(ctx context.Context, c *Call, req *groupGetReq) (*groupGetResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	for i, name := range req.GroupName {
		if err := listName(fmt.Sprintf("GroupName[%d]", i), name); err != nil {
			return nil, err
		}
	}
	var names []string
	if len(req.GroupName) > 0 {
		names = req.GroupName
	}
	need := req.NeedFriend != nil && *req.NeedFriend == im.NeedFriendYes
	seq, lists, err := s.sns.FriendLists(ctx, c.App.SDKAppID, from, names, need)
	if err != nil {
		return nil, err
	}
	resp := &groupGetResp{CurrentSequence: seq}
	if names == nil && req.LastSequence != nil && *req.LastSequence == seq {
		return resp, nil
	}
	items := make([]groupGetItem, len(lists))
	for i, l := range lists {
		items[i] = groupGetItem{GroupName: l.Name, FriendNumber: l.Count}
		if need {
			members := l.Members
			items[i].To_Account = &members
		}
	}
	resp.ResultItem = &items
	return resp, nil
}
