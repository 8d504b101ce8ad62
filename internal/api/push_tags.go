package api

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
)

// all_member_push tag commands (269/45940..45943; docs/fidelity/push.md).

// pushTag checks one tag: empty 90040, over 50 bytes 90020; a NUL
// character is 90001.
func pushTag(tag string) error {
	switch {
	case tag == "":
		return im.Errorf(im.CodePushTagEmpty, "a tag is empty")
	case len(tag) > im.MaxPushTagBytes:
		return im.Errorf(im.CodePushTagTooLong, "tag %q is longer than %d bytes", tag, im.MaxPushTagBytes)
	case strings.IndexByte(tag, 0) >= 0:
		return invalidParam("a tag holds a NUL character")
	}
	return nil
}

type userTagsItem struct {
	To_Account string
	Tags       []string
}

type getTagResp struct {
	UserTags  []userTagsItem
	ErrorList []pushError `json:",omitempty"`
}

// imGetTag answers accounts' tags in the order they were added (269/45940).
func (s *Server) imGetTag(ctx context.Context, c *Call, req *pushAccountsReq) (*getTagResp, error) {
	if err := pushAccounts("To_Account", req.To_Account, req.To_Account != nil); err != nil {
		return nil, err
	}
	found, missing, err := s.push.UserTagsOf(ctx, c.App.SDKAppID, req.To_Account)
	if err != nil {
		return nil, err
	}
	resp := &getTagResp{UserTags: make([]userTagsItem, len(found)), ErrorList: pushErrorList(missing)}
	for i, ut := range found {
		resp.UserTags[i] = userTagsItem{To_Account: ut.UserID, Tags: ut.Tags}
	}
	return resp, nil
}

type userTagsIn struct {
	To_Account *string
	Tags       []string
}

type tagsReq struct {
	UserTags []userTagsIn
}

// userTags checks a UserTags list: at most 100 accounts (90018), each with
// To_Account and Tags, at most perUser tags an account (90032; 0: no
// limit), each tag as pushTag. Repeated tags count once.
func (r *tagsReq) userTags(perUser int) ([]im.UserTags, error) {
	out := make([]im.UserTags, len(r.UserTags))
	ids := make([]string, len(r.UserTags))
	for i, it := range r.UserTags {
		if it.To_Account == nil || it.Tags == nil {
			return nil, invalidParam(fmt.Sprintf("UserTags[%d] needs To_Account and Tags", i))
		}
		var tags []string
		for _, tag := range it.Tags {
			if err := pushTag(tag); err != nil {
				return nil, err
			}
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
		}
		if perUser > 0 && len(tags) > perUser {
			return nil, im.Errorf(im.CodePushTooManyTags, "UserTags[%d] adds %d tags, at most %d", i, len(tags), perUser)
		}
		ids[i] = *it.To_Account
		out[i] = im.UserTags{UserID: *it.To_Account, Tags: tags}
	}
	if err := pushAccounts("UserTags", ids, r.UserTags != nil); err != nil {
		return nil, err
	}
	return out, nil
}

// imAddTag adds tags (269/45941): at most 10 an account a request, and an
// account holds at most 100 (90032 for the whole request past either).
func (s *Server) imAddTag(ctx context.Context, c *Call, req *tagsReq) (*pushReply, error) {
	tags, err := req.userTags(im.MaxPushTagsPerAdd)
	if err != nil {
		return nil, err
	}
	missing, err := s.push.AddUserTags(ctx, c.App.SDKAppID, tags)
	if err != nil {
		return nil, err
	}
	return &pushReply{ErrorList: pushErrorList(missing)}, nil
}

// imRemoveTag removes tags (269/45942); a tag the account does not hold is
// no error.
func (s *Server) imRemoveTag(ctx context.Context, c *Call, req *tagsReq) (*pushReply, error) {
	tags, err := req.userTags(0)
	if err != nil {
		return nil, err
	}
	missing, err := s.push.RemoveUserTags(ctx, c.App.SDKAppID, tags)
	if err != nil {
		return nil, err
	}
	return &pushReply{ErrorList: pushErrorList(missing)}, nil
}

// imRemoveAllTags removes every tag of the accounts named (269/45943).
func (s *Server) imRemoveAllTags(ctx context.Context, c *Call, req *pushAccountsReq) (*pushReply, error) {
	if err := pushAccounts("To_Account", req.To_Account, req.To_Account != nil); err != nil {
		return nil, err
	}
	missing, err := s.push.RemoveAllUserTags(ctx, c.App.SDKAppID, req.To_Account)
	if err != nil {
		return nil, err
	}
	return &pushReply{ErrorList: pushErrorList(missing)}, nil
}
