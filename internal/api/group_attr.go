package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of group custom attributes (docs/fidelity/group-admin.md#group-attributes):
// get_group_attr, served under group_open_attr_http_svc as Tencent's page
// has it, and modify_group_attr, set_group_attr, clear_group_attr and
// delete_group_attr under group_open_http_svc.

// groupAttrStore is what these handlers may touch (Server.gattr); the
// methods and their codes are im.GroupAttrService's.
type groupAttrStore interface {
	GroupAttrs(ctx context.Context, app uint64, groupID string) ([]im.GroupAttr, error)
	ChangeGroupAttrs(ctx context.Context, op im.Op, groupID string, ch im.GroupAttrChange) error
}

// groupAttrReq is one entry of GroupAttr. Tencent spells its keys in
// lower case, key and value; Key and Value are unknown fields.
type groupAttrReq struct {
	Key   *string `json:"key"`
	Value *string `json:"value"`
}

type groupAttrWriteReq struct {
	GroupId   *string
	GroupAttr []groupAttrReq
}

// groupAttrs checks a request's GroupAttr: present and not empty, each key
// 1 to 32 bytes without NUL (10004, 10045), each value, when withValue,
// present and at most 4000 bytes (10004, 10046).
func groupAttrs(in []groupAttrReq, withValue bool) ([]im.GroupAttr, error) {
	if len(in) == 0 {
		return nil, invalidParam("GroupAttr is required")
	}
	out := make([]im.GroupAttr, len(in))
	for i, a := range in {
		if a.Key == nil || *a.Key == "" || strings.IndexByte(*a.Key, 0) >= 0 {
			return nil, invalidParam(fmt.Sprintf("GroupAttr[%d] needs a key, without the NUL character", i))
		}
		if len(*a.Key) > im.MaxGroupAttrKey {
			return nil, im.Errorf(im.CodeGroupAttrKeyTooLong, "GroupAttr key %q is longer than %d bytes", *a.Key, im.MaxGroupAttrKey)
		}
		out[i].Key = *a.Key
		if !withValue {
			continue
		}
		if a.Value == nil {
			return nil, invalidParam(fmt.Sprintf("GroupAttr[%d] needs a value", i))
		}
		if len(*a.Value) > im.MaxGroupAttrValue {
			return nil, im.Errorf(im.CodeGroupAttrValueTooLong, "the value of GroupAttr key %q is longer than %d bytes", *a.Key, im.MaxGroupAttrValue)
		}
		out[i].Value = *a.Value
	}
	return out, nil
}

// changeGroupAttrs checks a write's request and applies it. A well-formed
// write counts toward its group's writes a second (10049) whatever the
// store then answers.
func (s *Server) changeGroupAttrs(ctx context.Context, c *Call, req *groupAttrWriteReq, option string) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	ch := im.GroupAttrChange{Op: option}
	if option != im.GroupAttrClear {
		if ch.Attrs, err = groupAttrs(req.GroupAttr, option != im.GroupAttrDelete); err != nil {
			return nil, err
		}
	}
	if !s.gattrLim.allow(c.App.SDKAppID, id, s.now()) {
		return nil, im.Errorf(im.CodeGroupAttrRate, "group %s: more than %d writes of its attributes in a second", id, im.GroupAttrWritesPerSec)
	}
	return nil, s.gattr.ChangeGroupAttrs(ctx, op(c), id, ch)
}

// modifyGroupAttr adds or replaces the attributes given.
func (s *Server) modifyGroupAttr(ctx context.Context, c *Call, req *groupAttrWriteReq) (*empty, error) {
	return s.changeGroupAttrs(ctx, c, req, im.GroupAttrModify)
}

// setGroupAttr replaces a group's attributes with those given.
func (s *Server) setGroupAttr(ctx context.Context, c *Call, req *groupAttrWriteReq) (*empty, error) {
	return s.changeGroupAttrs(ctx, c, req, im.GroupAttrSet)
}

// deleteGroupAttr deletes the attributes whose keys are given, every one
// of which the group must have (10050).
func (s *Server) deleteGroupAttr(ctx context.Context, c *Call, req *groupAttrWriteReq) (*empty, error) {
	return s.changeGroupAttrs(ctx, c, req, im.GroupAttrDelete)
}

// clearGroupAttr deletes all of a group's attributes.
func (s *Server) clearGroupAttr(ctx context.Context, c *Call, req *groupIDReq) (*empty, error) {
	return s.changeGroupAttrs(ctx, c, &groupAttrWriteReq{GroupId: req.GroupId}, im.GroupAttrClear)
}

type getGroupAttrResp struct {
	GroupAttrAry []im.GroupAttr
}

// getGroupAttr reads a group's attributes.
func (s *Server) getGroupAttr(ctx context.Context, c *Call, req *groupIDReq) (*getGroupAttrResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	attrs, err := s.gattr.GroupAttrs(ctx, c.App.SDKAppID, id)
	if err != nil {
		return nil, err
	}
	return &getGroupAttrResp{GroupAttrAry: attrs}, nil
}
