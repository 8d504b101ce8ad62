package api

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
)

type friendUpdateReq struct {
	From_Account *string
	UpdateItem   []struct {
		To_Account *string
		SnsItem    []struct {
			Tag   *string
			Value json.RawMessage
		}
	}
}

type friendUpdateResp struct {
	ResultItem   []snsResult
	Fail_Account []string `json:",omitempty"`
}

// friendUpdate changes friends' remarks, lists and custom fields, the
// only fields Tencent lets it update (1047/34904).
func (s *Server) friendUpdate(ctx context.Context, c *Call, req *friendUpdateReq) (*friendUpdateResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	if len(req.UpdateItem) == 0 || len(req.UpdateItem) > im.MaxSNSBatch {
		return nil, invalidParam(fmt.Sprintf("UpdateItem must hold 1 to %d items", im.MaxSNSBatch))
	}
	items := make([]im.FriendUpdate, len(req.UpdateItem))
	to := make([]string, len(req.UpdateItem))
	for i, r := range req.UpdateItem {
		field := fmt.Sprintf("UpdateItem[%d]", i)
		if r.To_Account == nil || *r.To_Account == "" {
			return nil, invalidParam(field + ".To_Account is required")
		}
		if len(r.SnsItem) == 0 {
			return nil, invalidParam(field + ".SnsItem is required")
		}
		to[i] = *r.To_Account
		items[i].To = to[i]
		for j, si := range r.SnsItem {
			if err := updateField(&items[i], fmt.Sprintf("%s.SnsItem[%d]", field, j), si.Tag, si.Value); err != nil {
				return nil, err
			}
		}
	}
	res, err := s.snsMore.UpdateFriends(ctx, op(c), from, items)
	if err != nil {
		return nil, err
	}
	resp := &friendUpdateResp{}
	resp.ResultItem, resp.Fail_Account = snsResults(to, res)
	return resp, nil
}

// updateField reads one SnsItem into u: Tag_SNS_IM_Remark (a string of at
// most 96 bytes), Tag_SNS_IM_Group (an array of at most 32 list names, the
// friend's lists after the call) or a custom tag; any other tag is 30001.
func updateField(u *im.FriendUpdate, field string, tag *string, value json.RawMessage) error {
	if tag == nil {
		return invalidParam(field + ".Tag is required")
	}
	switch {
	case *tag == im.TagRemark:
		var remark string
		if err := json.Unmarshal(value, &remark); err != nil || !strings.HasPrefix(strings.TrimSpace(string(value)), `"`) {
			return invalidParam(field + ".Value must be a string")
		}
		if err := maxBytes(field+".Value", &remark, im.MaxRemarkBytes); err != nil {
			return err
		}
		if strings.ContainsRune(remark, 0) {
			return invalidParam(field + ".Value holds a NUL character")
		}
		u.Remark = &remark
	case *tag == im.TagGroup:
		var names []string
		if err := json.Unmarshal(value, &names); err != nil || names == nil {
			return invalidParam(field + ".Value must be an array of list names")
		}
		names = uniq(names)
		if len(names) > im.MaxFriendLists {
			return invalidParam(fmt.Sprintf("%s.Value names more than %d lists", field, im.MaxFriendLists))
		}
		for _, n := range names {
			if err := listName(field+".Value", n); err != nil {
				return err
			}
		}
		u.Lists = &names
	case strings.HasPrefix(*tag, im.CustomTagPrefix):
		it, err := customItem(field, tag, value)
		if err != nil {
			return err
		}
		u.Custom = setCustom(u.Custom, it)
	default:
		return invalidParam(fmt.Sprintf("%s.Tag %q cannot be updated: only %s, %s and %s* can", field, *tag, im.TagRemark, im.TagGroup, im.CustomTagPrefix))
	}
	return nil
}

type friendDeleteAllReq struct {
	From_Account *string
	DeleteType   *string
}

type friendDeleteAllResp struct{}

// friendDeleteAll removes all of a user's friends: one way
// (Delete_Type_Single, the default) or both.
func (s *Server) friendDeleteAll(ctx context.Context, c *Call, req *friendDeleteAllReq) (*friendDeleteAllResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	both, err := mode("DeleteType", req.DeleteType, im.DeleteTypeSingle, im.DeleteTypeBoth, false)
	if err != nil {
		return nil, err
	}
	if err := s.snsMore.DeleteAllFriends(ctx, op(c), from, both); err != nil {
		return nil, err
	}
	return &friendDeleteAllResp{}, nil
}

type friendGetListReq struct {
	From_Account *string
	To_Account   []string
	TagList      []string
}

type friendInfoItem struct {
	To_Account     string
	SnsProfileItem []tagValue `json:",omitempty"`
	ResultCode     int
	ResultInfo     string
}

type friendGetListResp struct {
	InfoItem     []friendInfoItem
	Fail_Account []string `json:",omitempty"`
}

// errGetListNotFriend is friend_get_list's per-item answer for a
// To_Account that is not a friend (1047/34910 sample).
var errGetListNotFriend = &im.Error{Code: im.CodeSNSInvalid, Info: "Err_SNS_FriendGetList_Friend_Not_Exist"}

// friendGetList reads the named friends' fields and profiles, the tags of
// TagList only.
func (s *Server) friendGetList(ctx context.Context, c *Call, req *friendGetListReq) (*friendGetListResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	to, err := snsAccounts("To_Account", req.To_Account)
	if err != nil {
		return nil, err
	}
	if len(to) > im.MaxFriendGetList {
		return nil, invalidParam(fmt.Sprintf("at most %d accounts in To_Account", im.MaxFriendGetList))
	}
	tags, err := getListTags(req.TagList)
	if err != nil {
		return nil, err
	}
	infos, err := s.snsMore.FriendInfos(ctx, c.App.SDKAppID, from, to)
	if err != nil {
		return nil, err
	}
	resp := &friendGetListResp{InfoItem: make([]friendInfoItem, len(to))}
	for i, id := range to {
		item := friendInfoItem{To_Account: id}
		if infos[i].Friend == nil {
			item.ResultCode, item.ResultInfo = errGetListNotFriend.Code, errGetListNotFriend.Info
			resp.Fail_Account = append(resp.Fail_Account, id)
		} else {
			item.SnsProfileItem = tags.values(&infos[i])
		}
		resp.InfoItem[i] = item
	}
	return resp, nil
}

// getListTagSet is a checked TagList, by class, each in request order.
type getListTagSet struct {
	sns, profile, snsCustom, profileCustom []string
}

// snsStandardTags are the standard friend tags friend_get_list reads, in
// friend_get's order.
var snsStandardTags = []string{im.TagAddSource, im.TagRemark, im.TagGroup, im.TagAddWording, im.TagAddTime}

// getListTags checks TagList: required, each a standard friend tag, a
// standard profile tag, or a well-formed custom tag of either.
func getListTags(list []string) (getListTagSet, error) {
	var t getListTagSet
	if len(list) == 0 {
		return t, invalidParam("TagList is required")
	}
	for i, tag := range list {
		switch {
		case slices.Contains(snsStandardTags, tag):
			t.sns = append(t.sns, tag)
		case slices.Contains(im.StandardProfileTags, tag):
			t.profile = append(t.profile, tag)
		case strings.HasPrefix(tag, im.CustomTagPrefix) && validCustomTag(tag, im.CustomTagPrefix):
			t.snsCustom = append(t.snsCustom, tag)
		case strings.HasPrefix(tag, im.ProfileCustomTagPrefix) && validCustomTag(tag, im.ProfileCustomTagPrefix):
			t.profileCustom = append(t.profileCustom, tag)
		default:
			return t, invalidParam(fmt.Sprintf("TagList[%d] %q is not a friend or profile field", i, tag))
		}
	}
	return t, nil
}

// validCustomTag reports whether tag is prefix and 1 to 8 bytes of
// [A-Za-z0-9_].
func validCustomTag(tag, prefix string) bool {
	name := strings.TrimPrefix(tag, prefix)
	return len(name) <= im.MaxCustomTagName && validCustomKey(name)
}

// values renders a friend's fields in the order of Tencent's sample
// (1047/34910): standard friend fields, standard profile fields, custom
// friend fields, custom profile fields; fields not set are left out.
func (t getListTagSet) values(info *im.FriendInfo) []tagValue {
	f := info.Friend
	out := []tagValue{}
	for _, tag := range snsStandardTags {
		if !slices.Contains(t.sns, tag) {
			continue
		}
		for _, v := range userData(f, true, false).ValueItem {
			if v.Tag == tag {
				out = append(out, v)
			}
		}
	}
	for _, tag := range uniq(t.profile) {
		if v, ok := info.Profile[tag]; ok {
			out = append(out, tagValue{tag, v})
		}
	}
	for _, tag := range uniq(t.snsCustom) {
		if j := slices.IndexFunc(f.Custom, func(c im.CustomItem) bool { return c.Tag == tag }); j >= 0 {
			out = append(out, tagValue{tag, f.Custom[j].Value})
		}
	}
	for _, tag := range uniq(t.profileCustom) {
		if v, ok := info.Profile[tag]; ok {
			out = append(out, tagValue{tag, v})
		}
	}
	return out
}

// uniq returns ss without repeats, in first-seen order.
func uniq(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, v := range ss {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
