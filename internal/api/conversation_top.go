package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

// recentcontact/top pins and unpins conversations (1047/78304, 269/103772;
// docs/fidelity/conversations.md#recentcontacttop).

// OperationType of recentcontact/top.
const (
	topPin   = 1
	topUnpin = 2
)

// topReq is recentcontact/top.
type topReq struct {
	From_Account      *string
	OperationType     *int
	RecentContactItem []topItem
}

// topItem is one RecentContactItem. Note GroupId, as get_list's
// SessionItem spells it: recentcontact/delete says ToGroupid and the
// conversation-group commands ToGroupId, both unknown keys here.
type topItem struct {
	Type       *int
	To_Account *string
	GroupId    *string
}

// contact checks item i: Type 1 with To_Account or Type 2 with GroupId,
// else 50002 for the whole request. The other peer field is ignored.
func (it *topItem) contact(i int) (im.Contact, error) {
	field := fmt.Sprintf("RecentContactItem[%d]", i)
	if it.Type == nil {
		return im.Contact{}, invalidParam(field + ".Type is required")
	}
	switch *it.Type {
	case im.ContactC2C:
		if it.To_Account == nil {
			return im.Contact{}, invalidParam(field + ".To_Account is required for Type 1")
		}
		return im.Contact{Type: im.ContactC2C, Peer: *it.To_Account}, nil
	case im.ContactGroup:
		if it.GroupId == nil {
			return im.Contact{}, invalidParam(field + ".GroupId is required for Type 2")
		}
		return im.Contact{Type: im.ContactGroup, Peer: *it.GroupId}, nil
	}
	return im.Contact{}, invalidParam(fmt.Sprintf("%s.Type %d is neither 1 (C2C) nor 2 (group)", field, *it.Type))
}

// top pins (OperationType 1) or unpins (2) From_Account's conversations.
// The reply is the envelope alone: every item is done, or none.
func (s *Server) top(ctx context.Context, c *Call, req *topReq) (*empty, error) {
	if req.From_Account == nil {
		return nil, invalidParam("From_Account is required")
	}
	if req.OperationType == nil {
		return nil, invalidParam("OperationType is required")
	}
	op := *req.OperationType
	if op != topPin && op != topUnpin {
		return nil, invalidParam(fmt.Sprintf("OperationType %d is neither 1 (pin) nor 2 (unpin)", op))
	}
	switch n := len(req.RecentContactItem); {
	case n == 0:
		return nil, invalidParam("RecentContactItem is required and must not be empty")
	case n > im.MaxPinItems:
		return nil, invalidParam(fmt.Sprintf("at most %d items in RecentContactItem", im.MaxPinItems))
	}
	ks := make([]im.Contact, len(req.RecentContactItem))
	for i := range req.RecentContactItem {
		var err error
		if ks[i], err = req.RecentContactItem[i].contact(i); err != nil {
			return nil, err
		}
	}
	if err := s.convs.SetPinned(ctx, c.App.SDKAppID, *req.From_Account, ks, op == topPin); err != nil {
		return nil, err
	}
	return &empty{}, nil
}
