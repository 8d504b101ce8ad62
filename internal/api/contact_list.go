package api

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// get_contact_group and search_contact_group: reading a user's
// conversation groups and marks.

// contactStateResp is a conversation with its groups and marks in a reply.
// Empty parts are left out, as in Tencent's samples (a conversation without
// a custom mark has no CustomMark).
type contactStateResp struct {
	Type           int
	To_Account     *string `json:",omitempty"`
	ToGroupId      *string `json:",omitempty"`
	StandardMark   string  `json:",omitempty"`
	CustomMark     string  `json:",omitempty"`
	ContactGroupId []int   `json:",omitempty"`
	Timestamp      int64   // unix seconds of the conversation's last change
}

func contactStates(in []im.ContactState) []contactStateResp {
	out := make([]contactStateResp, len(in))
	for i, s := range in {
		k := contactItem(s.Contact)
		out[i] = contactStateResp{Type: k.Type, To_Account: k.To_Account, ToGroupId: k.ToGroupId,
			StandardMark: im.FormatStandardMark(s.StandardMark), CustomMark: s.CustomMark,
			ContactGroupId: s.GroupIDs, Timestamp: s.Updated.Unix()}
	}
	return out
}

type getContactGroupReq struct {
	From_Account *string
	StartIndex   *int
}

type getContactGroupResp struct {
	ContactItem    []contactStateResp
	GroupItem      []groupItem
	CompleteFlag   int
	NextStartIndex int
}

// getContactGroup pages through a user's conversations, 100 a page, each
// page with all of the user's conversation groups. StartIndex is 0 first,
// then the previous page's NextStartIndex; CompleteFlag 1 (and
// NextStartIndex 0) marks the last page.
func (s *Server) getContactGroup(ctx context.Context, c *Call, req *getContactGroupReq) (*getContactGroupResp, error) {
	from, err := contactCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if req.StartIndex == nil || *req.StartIndex < 0 {
		return nil, invalidParam("StartIndex is required and must not be negative")
	}
	page, err := s.contacts.ContactGroups(ctx, c.App.SDKAppID, from, *req.StartIndex, im.ContactPageSize)
	if err != nil {
		return nil, err
	}
	resp := &getContactGroupResp{ContactItem: contactStates(page.Contacts), GroupItem: groupItems(page.Groups),
		NextStartIndex: page.Next}
	if page.Complete {
		resp.CompleteFlag = 1
	}
	return resp, nil
}

type searchContactGroupReq struct {
	From_Account *string
	ContactItem  []contactItemReq
}

type searchContactGroupResp struct {
	ContactResultItem []contactStateResp
	GroupItem         []groupItem
}

// searchContactGroup returns the groups and marks of 1 to 300 named
// conversations; conversations the user has none for are left out.
func (s *Server) searchContactGroup(ctx context.Context, c *Call, req *searchContactGroupReq) (*searchContactGroupResp, error) {
	from, err := contactCall(c, req.From_Account)
	if err != nil {
		return nil, err
	}
	if len(req.ContactItem) == 0 {
		return nil, invalidParam("ContactItem is required")
	}
	ks, err := contacts("ContactItem", req.ContactItem, im.MaxSearchContacts)
	if err != nil {
		return nil, err
	}
	found, groups, err := s.contacts.SearchContacts(ctx, c.App.SDKAppID, from, ks)
	if err != nil {
		return nil, err
	}
	return &searchContactGroupResp{ContactResultItem: contactStates(found), GroupItem: groupItems(groups)}, nil
}
