package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Handlers of the follow service (docs/fidelity/follow.md): follow_add,
// follow_delete, follow_check, follow_get and follow_get_info.

// followStore is what these handlers may touch (Server.follows); the
// methods and their codes are im.FollowService's.
type followStore interface {
	FollowAdd(ctx context.Context, op im.Op, from string, to []string) ([]im.FollowResult, error)
	FollowDelete(ctx context.Context, op im.Op, from string, to []string) ([]im.FollowResult, error)
	FollowCheck(ctx context.Context, app uint64, from string, to []string) ([]im.FollowRelation, error)
	FollowGet(ctx context.Context, app uint64, from string, list int, cursor string, n int) ([]im.FollowEntry, string, error)
	FollowInfo(ctx context.Context, app uint64, from string, to []string) ([]im.FollowCounts, error)
}

// followCall runs the checks every follow command starts with: the
// edition (30005: the feature is the Ultimate edition's, 269/118909), then
// a From_Account that is a user id (whether it is an account is the
// store's 30003).
func followCall(c *Call, from *string) (string, error) {
	if c.App.Edition != im.EditionUltimate {
		return "", im.Errorf(im.CodeFollowDisabled, "follows need the Ultimate edition, the app is %q", c.App.Edition)
	}
	if from == nil || !im.ValidUserID(*from) {
		return "", invalidField("From_Account", "From_Account must be a user id")
	}
	return *from, nil
}

// followTargets checks a list of To_Account: 1 to most user ids.
func followTargets(to []string, most int) error {
	if len(to) == 0 || len(to) > most {
		return invalidField("To_Account", fmt.Sprintf("To_Account must name 1 to %d users", most))
	}
	for _, t := range to {
		if !im.ValidUserID(t) {
			return invalidField("To_Account", fmt.Sprintf("To_Account %q is not a user id", t))
		}
	}
	return nil
}

type followResultItem struct {
	To_Account string
	ResultCode int
	ResultInfo string
}

func followItems(res []im.FollowResult) []followResultItem {
	out := make([]followResultItem, len(res))
	for i, r := range res {
		out[i] = followResultItem{r.To, r.Code, r.Info}
	}
	return out
}

type followResultResp struct {
	ResultItem []followResultItem
}

type followAddReq struct {
	From_Account *string
	FollowItem   []struct {
		To_Account *string
	}
}

// followAdd makes From_Account follow each FollowItem's To_Account.
func (s *Server) followAdd(ctx context.Context, c *Call, req *followAddReq) (*followResultResp, error) {
	from, err := followCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	to := make([]string, len(req.FollowItem))
	for i, f := range req.FollowItem {
		if f.To_Account == nil {
			return nil, invalidField("FollowItem", fmt.Sprintf("FollowItem[%d] needs a To_Account", i))
		}
		to[i] = *f.To_Account
	}
	if err := followTargets(to, im.MaxFollowItems); err != nil {
		return nil, err
	}
	res, err := s.follows.FollowAdd(ctx, op(c), from, to)
	if err != nil {
		return nil, err
	}
	return &followResultResp{ResultItem: followItems(res)}, nil
}

type followListReq struct {
	From_Account *string
	To_Account   []string
}

// followDelete ends From_Account's follows of each To_Account.
func (s *Server) followDelete(ctx context.Context, c *Call, req *followListReq) (*followResultResp, error) {
	from, err := followCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if err := followTargets(req.To_Account, im.MaxFollowItems); err != nil {
		return nil, err
	}
	res, err := s.follows.FollowDelete(ctx, op(c), from, req.To_Account)
	if err != nil {
		return nil, err
	}
	return &followResultResp{ResultItem: followItems(res)}, nil
}

type followCheckItem struct {
	To_Account string
	ResultCode int
	ResultInfo string
	FollowType int
}

type followCheckResp struct {
	ResultItem []followCheckItem
}

// followCheck tells how From_Account and each To_Account follow each
// other.
func (s *Server) followCheck(ctx context.Context, c *Call, req *followListReq) (*followCheckResp, error) {
	from, err := followCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if err := followTargets(req.To_Account, im.MaxFollowCheck); err != nil {
		return nil, err
	}
	res, err := s.follows.FollowCheck(ctx, c.App.SDKAppID, from, req.To_Account)
	if err != nil {
		return nil, err
	}
	out := make([]followCheckItem, len(res))
	for i, r := range res {
		out[i] = followCheckItem{r.To, r.Code, r.Info, r.Type}
	}
	return &followCheckResp{ResultItem: out}, nil
}

type followGetReq struct {
	From_Account *string
	FollowType   *int
	StartCursor  *string
	WantNum      *int
}

type followGetItem struct {
	To_Account string
	FollowTime int64
}

type followGetResp struct {
	FollowItem []followGetItem
	NextCursor string
}

// followGet reads a page of From_Account's followers (FollowType 1),
// follows (2) or mutual follows (3), newest first.
func (s *Server) followGet(ctx context.Context, c *Call, req *followGetReq) (*followGetResp, error) {
	from, err := followCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if req.FollowType == nil || *req.FollowType < im.FollowListFollowers || *req.FollowType > im.FollowListMutual {
		return nil, invalidField("FollowType", "FollowType must be 1 (followers), 2 (follows) or 3 (mutual)")
	}
	n := 100 // "默认每页返回100条数据"
	if req.WantNum != nil && *req.WantNum != 0 {
		n = *req.WantNum
	}
	if n < 1 || n > im.MaxFollowGet {
		return nil, invalidField("WantNum", fmt.Sprintf("WantNum must be 1 to %d", im.MaxFollowGet))
	}
	cursor := ""
	if req.StartCursor != nil {
		cursor = *req.StartCursor
	}
	page, next, err := s.follows.FollowGet(ctx, c.App.SDKAppID, from, *req.FollowType, cursor, n)
	if err != nil {
		return nil, err
	}
	out := make([]followGetItem, len(page))
	for i, e := range page {
		out[i] = followGetItem{e.User, e.Time}
	}
	return &followGetResp{FollowItem: out, NextCursor: next}, nil
}

type followInfoItem struct {
	To_Account           string
	ResultCode           int
	ResultInfo           string
	FollowerCount        int
	FollowingCount       int
	MutualFollowingCount int
}

type followInfoResp struct {
	FollowInfo []followInfoItem
}

// followGetInfo counts each To_Account's followers, follows and mutual
// follows.
func (s *Server) followGetInfo(ctx context.Context, c *Call, req *followListReq) (*followInfoResp, error) {
	from, err := followCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if err := followTargets(req.To_Account, im.MaxFollowItems); err != nil {
		return nil, err
	}
	res, err := s.follows.FollowInfo(ctx, c.App.SDKAppID, from, req.To_Account)
	if err != nil {
		return nil, err
	}
	out := make([]followInfoItem, len(res))
	for i, r := range res {
		out[i] = followInfoItem{r.To, r.Code, r.Info, r.Followers, r.Following, r.Mutual}
	}
	return &followInfoResp{FollowInfo: out}, nil
}
