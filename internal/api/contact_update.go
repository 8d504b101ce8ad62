package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// update_contact_group and mark_contact: the recentcontact writes that
// change conversations one item at a time.

// update_contact_group's UpdateType and UpdateGroupType values.
const (
	updateTypeGroup   = 1 // the only UpdateType Tencent documents
	updateGroupRename = 1
	updateGroupItems  = 2
	contactOptAdd     = 1
	contactOptRemove  = 2
)

type updateContactGroupReq struct {
	From_Account *string
	UpdateType   *int
	UpdateGroup  *updateGroupReq
}

type updateGroupReq struct {
	UpdateGroupType   *int
	OldGroupName      *string
	NewGroupName      *string
	ContactUpdateItem []contactUpdateItemReq
}

type contactUpdateItemReq struct {
	ContactOptType *int
	ContactItem    *contactItemReq
}

type contactOptResult struct {
	ContactOptType int
	ContactItem    contactItemResp
	ResultCode     int
	ResultInfo     string
}

type updateGroupResult struct {
	UpdateGroupType   int
	GroupName         string
	GroupId           int
	OldGroupName      string
	ContactResultItem []contactOptResult
}

type updateContactGroupResp struct {
	UpdateType        int
	UpdateGroupResult updateGroupResult
}

// updateContactGroup renames a conversation group (UpdateGroupType 1) or
// adds and removes its conversations (2, ContactOptType 1 add, 2 remove).
func (s *Server) updateContactGroup(ctx context.Context, c *Call, req *updateContactGroupReq) (*updateContactGroupResp, error) {
	from, err := contactCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if req.UpdateType == nil || *req.UpdateType != updateTypeGroup {
		return nil, invalidParam("UpdateType must be 1")
	}
	g := req.UpdateGroup
	if g == nil {
		return nil, invalidParam("UpdateGroup is required")
	}
	oldName, err := contactGroupName("OldGroupName", g.OldGroupName)
	if err != nil {
		return nil, err
	}
	if g.UpdateGroupType == nil || (*g.UpdateGroupType != updateGroupRename && *g.UpdateGroupType != updateGroupItems) {
		return nil, invalidParam("UpdateGroupType must be 1 (rename) or 2 (add and remove conversations)")
	}
	result := updateGroupResult{UpdateGroupType: *g.UpdateGroupType, OldGroupName: oldName, ContactResultItem: []contactOptResult{}}
	if *g.UpdateGroupType == updateGroupRename {
		err = s.renameContactGroup(ctx, c, from, g, &result)
	} else {
		err = s.changeContactGroup(ctx, c, from, g, &result)
	}
	if err != nil {
		return nil, err
	}
	return &updateContactGroupResp{UpdateType: *req.UpdateType, UpdateGroupResult: result}, nil
}

// renameContactGroup is update_contact_group's UpdateGroupType 1: it
// renames result.OldGroupName to g's NewGroupName.
func (s *Server) renameContactGroup(ctx context.Context, c *Call, from string, g *updateGroupReq, result *updateGroupResult) error {
	newName, err := contactGroupName("NewGroupName", g.NewGroupName)
	if err != nil {
		return err
	}
	ref, err := s.contacts.RenameContactGroup(ctx, c.App.SDKAppID, from, result.OldGroupName, newName)
	if err != nil {
		return err
	}
	result.GroupName, result.GroupId = ref.Name, ref.ID
	return nil
}

// changeContactGroup is update_contact_group's UpdateGroupType 2: it adds
// and removes the conversations of g's ContactUpdateItem, in order.
func (s *Server) changeContactGroup(ctx context.Context, c *Call, from string, g *updateGroupReq, result *updateGroupResult) error {
	changes, err := contactChanges(g.ContactUpdateItem)
	if err != nil {
		return err
	}
	ref, results, err := s.contacts.UpdateContactGroup(ctx, c.App.SDKAppID, from, result.OldGroupName, changes)
	if err != nil {
		return err
	}
	result.GroupName, result.GroupId = ref.Name, ref.ID
	result.ContactResultItem = make([]contactOptResult, len(changes))
	for i, ch := range changes {
		code, info := resultCode(results[i])
		result.ContactResultItem[i] = contactOptResult{ContactOptType: *g.ContactUpdateItem[i].ContactOptType,
			ContactItem: contactItem(ch.Contact), ResultCode: code, ResultInfo: info}
	}
	return nil
}

// contactChanges checks ContactUpdateItem: present, at most
// im.MaxContactItems, each with a ContactOptType of 1 or 2 and a contact.
func contactChanges(items []contactUpdateItemReq) ([]im.ContactChange, error) {
	if items == nil {
		return nil, invalidParam("ContactUpdateItem is required")
	}
	if len(items) > im.MaxContactItems {
		return nil, invalidParam(fmt.Sprintf("at most %d items in ContactUpdateItem", im.MaxContactItems))
	}
	changes := make([]im.ContactChange, len(items))
	for i, it := range items {
		field := fmt.Sprintf("ContactUpdateItem[%d]", i)
		if it.ContactOptType == nil || (*it.ContactOptType != contactOptAdd && *it.ContactOptType != contactOptRemove) {
			return nil, invalidParam(field + ".ContactOptType must be 1 (add) or 2 (remove)")
		}
		k, err := contact(field+".ContactItem", it.ContactItem)
		if err != nil {
			return nil, err
		}
		changes[i] = im.ContactChange{Remove: *it.ContactOptType == contactOptRemove, Contact: k}
	}
	return changes, nil
}

// mark_contact's OptType values.
const (
	optStandard = 1
	optCustom   = 2
	optBoth     = 3
)

type markContactReq struct {
	From_Account *string
	MarkItem     []struct {
		OptType     *int
		ContactItem *contactItemReq
		ClearMark   []int
		SetMark     []int
		CustomMark  *string
	}
}

type markResult struct {
	OptType     int
	ContactItem contactItemResp
	ResultCode  int
	ResultInfo  string
}

type markContactResp struct {
	ResultItem []markResult
}

// markContact sets and clears standard marks (bits 0 to 63) and replaces
// custom marks (at most 256 bytes; absent or "" clears it) of 1 to 100
// conversations (51006 otherwise).
func (s *Server) markContact(ctx context.Context, c *Call, req *markContactReq) (*markContactResp, error) {
	from, err := contactCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if len(req.MarkItem) == 0 || len(req.MarkItem) > im.MaxMarkItems {
		return nil, im.Errorf(im.CodeContactMarkItems, "MarkItem must hold 1 to %d conversations", im.MaxMarkItems)
	}
	marks := make([]im.Mark, len(req.MarkItem))
	for i, it := range req.MarkItem {
		field := fmt.Sprintf("MarkItem[%d]", i)
		if it.OptType == nil || *it.OptType < optStandard || *it.OptType > optBoth {
			return nil, invalidParam(field + ".OptType must be 1 (standard), 2 (custom) or 3 (both)")
		}
		m := im.Mark{Standard: *it.OptType != optCustom, Custom: *it.OptType != optStandard}
		if m.Contact, err = contact(field+".ContactItem", it.ContactItem); err != nil {
			return nil, err
		}
		if m.Set, err = markBits(field+".SetMark", it.SetMark); err != nil {
			return nil, err
		}
		if m.Clear, err = markBits(field+".ClearMark", it.ClearMark); err != nil {
			return nil, err
		}
		if cm := it.CustomMark; cm != nil {
			if len(*cm) > im.MaxCustomMarkBytes {
				return nil, invalidParam(fmt.Sprintf("%s.CustomMark is longer than %d bytes", field, im.MaxCustomMarkBytes))
			}
			if strings.IndexByte(*cm, 0) >= 0 {
				return nil, invalidParam(field + ".CustomMark must not contain the NUL character")
			}
			m.CustomMark = *cm
		}
		marks[i] = m
	}
	results, err := s.contacts.MarkContacts(ctx, c.App.SDKAppID, from, marks)
	if err != nil {
		return nil, err
	}
	resp := &markContactResp{ResultItem: make([]markResult, len(marks))}
	for i, m := range marks {
		code, info := resultCode(results[i])
		resp.ResultItem[i] = markResult{OptType: *req.MarkItem[i].OptType, ContactItem: contactItem(m.Contact), ResultCode: code, ResultInfo: info}
	}
	return resp, nil
}

// markBits turns a SetMark/ClearMark list of bit positions into a mask.
func markBits(field string, bits []int) (uint64, error) {
	var m uint64
	for _, b := range bits {
		if b < 0 || b >= im.StandardMarkBits {
			return 0, invalidParam(fmt.Sprintf("%s: bit %d is not between 0 and %d", field, b, im.StandardMarkBits-1))
		}
		m |= 1 << b
	}
	return m, nil
}
