package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Handlers of sns: friends (friend_add, friend_import, here; friend_delete,
// friend_check, friend_get in sns_friend.go) and friend lists (sns_list.go)
// (docs/fidelity/sns.md, docs/decisions.md §4). A malformed request is 30001 as
// a whole; what depends on stored state (accounts, relations, limits) is a
// per-item ResultCode.

// snsStore is what the sns handlers may touch (Server.sns), in this file
// and in sns_import.go, sns_friend.go and sns_list.go; the methods and
// their codes are im.SNSService's.
type snsStore interface {
	// Here: friend_add.
	AddFriends(ctx context.Context, op im.Op, req im.FriendAdd) ([]*im.Error, error)
	// sns_import.go: friend_import.
	ImportFriends(ctx context.Context, op im.Op, from string, items []im.FriendItem) ([]*im.Error, error)
	// sns_friend.go: friend_delete, friend_check, friend_get.
	DeleteFriends(ctx context.Context, op im.Op, from string, to []string, both bool) ([]*im.Error, error)
	CheckFriends(ctx context.Context, app uint64, from string, to []string, both bool) ([]string, error)
	Friends(ctx context.Context, app uint64, from string, start, limit int) (im.FriendPage, error)
	// sns_list.go: group_add, group_delete, group_get.
	AddFriendLists(ctx context.Context, op im.Op, from string, names, to []string) (int64, []*im.Error, error)
	DeleteFriendLists(ctx context.Context, op im.Op, from string, names []string) (int64, error)
	FriendLists(ctx context.Context, app uint64, from string, names []string, members bool) (int64, []im.FriendList, error)
}

// snsFrom checks From_Account: required, not empty. Whether it is imported
// is the store's 30003.
func snsFrom(p *string) (string, error) {
	if p == nil || *p == "" {
		return "", invalidParam("From_Account is required")
	}
	return *p, nil
}

// snsAccounts checks a To_Account array: 1 to 1000 non-empty UserIDs.
func snsAccounts(field string, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, invalidParam(field + " is required")
	}
	if len(ids) > im.MaxSNSBatch {
		return nil, invalidParam(fmt.Sprintf("at most %d accounts in %s", im.MaxSNSBatch, field))
	}
	for i, id := range ids {
		if id == "" {
			return nil, invalidParam(fmt.Sprintf("%s[%d] is empty", field, i))
		}
	}
	return ids, nil
}

// listName checks a friend list name: 1 to 30 bytes, no NUL.
func listName(field, name string) error {
	if !im.ValidFriendListName(name) {
		return invalidParam(fmt.Sprintf("%s %q must be 1 to %d bytes", field, name, im.MaxFriendListName))
	}
	return nil
}

// snsResult is one ResultItem of friend_add, friend_import, friend_delete
// and group_add.
type snsResult struct {
	To_Account string
	ResultCode int
	ResultInfo string
}

// snsResults renders per-item outcomes and the Fail_Account list.
func snsResults(to []string, res []*im.Error) ([]snsResult, []string) {
	out := make([]snsResult, len(to))
	var fail []string
	for i, id := range to {
		out[i] = snsResult{To_Account: id}
		if res[i] != nil {
			out[i].ResultCode, out[i].ResultInfo = res[i].Code, res[i].Info
			fail = append(fail, id)
		}
	}
	return out, fail
}

// friendItemReq is one AddFriendItem: friend_add names one list as a
// string, friend_import an array of lists; each has its own request type.
type friendItemReq struct {
	To_Account *string
	Remark     *string
	AddSource  *string
	AddWording *string
}

// check validates the fields friend_add and friend_import share.
func (r *friendItemReq) check(i int) (im.FriendItem, error) {
	field := fmt.Sprintf("AddFriendItem[%d]", i)
	var it im.FriendItem
	if r.To_Account == nil || *r.To_Account == "" {
		return it, invalidParam(field + ".To_Account is required")
	}
	if r.AddSource == nil {
		return it, invalidParam(field + ".AddSource is required")
	}
	if !im.ValidAddSource(*r.AddSource) {
		return it, invalidParam(fmt.Sprintf("%s.AddSource %q must be %q and 1 to %d letters", field, *r.AddSource, im.AddSourcePrefix, im.MaxAddSourceKeyword))
	}
	if err := maxBytes(field+".Remark", r.Remark, im.MaxRemarkBytes); err != nil {
		return it, err
	}
	if err := maxBytes(field+".AddWording", r.AddWording, im.MaxAddWordingBytes); err != nil {
		return it, err
	}
	it.To, it.AddSource = *r.To_Account, *r.AddSource
	deref(&it.Remark, r.Remark)
	deref(&it.AddWording, r.AddWording)
	return it, nil
}

// friendItems checks the size of AddFriendItem.
func friendItems(n int) error {
	if n == 0 {
		return invalidParam("AddFriendItem is required")
	}
	if n > im.MaxSNSBatch {
		return invalidParam(fmt.Sprintf("at most %d items in AddFriendItem", im.MaxSNSBatch))
	}
	return nil
}

type friendAddReq struct {
	From_Account  *string
	AddFriendItem []struct {
		friendItemReq
		GroupName *string // one list only when adding
	}
	AddType       *string
	ForceAddFlags *int
}

type friendAddResp struct {
	ResultItem   []snsResult
	Fail_Account []string `json:",omitempty"`
}

// friendAdd adds friends: both ways unless AddType is Add_Type_Single.
// Without ForceAddFlags 1 the peer's AllowType decides: AllowAny adds,
// DenyAny is a per-item 30516, NeedConfirm (the default) a pending request
// and a per-item 30539.
func (s *Server) friendAdd(ctx context.Context, c *Call, req *friendAddReq) (*friendAddResp, error) {
	add, err := friendAddFromRequest(req)
	if err != nil {
		return nil, err
	}
	rejected, err := s.beforeFriendAdd(ctx, c, add)
	if err != nil {
		return nil, err
	}
	allowed := add
	allowed.Items = nil
	for _, it := range add.Items {
		if rejected[it.To] == nil {
			allowed.Items = append(allowed.Items, it)
		}
	}
	stored, err := s.sns.AddFriends(ctx, op(c), allowed)
	if err != nil {
		return nil, err
	}
	res := make([]*im.Error, len(add.Items))
	to := make([]string, len(add.Items))
	for i, j := 0, 0; i < len(add.Items); i++ {
		to[i] = add.Items[i].To
		if r := rejected[to[i]]; r != nil {
			res[i] = r
			continue
		}
		res[i] = stored[j]
		j++
	}
	resp := &friendAddResp{}
	resp.ResultItem, resp.Fail_Account = snsResults(to, res)
	return resp, nil
}

// friendAddFromRequest validates a friend_add request.
func friendAddFromRequest(req *friendAddReq) (im.FriendAdd, error) {
	var add im.FriendAdd
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return add, err
	}
	add.From = from
	if add.Both, err = mode("AddType", req.AddType, im.AddTypeSingle, im.AddTypeBoth, true); err != nil {
		return add, err
	}
	if req.ForceAddFlags != nil {
		if *req.ForceAddFlags != 0 && *req.ForceAddFlags != 1 {
			return add, invalidParam("ForceAddFlags must be 0 or 1")
		}
		add.Force = *req.ForceAddFlags == 1
	}
	if err := friendItems(len(req.AddFriendItem)); err != nil {
		return add, err
	}
	for i := range req.AddFriendItem {
		r := &req.AddFriendItem[i]
		it, err := r.check(i)
		if err != nil {
			return add, err
		}
		// An empty GroupName is no list: SDKs send "" for "not set".
		if r.GroupName != nil && *r.GroupName != "" {
			if err := listName(fmt.Sprintf("AddFriendItem[%d].GroupName", i), *r.GroupName); err != nil {
				return add, err
			}
			it.Lists = []string{*r.GroupName}
		}
		add.Items = append(add.Items, it)
	}
	return add, nil
}
