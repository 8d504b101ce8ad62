package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of recentcontact: conversation groups and marks
// (docs/fidelity/recentcontact.md, docs/decisions.md §5). Every handler first
// checks the app's edition; a body that is not JSON (60003) or has a mistyped
// field (50002) is refused before that, by the decoder.

// contactStore is what the recentcontact handlers may touch
// (Server.contacts), in this file and in contact_list.go and
// contact_update.go; the methods and their codes are im.ContactService's.
type contactStore interface {
	// Here: create_contact_group, del_contact_group.
	CreateContactGroup(ctx context.Context, app uint64, user, name string, contacts []im.Contact) (im.ContactGroupRef, []*im.Error, error)
	DeleteContactGroup(ctx context.Context, app uint64, user, name string) (im.ContactGroupRef, error)
	// contact_list.go: get_contact_group, search_contact_group.
	ContactGroups(ctx context.Context, app uint64, user string, start, limit int) (im.ContactPage, error)
	SearchContacts(ctx context.Context, app uint64, user string, contacts []im.Contact) ([]im.ContactState, []im.ContactGroupRef, error)
	// contact_update.go: update_contact_group, mark_contact.
	RenameContactGroup(ctx context.Context, app uint64, user, oldName, newName string) (im.ContactGroupRef, error)
	UpdateContactGroup(ctx context.Context, app uint64, user, name string, changes []im.ContactChange) (im.ContactGroupRef, []*im.Error, error)
	MarkContacts(ctx context.Context, app uint64, user string, marks []im.Mark) ([]*im.Error, error)
}

// requireUltimate answers 51013 unless the app is on the Ultimate edition.
func requireUltimate(c *Call) error {
	if c.App.Edition != im.EditionUltimate {
		return im.Errorf(im.CodeContactEdition, "conversation groups and marks need the Ultimate edition, the app is %q", c.App.Edition)
	}
	return nil
}

// contactCall runs the checks every recentcontact command starts with: the
// edition gate, then a From_Account that is present (whether it is
// imported is the store's 50001).
func contactCall(c *Call, from *string) (string, error) {
	if err := requireUltimate(c); err != nil {
		return "", err
	}
	if from == nil {
		return "", invalidParam("From_Account is required")
	}
	return *from, nil
}

// contactGroupName checks a conversation group name: required, not empty,
// at most 32 bytes (51011), no NUL character.
func contactGroupName(field string, p *string) (string, error) {
	switch {
	case p == nil || *p == "":
		return "", invalidParam(field + " is required")
	case len(*p) > im.MaxContactGroupNameBytes:
		return "", im.Errorf(im.CodeContactNameTooLong, "%s is longer than %d bytes", field, im.MaxContactGroupNameBytes)
	case strings.IndexByte(*p, 0) >= 0:
		return "", invalidParam(field + " must not contain the NUL character")
	}
	return *p, nil
}

// contactItemReq is a ContactItem in a request. Note the spelling
// ToGroupId (recentcontact/delete spells it ToGroupid).
type contactItemReq struct {
	Type       *int
	To_Account *string
	ToGroupId  *string
}

// contact checks a ContactItem: Type 1 with To_Account or Type 2 with
// ToGroupId, else 50002. Whether the peer exists is a per-item outcome.
func contact(field string, it *contactItemReq) (im.Contact, error) {
	if it == nil || it.Type == nil {
		return im.Contact{}, invalidParam(field + ".Type is required")
	}
	switch *it.Type {
	case im.ContactC2C:
		if it.To_Account == nil {
			return im.Contact{}, invalidParam(field + ".To_Account is required for Type 1")
		}
		return im.Contact{Type: im.ContactC2C, Peer: *it.To_Account}, nil
	case im.ContactGroup:
		if it.ToGroupId == nil {
			return im.Contact{}, invalidParam(field + ".ToGroupId is required for Type 2")
		}
		return im.Contact{Type: im.ContactGroup, Peer: *it.ToGroupId}, nil
	}
	return im.Contact{}, invalidParam(fmt.Sprintf("%s.Type %d is neither 1 (C2C) nor 2 (group)", field, *it.Type))
}

// contacts checks a ContactItem array of at most limit items.
func contacts(field string, items []contactItemReq, limit int) ([]im.Contact, error) {
	if len(items) > limit {
		return nil, invalidParam(fmt.Sprintf("at most %d items in %s", limit, field))
	}
	out := make([]im.Contact, len(items))
	for i := range items {
		var err error
		if out[i], err = contact(fmt.Sprintf("%s[%d]", field, i), &items[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// contactItemResp is a ContactItem in a reply: the conversation alone.
type contactItemResp struct {
	Type       int
	To_Account *string `json:",omitempty"`
	ToGroupId  *string `json:",omitempty"`
}

func contactItem(k im.Contact) contactItemResp {
	peer := k.Peer
	if k.Type == im.ContactC2C {
		return contactItemResp{Type: k.Type, To_Account: &peer}
	}
	return contactItemResp{Type: k.Type, ToGroupId: &peer}
}

// resultCode splits a per-item outcome into ResultCode and ResultInfo.
func resultCode(e *im.Error) (int, string) {
	if e == nil {
		return 0, ""
	}
	return e.Code, e.Info
}

// contactResult is a ResultItem of create_contact_group.
type contactResult struct {
	ContactItem contactItemResp
	ResultCode  int
	ResultInfo  string
}

// groupItem is a GroupItem: a conversation group's name and id.
type groupItem struct {
	GroupName string
	GroupId   int
}

func groupItems(refs []im.ContactGroupRef) []groupItem {
	out := make([]groupItem, len(refs))
	for i, g := range refs {
		out[i] = groupItem{GroupName: g.Name, GroupId: g.ID}
	}
	return out
}

type createContactGroupReq struct {
	From_Account     *string
	GroupContactItem []struct {
		GroupName   *string
		ContactItem []contactItemReq
	}
}

type groupResultItem struct {
	GroupItem  groupItem
	ResultItem []contactResult
}

type createContactGroupResp struct {
	GroupResultItem []groupResultItem
}

// createContactGroup creates one conversation group (Tencent takes one per
// call) holding the listed conversations, each with its own ResultCode.
func (s *Server) createContactGroup(ctx context.Context, c *Call, req *createContactGroupReq) (*createContactGroupResp, error) {
	from, err := contactCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if len(req.GroupContactItem) != 1 {
		return nil, invalidParam("GroupContactItem must hold exactly one conversation group")
	}
	item := req.GroupContactItem[0]
	name, err := contactGroupName("GroupName", item.GroupName)
	if err != nil {
		return nil, err
	}
	if item.ContactItem == nil {
		return nil, invalidParam("ContactItem is required")
	}
	ks, err := contacts("ContactItem", item.ContactItem, im.MaxContactItems)
	if err != nil {
		return nil, err
	}
	ref, results, err := s.contacts.CreateContactGroup(ctx, c.App.SDKAppID, from, name, ks)
	if err != nil {
		return nil, err
	}
	out := groupResultItem{GroupItem: groupItem{GroupName: ref.Name, GroupId: ref.ID}, ResultItem: make([]contactResult, len(ks))}
	for i, k := range ks {
		code, info := resultCode(results[i])
		out.ResultItem[i] = contactResult{ContactItem: contactItem(k), ResultCode: code, ResultInfo: info}
	}
	return &createContactGroupResp{GroupResultItem: []groupResultItem{out}}, nil
}

type delContactGroupReq struct {
	From_Account *string
	GroupName    []string
}

type delContactGroupResp struct {
	GroupItem []groupItem
}

// delContactGroup deletes one conversation group by name (docs/decisions.md
// §5.4): exactly one name, else 50002; over 32 bytes 51011; unknown 51009.
func (s *Server) delContactGroup(ctx context.Context, c *Call, req *delContactGroupReq) (*delContactGroupResp, error) {
	from, err := contactCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if len(req.GroupName) != 1 {
		return nil, invalidParam("GroupName must hold exactly one name")
	}
	name, err := contactGroupName("GroupName", &req.GroupName[0])
	if err != nil {
		return nil, err
	}
	ref, err := s.contacts.DeleteContactGroup(ctx, c.App.SDKAppID, from, name)
	if err != nil {
		return nil, err
	}
	return &delContactGroupResp{GroupItem: []groupItem{{GroupName: ref.Name, GroupId: ref.ID}}}, nil
}
