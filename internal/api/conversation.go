package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// recentcontact/get_list, recentcontact/delete and recentcontact/top
// (conversation_top.go): an account's conversation list
// (docs/fidelity/conversations.md). Unlike conversation groups and marks
// they need no edition. A body that is not JSON (60003) or has a mistyped
// field (50002) is refused by the decoder.

// conversationStore is what these handlers may touch (Server.convs).
type conversationStore interface {
	Conversations(ctx context.Context, app uint64, owner string, q im.ConversationQuery) (im.ConversationPage, error)
	DeleteConversation(ctx context.Context, app uint64, owner string, k im.Contact, clear bool) error
	// conversation_top.go: recentcontact/top.
	SetPinned(ctx context.Context, app uint64, owner string, ks []im.Contact, pinned bool) error
}

type getListReq struct {
	From_Account  *string
	TimeStamp     *int64
	StartIndex    *int
	TopTimeStamp  *int64
	TopStartIndex *int
	AssistFlags   *int
}

// sessionItem is one SessionItem. The marks and conversation groups come
// with AssistMarks, each left out when empty, as in Tencent's sample.
type sessionItem struct {
	Type           int
	To_Account     *string `json:",omitempty"`
	GroupId        *string `json:",omitempty"`
	MsgTime        int64
	TopFlag        int
	StandardMark   string `json:",omitempty"`
	CustomMark     string `json:",omitempty"`
	ContactGroupId []int  `json:",omitempty"`
}

type getListResp struct {
	SessionItem   []sessionItem
	CompleteFlag  int
	TimeStamp     int64
	StartIndex    int
	TopTimeStamp  int64
	TopStartIndex int
}

// query checks the documented required fields of get_list: each
// present and not negative, else 50002.
func (r *getListReq) query() (im.ConversationQuery, error) {
	for _, f := range []struct {
		name string
		v    *int64
	}{{"TimeStamp", r.TimeStamp}, {"TopTimeStamp", r.TopTimeStamp}} {
		if f.v == nil || *f.v < 0 {
			return im.ConversationQuery{}, invalidParam(f.name + " is required and must not be negative")
		}
	}
	for _, f := range []struct {
		name string
		v    *int
	}{{"StartIndex", r.StartIndex}, {"TopStartIndex", r.TopStartIndex}, {"AssistFlags", r.AssistFlags}} {
		if f.v == nil || *f.v < 0 {
			return im.ConversationQuery{}, invalidParam(f.name + " is required and must not be negative")
		}
	}
	return im.ConversationQuery{
		Normal: im.ConversationCursor{Time: *r.TimeStamp, Index: *r.StartIndex},
		Pinned: im.ConversationCursor{Time: *r.TopTimeStamp, Index: *r.TopStartIndex},
		Flags:  *r.AssistFlags, Limit: im.ConversationPageSize,
	}, nil
}

// getList answers one page of an account's conversations, pinned first,
// newest first; the cursors in the reply are the next request's.
func (s *Server) getList(ctx context.Context, c *Call, req *getListReq) (*getListResp, error) {
	if req.From_Account == nil {
		return nil, invalidParam("From_Account is required")
	}
	q, err := req.query()
	if err != nil {
		return nil, err
	}
	page, err := s.convs.Conversations(ctx, c.App.SDKAppID, *req.From_Account, q)
	if err != nil {
		return nil, err
	}
	resp := &getListResp{SessionItem: make([]sessionItem, len(page.Items)),
		TimeStamp: page.Normal.Time, StartIndex: page.Normal.Index,
		TopTimeStamp: page.Pinned.Time, TopStartIndex: page.Pinned.Index}
	if page.Complete {
		resp.CompleteFlag = 1
	}
	for i, it := range page.Items {
		peer := it.Peer
		item := sessionItem{Type: it.Type, MsgTime: it.MsgTime, StandardMark: im.FormatStandardMark(it.StandardMark),
			CustomMark: it.CustomMark, ContactGroupId: it.GroupIDs}
		if it.Type == im.ContactC2C {
			item.To_Account = &peer
		} else {
			item.GroupId = &peer
		}
		if it.Pinned {
			item.TopFlag = 1
		}
		resp.SessionItem[i] = item
	}
	return resp, nil
}

// deleteListReq is recentcontact/delete. Note ToGroupid with a lower-case
// id, as Tencent's page spells it (the contact-group commands say
// ToGroupId); keys match exactly, so "type" (as one Go SDK sends it) is
// not Type.
type deleteListReq struct {
	From_Account *string
	Type         *int
	To_Account   *string
	ToGroupid    *string
	ClearRamble  *int
}

// deleteList deletes one conversation of an account, and with ClearRamble
// 1 its history for that account.
func (s *Server) deleteList(ctx context.Context, c *Call, req *deleteListReq) (*empty, error) {
	if req.From_Account == nil {
		return nil, invalidParam("From_Account is required")
	}
	if req.Type == nil {
		return nil, invalidParam("Type is required")
	}
	var k im.Contact
	switch *req.Type {
	case im.ContactC2C:
		if req.To_Account == nil {
			return nil, invalidParam("To_Account is required for Type 1")
		}
		k = im.Contact{Type: im.ContactC2C, Peer: *req.To_Account}
	case im.ContactGroup:
		if req.ToGroupid == nil {
			return nil, invalidParam("ToGroupid is required for Type 2")
		}
		k = im.Contact{Type: im.ContactGroup, Peer: *req.ToGroupid}
	default:
		return nil, invalidParam(fmt.Sprintf("Type %d is neither 1 (C2C) nor 2 (group)", *req.Type))
	}
	clear := false
	if req.ClearRamble != nil {
		switch *req.ClearRamble {
		case 0:
		case 1:
			clear = true
		default:
			return nil, invalidParam(fmt.Sprintf("ClearRamble %d is neither 0 nor 1", *req.ClearRamble))
		}
	}
	if err := s.convs.DeleteConversation(ctx, c.App.SDKAppID, *req.From_Account, k, clear); err != nil {
		return nil, err
	}
	return &empty{}, nil
}
