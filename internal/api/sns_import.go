package api

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

type friendImportReq struct {
	From_Account  *string
	AddFriendItem []struct {
		friendItemReq
		GroupName  []string
		RemarkTime *int64
		AddTime    *int64
		CustomItem []struct {
			Tag   *string
			Value json.RawMessage
		}
	}
}

// friendImport imports one-way friends with their fields; unlike
// friend_add it records no Sns.CallbackFriendAdd.
func (s *Server) friendImport(ctx context.Context, c *Call, req *friendImportReq) (*friendAddResp, error) {
	from, err := snsFrom(req.From_Account)
	if err != nil {
		return nil, err
	}
	if err := friendItems(len(req.AddFriendItem)); err != nil {
		return nil, err
	}
	items := make([]im.FriendItem, len(req.AddFriendItem))
	to := make([]string, len(items))
	for i := range req.AddFriendItem {
		r := &req.AddFriendItem[i]
		field := fmt.Sprintf("AddFriendItem[%d]", i)
		if items[i], err = r.check(i); err != nil {
			return nil, err
		}
		for _, name := range r.GroupName {
			if err := listName(field+".GroupName", name); err != nil {
				return nil, err
			}
			if !slices.Contains(items[i].Lists, name) {
				items[i].Lists = append(items[i].Lists, name)
			}
		}
		if len(items[i].Lists) > im.MaxFriendLists {
			return nil, invalidParam(fmt.Sprintf("%s.GroupName names more than %d lists", field, im.MaxFriendLists))
		}
		if r.RemarkTime != nil {
			if *r.RemarkTime < 0 {
				return nil, invalidParam(field + ".RemarkTime must not be negative")
			}
			items[i].RemarkTime = *r.RemarkTime
		}
		if r.AddTime != nil && *r.AddTime != 0 {
			if *r.AddTime < 0 {
				return nil, invalidParam(field + ".AddTime must not be negative")
			}
			items[i].AddTime = time.Unix(*r.AddTime, 0)
		}
		for j, ci := range r.CustomItem {
			item, err := customItem(fmt.Sprintf("%s.CustomItem[%d]", field, j), ci.Tag, ci.Value)
			if err != nil {
				return nil, err
			}
			items[i].Custom = setCustom(items[i].Custom, item)
		}
		if len(items[i].Custom) > im.MaxCustomFriendFields {
			return nil, invalidParam(fmt.Sprintf("%s.CustomItem has more than %d tags", field, im.MaxCustomFriendFields))
		}
		to[i] = items[i].To
	}
	res, err := s.sns.ImportFriends(ctx, op(c), from, items)
	if err != nil {
		return nil, err
	}
	resp := &friendAddResp{}
	resp.ResultItem, resp.Fail_Account = snsResults(to, res)
	return resp, nil
}

// setCustom sets a custom item, replacing an earlier one of the same tag.
func setCustom(items []im.CustomItem, it im.CustomItem) []im.CustomItem {
	for i := range items {
		if items[i].Tag == it.Tag {
			items[i] = it
			return items
		}
	}
	return append(items, it)
}

// customItem checks a custom friend field: a tag "Tag_SNS_Custom_" plus 1
// to 8 bytes of [A-Za-z0-9_], and a string value (at most 500 bytes) or an
// integer, stored in a normal JSON form.
func customItem(field string, tag *string, value json.RawMessage) (im.CustomItem, error) {
	if tag == nil {
		return im.CustomItem{}, invalidParam(field + ".Tag is required")
	}
	name, ok := strings.CutPrefix(*tag, im.CustomTagPrefix)
	if !ok || len(name) > im.MaxCustomTagName || !validCustomKey(name) {
		return im.CustomItem{}, invalidParam(fmt.Sprintf("%s.Tag %q must be %q and 1 to %d bytes of A-Z a-z 0-9 _",
			field, *tag, im.CustomTagPrefix, im.MaxCustomTagName))
	}
	v := strings.TrimSpace(string(value))
	var str string
	switch {
	case json.Unmarshal(value, &str) == nil && strings.HasPrefix(v, `"`):
		if len(str) > im.MaxCustomValueBytes {
			return im.CustomItem{}, invalidParam(fmt.Sprintf("%s.Value is longer than %d bytes", field, im.MaxCustomValueBytes))
		}
		b, _ := json.Marshal(str)
		return im.CustomItem{Tag: *tag, Value: b}, nil
	case isInteger(v):
		return im.CustomItem{Tag: *tag, Value: json.RawMessage(v)}, nil
	}
	return im.CustomItem{}, invalidParam(field + ".Value must be a string or an integer")
}

// isInteger reports whether v is a JSON integer that fits in 64 bits.
func isInteger(v string) bool {
	if _, err := strconv.ParseInt(v, 10, 64); err == nil {
		return true
	}
	_, err := strconv.ParseUint(v, 10, 64)
	return err == nil
}
