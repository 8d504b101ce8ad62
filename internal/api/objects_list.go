package api

import (
	"context"
	"strings"

	"github.com/timd/timd/internal/im"
)

// timd_control/list_objects: pages through the objects an app stores, so a
// test can see what it left behind (docs/control-apps.md).

// objectStore is what list_objects may touch (Server.objects); the method
// and its codes are im.ObjectService's.
type objectStore interface {
	ListObjects(ctx context.Context, app uint64, q im.ObjectQuery) (*im.ObjectPage, error)
}

// defaultObjectPage is the page size when Limit is absent.
const defaultObjectPage = 100

type listObjectsReq struct {
	Type         *string
	GroupId      *string
	From_Account *string
	Cursor       *string
	Limit        *int
}

// listedObject is one object of a list_objects reply; the fields other
// than Id are those of its Type.
type listedObject struct {
	Id            string
	GroupType     string `json:"Type,omitempty"`
	Name          string `json:",omitempty"`
	Owner_Account string `json:",omitempty"`
	Role          string `json:",omitempty"`
}

type listObjectsResp struct {
	Type       string
	Objects    []listedObject
	NextCursor string // "" after the last page
}

// listObjects answers one page of the caller's app's objects of Type.
func (s *Server) listObjects(ctx context.Context, c *Call, req *listObjectsReq) (*listObjectsResp, error) {
	q, err := objectQueryOf(req)
	if err != nil {
		return nil, err
	}
	page, err := s.objects.ListObjects(ctx, c.App.SDKAppID, q)
	if err != nil {
		return nil, err
	}
	resp := &listObjectsResp{Type: q.Type, Objects: make([]listedObject, len(page.Objects)), NextCursor: page.NextCursor}
	for i, o := range page.Objects {
		resp.Objects[i] = listedObject{Id: o.ID, GroupType: o.GroupType, Name: o.Name, Owner_Account: o.Owner, Role: o.Role}
	}
	return resp, nil
}

// objectQueryOf checks a list_objects request.
func objectQueryOf(req *listObjectsReq) (im.ObjectQuery, error) {
	q := im.ObjectQuery{Limit: defaultObjectPage}
	if req.Type == nil {
		return q, invalidField("Type", "Type (Account, Group, GroupMember or Friend) is required")
	}
	q.Type = *req.Type
	switch q.Type {
	case im.ObjectAccount, im.ObjectGroup:
	case im.ObjectGroupMember:
		if req.GroupId == nil || *req.GroupId == "" {
			return q, invalidField("GroupId", "GroupId is required with Type GroupMember")
		}
		q.GroupID = *req.GroupId
	case im.ObjectFriend:
		if req.From_Account == nil || *req.From_Account == "" {
			return q, invalidField("From_Account", "From_Account is required with Type Friend")
		}
		q.From = *req.From_Account
	default:
		return q, invalidField("Type", "Type must be Account, Group, GroupMember or Friend")
	}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > im.MaxObjectPage {
			return q, invalidField("Limit", "Limit must be from 1 to 1000")
		}
		q.Limit = *req.Limit
	}
	if req.Cursor != nil {
		q.Cursor = *req.Cursor
	}
	for _, v := range []string{q.GroupID, q.From, q.Cursor} {
		if strings.IndexByte(v, 0) >= 0 {
			return q, invalidParam("GroupId, From_Account and Cursor hold no NUL")
		}
	}
	return q, nil
}
