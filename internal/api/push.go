package api

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// all_member_push: the attribute commands here, the tag commands in
// push_tags.go, im_push in push_send.go (docs/fidelity/push.md; 269/45934
// to 269/45943). A body that is not JSON, or a field of the wrong JSON
// type, is 90001; a request naming more than 100 accounts 90018. Accounts
// that are not imported are listed in ErrorList with 70107 and the others
// are done, as the successor timpush pages show (269/100637..100642).

// pushStore is what the all_member_push handlers may touch (Server.push).
type pushStore interface {
	SetAttrNames(ctx context.Context, app uint64, names map[int]string) error
	AttrNames(ctx context.Context, app uint64) (map[int]string, error)
	UserAttrs(ctx context.Context, app uint64, userIDs []string) ([]im.UserAttrs, []string, error)
	SetUserAttrs(ctx context.Context, app uint64, attrs []im.UserAttrs) ([]string, error)
	RemoveUserAttrs(ctx context.Context, app uint64, attrs []im.UserAttrNames) ([]string, error)
	// push_tags.go.
	UserTagsOf(ctx context.Context, app uint64, userIDs []string) ([]im.UserTags, []string, error)
	AddUserTags(ctx context.Context, app uint64, tags []im.UserTags) ([]string, error)
	RemoveUserTags(ctx context.Context, app uint64, tags []im.UserTags) ([]string, error)
	RemoveAllUserTags(ctx context.Context, app uint64, userIDs []string) ([]string, error)
	// push_send.go.
	Push(ctx context.Context, app uint64, t im.PushTask) (im.PushResult, error)
}

// pushError is one ErrorList item: an account the command did not touch.
type pushError struct {
	ErrorCode  int
	To_Account string
}

// pushErrorList lists missing accounts with 70107; nil (left out) if none.
func pushErrorList(missing []string) []pushError {
	var list []pushError
	for _, id := range missing {
		list = append(list, pushError{ErrorCode: im.CodePushUserNotFound, To_Account: id})
	}
	return list
}

// pushReply is the reply of a command whose only result is ErrorList.
type pushReply struct {
	ErrorList []pushError `json:",omitempty"`
}

// pushAccounts checks a To_Account list: required, at most 100 (90018),
// each an account name (a NUL character is 90001).
func pushAccounts(field string, ids []string, given bool) error {
	switch {
	case !given || len(ids) == 0:
		return invalidParam(field + " is required and must not be empty")
	case len(ids) > im.MaxPushUsers:
		return im.Errorf(im.CodePushTooManyUsers, "%s names %d accounts, at most %d", field, len(ids), im.MaxPushUsers)
	}
	for _, id := range ids {
		if strings.IndexByte(id, 0) >= 0 {
			return invalidParam(field + " holds a NUL character")
		}
	}
	return nil
}

// pushText checks an attribute name or value: 1 to 50 bytes without NUL,
// else 90033.
func pushText(what, v string) error {
	if v == "" || len(v) > im.MaxPushAttrBytes || strings.IndexByte(v, 0) >= 0 {
		return im.Errorf(im.CodePushAttrInvalid, "%s %q must be 1 to %d bytes", what, v, im.MaxPushAttrBytes)
	}
	return nil
}

type setAttrNameReq struct {
	AttrNames map[string]string
}

// imSetAttrName names attributes "0".."9" (269/45935): a key outside them,
// or a name that is empty or over 50 bytes, is 90033, nothing changed.
func (s *Server) imSetAttrName(ctx context.Context, c *Call, req *setAttrNameReq) (*empty, error) {
	if len(req.AttrNames) == 0 {
		return nil, invalidParam("AttrNames is required and must not be empty")
	}
	names := make(map[int]string, len(req.AttrNames))
	for k, name := range req.AttrNames {
		idx, err := strconv.Atoi(k)
		if err != nil || idx < 0 || idx >= im.MaxPushAttrs || strconv.Itoa(idx) != k {
			return nil, im.Errorf(im.CodePushAttrInvalid, "attribute key %q is not \"0\" to \"9\"", k)
		}
		if err := pushText("attribute name", name); err != nil {
			return nil, err
		}
		names[idx] = name
	}
	return &empty{}, s.push.SetAttrNames(ctx, c.App.SDKAppID, names)
}

type getAttrNameResp struct {
	AttrNames map[string]string
}

// imGetAttrName answers the app's attribute names (269/45936); {} if none.
func (s *Server) imGetAttrName(ctx context.Context, c *Call, _ *empty) (*getAttrNameResp, error) {
	names, err := s.push.AttrNames(ctx, c.App.SDKAppID)
	if err != nil {
		return nil, err
	}
	resp := &getAttrNameResp{AttrNames: make(map[string]string, len(names))}
	for idx, name := range names {
		resp.AttrNames[strconv.Itoa(idx)] = name
	}
	return resp, nil
}

type pushAccountsReq struct {
	To_Account []string
}

type userAttrsItem struct {
	To_Account string
	Attrs      map[string]string
}

type getAttrResp struct {
	UserAttrs []userAttrsItem
	ErrorList []pushError `json:",omitempty"`
}

// imGetAttr answers accounts' attribute values (269/45937), {} for an
// account without any.
func (s *Server) imGetAttr(ctx context.Context, c *Call, req *pushAccountsReq) (*getAttrResp, error) {
	if err := pushAccounts("To_Account", req.To_Account, req.To_Account != nil); err != nil {
		return nil, err
	}
	found, missing, err := s.push.UserAttrs(ctx, c.App.SDKAppID, req.To_Account)
	if err != nil {
		return nil, err
	}
	resp := &getAttrResp{UserAttrs: make([]userAttrsItem, len(found)), ErrorList: pushErrorList(missing)}
	for i, ua := range found {
		resp.UserAttrs[i] = userAttrsItem{To_Account: ua.UserID, Attrs: ua.Attrs}
	}
	return resp, nil
}

type userAttrsIn struct {
	To_Account *string
	Attrs      map[string]string
}

type setAttrReq struct {
	UserAttrs []userAttrsIn
}

// imSetAttr sets accounts' attribute values (269/45938): a name that is
// not an attribute of the app, or a value that is empty or over 50 bytes,
// is 90033 for the whole request.
func (s *Server) imSetAttr(ctx context.Context, c *Call, req *setAttrReq) (*pushReply, error) {
	attrs := make([]im.UserAttrs, len(req.UserAttrs))
	ids := make([]string, len(req.UserAttrs))
	for i, it := range req.UserAttrs {
		if it.To_Account == nil || it.Attrs == nil {
			return nil, invalidParam(fmt.Sprintf("UserAttrs[%d] needs To_Account and Attrs", i))
		}
		for name, v := range it.Attrs {
			if err := pushText("attribute value of "+name, v); err != nil {
				return nil, err
			}
		}
		ids[i] = *it.To_Account
		attrs[i] = im.UserAttrs{UserID: *it.To_Account, Attrs: it.Attrs}
	}
	if err := pushAccounts("UserAttrs", ids, req.UserAttrs != nil); err != nil {
		return nil, err
	}
	missing, err := s.push.SetUserAttrs(ctx, c.App.SDKAppID, attrs)
	if err != nil {
		return nil, err
	}
	return &pushReply{ErrorList: pushErrorList(missing)}, nil
}

type userAttrNamesIn struct {
	To_Account *string
	Attrs      []string
}

type removeAttrReq struct {
	UserAttrs []userAttrNamesIn
}

// imRemoveAttr removes accounts' attribute values by name (269/45939); a
// name that is not an attribute of the app is 90033 for all.
func (s *Server) imRemoveAttr(ctx context.Context, c *Call, req *removeAttrReq) (*pushReply, error) {
	attrs := make([]im.UserAttrNames, len(req.UserAttrs))
	ids := make([]string, len(req.UserAttrs))
	for i, it := range req.UserAttrs {
		if it.To_Account == nil || it.Attrs == nil {
			return nil, invalidParam(fmt.Sprintf("UserAttrs[%d] needs To_Account and Attrs", i))
		}
		ids[i] = *it.To_Account
		attrs[i] = im.UserAttrNames{UserID: *it.To_Account, Names: it.Attrs}
	}
	if err := pushAccounts("UserAttrs", ids, req.UserAttrs != nil); err != nil {
		return nil, err
	}
	missing, err := s.push.RemoveUserAttrs(ctx, c.App.SDKAppID, attrs)
	if err != nil {
		return nil, err
	}
	return &pushReply{ErrorList: pushErrorList(missing)}, nil
}
