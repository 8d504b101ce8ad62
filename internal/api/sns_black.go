package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Handlers of the sns blocklist commands (black_list_add, black_list_delete,
// black_list_get, black_list_check); friend_update, friend_delete_all and
// friend_get_list are in sns_update.go (docs/fidelity/sns.md).

// snsMoreStore is what these handlers may touch (Server.snsMore); the
// methods and their codes are im.SNSMoreService's.
type snsMoreStore interface {
	// sns_update.go: friend_update, friend_delete_all, friend_get_list.
	UpdateFriends(ctx context.Context, op im.Op, from string, items []im.FriendUpdate) ([]*im.Error, error)
	DeleteAllFriends(ctx context.Context, op im.Op, from string, both bool) error
	FriendInfos(ctx context.Context, app uint64, from string, to []string) ([]im.FriendInfo, error)
	// Here: black_list_*.
	AddBlacklist(ctx context.Context, op im.Op, from string, to []string) ([]*im.Error, error)
	DeleteBlacklist(ctx context.Context, op im.Op, from string, to []string) ([]*im.Error, error)
	Blacklist(ctx context.Context, app uint64, from string, start, limit int) (im.BlacklistPage, error)
	CheckBlacklist(ctx context.Context, app uint64, from string, to []string, both bool) ([]string, error)
}

type blackListReq struct {
	From_Account *string
	To_Account   []string
}

type blackListResp struct {
	ResultItem   []snsResult
	Fail_Account []string `json:",omitempty"`
}

// blackListAdd blocks accounts; a friendship between the two ends both
// ways.
func (s *Server) blackListAdd(ctx context.Context, c *Call, req *blackListReq) (*blackListResp, error) {
	return s.blackListChange(ctx, c, req, s.snsMore.AddBlacklist)
}

// blackListDelete unblocks accounts.
func (s *Server) blackListDelete(ctx context.Context, c *Call, req *blackListReq) (*blackListResp, error) {
	return s.blackListChange(ctx, c, req, s.snsMore.DeleteBlacklist)
}

func (s *Server) blackListChange(ctx context.Context, c *Call, req *blackListReq,
	change func(context.Context, im.Op, string, []string) ([]*im.Error, error)) (*blackListResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	to, err := snsAccounts("To_Account", req.To_Account)
	if err != nil {
		return nil, err
	}
	res, err := change(ctx, op(c), from, to)
	if err != nil {
		return nil, err
	}
	resp := &blackListResp{}
	resp.ResultItem, resp.Fail_Account = snsResults(to, res)
	return resp, nil
}

type blackListGetReq struct {
	From_Account *string
	StartIndex   *int
	MaxLimited   *int
	LastSequence *int64
}

type blackListItem struct {
	To_Account        string
	AddBlackTimeStamp int64
}

type blackListGetResp struct {
	BlackListItem   []blackListItem
	StartIndex      int
	CurrentSequence int64
}

// blackListGet pages through a blocklist in the order of blocking.
// StartIndex of the reply is the next page's, 0 after the last page.
func (s *Server) blackListGet(ctx context.Context, c *Call, req *blackListGetReq) (*blackListGetResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	switch {
	case req.StartIndex == nil || *req.StartIndex < 0:
		return nil, invalidParam("StartIndex is required and not negative")
	case req.MaxLimited == nil || *req.MaxLimited < 1 || *req.MaxLimited > im.MaxBlacklistPage:
		return nil, invalidParam(fmt.Sprintf("MaxLimited is required, 1 to %d", im.MaxBlacklistPage))
	case req.LastSequence == nil || *req.LastSequence < 0:
		return nil, invalidParam("LastSequence is required and not negative")
	}
	page, err := s.snsMore.Blacklist(ctx, c.App.SDKAppID, from, *req.StartIndex, *req.MaxLimited)
	if err != nil {
		return nil, err
	}
	resp := &blackListGetResp{BlackListItem: make([]blackListItem, len(page.Items)), StartIndex: page.Next, CurrentSequence: page.Seq}
	for i, b := range page.Items {
		resp.BlackListItem[i] = blackListItem{To_Account: b.UserID, AddBlackTimeStamp: b.AddTime.Unix()}
	}
	return resp, nil
}

type blackListCheckReq struct {
	From_Account *string
	To_Account   []string
	CheckType    *string
}

type blackListCheckResp struct {
	BlackListCheckItem []friendCheckItem
	Fail_Account       []string `json:",omitempty"` // never filled: no item fails
}

// blackListCheck reports blocklist relations: BlackCheckResult_Type_Single
// looks at From_Account's blocklist only, BlackCheckResult_Type_Both at
// both.
func (s *Server) blackListCheck(ctx context.Context, c *Call, req *blackListCheckReq) (*blackListCheckResp, error) {
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
	both, err := mode("CheckType", req.CheckType, im.BlackCheckSingle, im.BlackCheckBoth, false)
	if err != nil {
		return nil, err
	}
	rel, err := s.snsMore.CheckBlacklist(ctx, c.App.SDKAppID, from, to, both)
	if err != nil {
		return nil, err
	}
	resp := &blackListCheckResp{BlackListCheckItem: make([]friendCheckItem, len(to))}
	for i, id := range to {
		resp.BlackListCheckItem[i] = friendCheckItem{To_Account: id, Relation: rel[i]}
	}
	return resp, nil
}
