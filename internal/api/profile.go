package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// Handlers of profile: portrait_set (1047/34916, 269/1640) and
// portrait_get (1047/34917, 269/1639); docs/fidelity/profiles.md. The
// fields and what each accepts are in profile_fields.go.

// profileStore is what the profile handlers may touch (Server.profiles);
// the methods and their codes are im.ProfileService's.
type profileStore interface {
	SetProfile(ctx context.Context, op im.Op, userID string, items []im.ProfileItem) error // portrait_set
	GetProfiles(ctx context.Context, app uint64, userIDs []string) ([]im.Profile, error)   // portrait_get
}

// profileFieldCodes: portrait_get's page gives 40002 for a missing
// To_Account.
var profileFieldCodes = map[string]int{"To_Account": im.CodeProfileToAccountEmpty}

type portraitSetReq struct {
	From_Account *string
	ProfileItem  []struct {
		Tag   *string
		Value json.RawMessage
	}
}

// portraitSet sets From_Account's fields: all of them, or none when one is
// refused. A tag given twice takes its last value, in the place of its
// first.
func (s *Server) portraitSet(ctx context.Context, c *Call, req *portraitSetReq) (*empty, error) {
	if req.From_Account == nil {
		return nil, invalidParam("From_Account is required")
	}
	if len(req.ProfileItem) == 0 {
		return nil, invalidParam("ProfileItem is required and must not be empty")
	}
	items := make([]im.ProfileItem, 0, len(req.ProfileItem))
	at := map[string]int{}
	for i, it := range req.ProfileItem {
		field := fmt.Sprintf("ProfileItem[%d]", i)
		if it.Tag == nil {
			return nil, invalidParam(field + ".Tag is required")
		}
		value, err := checkProfileValue(c.App, field, *it.Tag, it.Value)
		if err != nil {
			return nil, err
		}
		if j, ok := at[*it.Tag]; ok {
			items[j].Value = value
			continue
		}
		at[*it.Tag] = len(items)
		items = append(items, im.ProfileItem{Tag: *it.Tag, Value: value})
	}
	if err := s.profiles.SetProfile(ctx, op(c), *req.From_Account, items); err != nil {
		return nil, err
	}
	return &empty{}, nil
}

type portraitGetReq struct {
	To_Account []string
	TagList    []string
}

type portraitGetResp struct {
	UserProfileItem []userProfileItem
	Fail_Account    []string `json:",omitempty"`
}

// userProfileItem is one account of portrait_get's reply, in the order of
// Tencent's sample.
type userProfileItem struct {
	To_Account  string
	ProfileItem []im.ProfileItem `json:",omitempty"`
	ResultCode  int
	ResultInfo  string
}

// portraitGet reads the TagList fields of up to 100 accounts. An account
// that is not imported is an item with ResultCode 40003, also listed in
// Fail_Account; a field an account never set has its default value.
func (s *Server) portraitGet(ctx context.Context, c *Call, req *portraitGetReq) (*portraitGetResp, error) {
	switch n := len(req.To_Account); {
	case n == 0:
		return nil, invalidField("To_Account", "To_Account is required and must not be empty")
	case n > im.MaxProfileAccounts:
		return nil, invalidParam(fmt.Sprintf("at most %d accounts in To_Account", im.MaxProfileAccounts))
	}
	if len(req.TagList) == 0 {
		return nil, invalidParam("TagList is required and must not be empty")
	}
	for i, tag := range req.TagList {
		if _, ok := profileDefault(c.App, tag); !ok {
			return nil, unknownProfileTag(fmt.Sprintf("TagList[%d]", i), tag)
		}
	}
	profiles, err := s.profiles.GetProfiles(ctx, c.App.SDKAppID, req.To_Account)
	if err != nil {
		return nil, err
	}
	resp := &portraitGetResp{UserProfileItem: make([]userProfileItem, len(req.To_Account))}
	for i, id := range req.To_Account {
		item := userProfileItem{To_Account: id}
		if !profiles[i].Found {
			item.ResultCode, item.ResultInfo = im.CodeProfileAccountNotFound, "Err_Profile_Account_Not_Exist"
			resp.Fail_Account = append(resp.Fail_Account, id)
		} else {
			item.ProfileItem = make([]im.ProfileItem, len(req.TagList))
			for j, tag := range req.TagList {
				v, ok := profiles[i].Fields[tag]
				if !ok {
					v, _ = profileDefault(c.App, tag)
				}
				item.ProfileItem[j] = im.ProfileItem{Tag: tag, Value: v}
			}
		}
		resp.UserProfileItem[i] = item
	}
	return resp, nil
}
