package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of group counters (docs/fidelity/group-admin.md#group-counters):
// get_group_counter, update_group_counter and delete_group_counter.

// groupCounterStore is what these handlers may touch (Server.gcount); the
// methods and their codes are im.GroupCounterService's.
type groupCounterStore interface {
	GroupCounters(ctx context.Context, app uint64, groupID string, keys []string) ([]im.GroupCounter, error)
	UpdateGroupCounters(ctx context.Context, op im.Op, groupID string, u im.GroupCounterUpdate) ([]im.GroupCounter, error)
	DeleteGroupCounters(ctx context.Context, op im.Op, groupID string, keys []string) error
}

// counterCall runs the checks every counter command starts with: the
// edition (10059: the pages open the feature to the Ultimate edition
// alone), then a well-formed GroupId.
func counterCall(c *Call, id *string) (string, error) {
	if c.App.Edition != im.EditionUltimate {
		return "", im.Errorf(im.CodeGroupCounterEdition, "group counters need the Ultimate edition, the app is %q", c.App.Edition)
	}
	return groupID(id)
}

type groupCounterKeysReq struct {
	GroupId          *string
	GroupCounterKeys []string
}

type groupCounterResp struct {
	GroupCounter []im.GroupCounter
}

// getGroupCounter reads the counters named in GroupCounterKeys, all of
// them when it is absent or empty.
func (s *Server) getGroupCounter(ctx context.Context, c *Call, req *groupCounterKeysReq) (*groupCounterResp, error) {
	id, err := counterCall(c, req.GroupId)
	if err != nil {
		return nil, err
	}
	counters, err := s.gcount.GroupCounters(ctx, c.App.SDKAppID, id, req.GroupCounterKeys)
	if err != nil {
		return nil, err
	}
	return &groupCounterResp{GroupCounter: counters}, nil
}

type updateGroupCounterReq struct {
	GroupId      *string
	GroupCounter []struct {
		Key   *string
		Value *int64
	}
	Mode *string
}

// updateGroupCounter sets, increases or decreases the counters given and
// answers their new values.
func (s *Server) updateGroupCounter(ctx context.Context, c *Call, req *updateGroupCounterReq) (*groupCounterResp, error) {
	id, err := counterCall(c, req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.Mode == nil || !im.ValidGroupCounterMode(*req.Mode) {
		return nil, invalidField("Mode", "Mode must be Set, Increase or Decrease")
	}
	if len(req.GroupCounter) == 0 || len(req.GroupCounter) > im.MaxGroupCounters {
		return nil, invalidField("GroupCounter", fmt.Sprintf("GroupCounter must hold 1 to %d counters", im.MaxGroupCounters))
	}
	u := im.GroupCounterUpdate{Mode: *req.Mode, Counters: make([]im.GroupCounter, len(req.GroupCounter))}
	for i, gc := range req.GroupCounter {
		if gc.Key == nil || *gc.Key == "" || len(*gc.Key) > im.MaxGroupCounterKey || strings.IndexByte(*gc.Key, 0) >= 0 {
			return nil, invalidParam(fmt.Sprintf("GroupCounter[%d] needs a Key of 1 to %d bytes, without the NUL character", i, im.MaxGroupCounterKey))
		}
		if gc.Value == nil {
			return nil, invalidParam(fmt.Sprintf("GroupCounter[%d] needs a Value", i))
		}
		u.Counters[i] = im.GroupCounter{Key: *gc.Key, Value: *gc.Value}
	}
	updated, err := s.gcount.UpdateGroupCounters(ctx, op(c), id, u)
	if err != nil {
		return nil, err
	}
	return &groupCounterResp{GroupCounter: updated}, nil
}

// deleteGroupCounter deletes the counters named in GroupCounterKeys, all
// of them when it is absent or empty.
func (s *Server) deleteGroupCounter(ctx context.Context, c *Call, req *groupCounterKeysReq) (*empty, error) {
	id, err := counterCall(c, req.GroupId)
	if err != nil {
		return nil, err
	}
	return nil, s.gcount.DeleteGroupCounters(ctx, op(c), id, req.GroupCounterKeys)
}
