package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of message extensions (openim_msg_ext_http_svc,
// docs/fidelity/msgext.md): get_key_values and set_key_values on a
// one-to-one message, group_get_key_values and group_set_key_values on a
// group message.

// msgExtStore is what these handlers may touch (Server.msgExts); the
// methods and their codes are im.MsgExtService's.
type msgExtStore interface {
	MsgExts(ctx context.Context, app uint64, ref im.MsgExtRef, startSeq int64) (im.MsgExtPage, error)
	SetMsgExts(ctx context.Context, op im.Op, ref im.MsgExtRef, operation int, exts []im.MsgExt) ([]im.MsgExt, int64, error)
}

type getKeyValuesResp struct {
	CompleteFlag  int
	LatestSeq     int64
	ClearSeq      int64
	ExtensionList []im.MsgExt
}

func extPage(p im.MsgExtPage) *getKeyValuesResp {
	return &getKeyValuesResp{CompleteFlag: b2i(p.Complete), LatestSeq: p.Latest, ClearSeq: p.Cleared, ExtensionList: p.Exts}
}

// extResult is one item of a set's ExtensionList.
type extResult struct {
	ErrorCode int
	Extension im.MsgExt
}

type setKeyValuesResp struct {
	ExtensionList []extResult
}

func extResults(written []im.MsgExt) *setKeyValuesResp {
	out := &setKeyValuesResp{ExtensionList: make([]extResult, len(written))}
	for i, e := range written {
		out.ExtensionList[i] = extResult{Extension: e}
	}
	return out
}

type c2cExtRef struct {
	From_Account *string
	To_Account   *string
	MsgKey       *string
}

// ref checks a one-to-one message's fields: To_Account and MsgKey
// required, From_Account optional.
func (r c2cExtRef) ref() (im.MsgExtRef, error) {
	switch {
	case r.To_Account == nil:
		return im.MsgExtRef{}, invalidField("To_Account", "To_Account is required")
	case r.MsgKey == nil:
		return im.MsgExtRef{}, invalidField("MsgKey", "MsgKey is required")
	}
	ref := im.MsgExtRef{To: *r.To_Account, MsgKey: *r.MsgKey}
	if r.From_Account != nil {
		ref.From = *r.From_Account
	}
	return ref, nil
}

type getKeyValuesReq struct {
	c2cExtRef
	StartSeq *int64
}

// getKeyValues reads a one-to-one message's pairs from StartSeq.
func (s *Server) getKeyValues(ctx context.Context, c *Call, req *getKeyValuesReq) (*getKeyValuesResp, error) {
	ref, err := req.ref()
	return s.getExts(ctx, c, ref, err, req.StartSeq)
}

// getExts reads a page of the pairs of the message ref names (unless the
// request's check failed with err) from StartSeq.
func (s *Server) getExts(ctx context.Context, c *Call, ref im.MsgExtRef, err error, start *int64) (*getKeyValuesResp, error) {
	if err != nil {
		return nil, err
	}
	from := int64(0)
	if start != nil {
		if *start < 0 {
			return nil, invalidParam("StartSeq must not be negative")
		}
		from = *start
	}
	page, err := s.msgExts.MsgExts(ctx, c.App.SDKAppID, ref, from)
	if err != nil {
		return nil, err
	}
	return extPage(page), nil
}

type setKeyValuesReq struct {
	c2cExtRef
	extOperation
}

// setKeyValues sets, deletes or clears a one-to-one message's pairs.
func (s *Server) setKeyValues(ctx context.Context, c *Call, req *setKeyValuesReq) (*setKeyValuesResp, error) {
	ref, err := req.ref()
	return s.setExts(ctx, c, ref, err, &req.extOperation)
}

type groupExtRef struct {
	GroupId *string
	MsgSeq  *int64
}

// ref checks a group message's fields: GroupId and MsgSeq required.
func (r groupExtRef) ref() (im.MsgExtRef, error) {
	id, err := groupID(r.GroupId)
	if err != nil {
		return im.MsgExtRef{}, err
	}
	if r.MsgSeq == nil || *r.MsgSeq < 1 {
		return im.MsgExtRef{}, invalidField("MsgSeq", "MsgSeq is required and must be positive")
	}
	return im.MsgExtRef{GroupID: id, MsgSeq: *r.MsgSeq}, nil
}

type groupGetKeyValuesReq struct {
	groupExtRef
	StartSeq *int64
}

// groupGetKeyValues reads a group message's pairs from StartSeq.
func (s *Server) groupGetKeyValues(ctx context.Context, c *Call, req *groupGetKeyValuesReq) (*getKeyValuesResp, error) {
	ref, err := req.ref()
	return s.getExts(ctx, c, ref, err, req.StartSeq)
}

type groupSetKeyValuesReq struct {
	groupExtRef
	extOperation
}

// groupSetKeyValues sets, deletes or clears a group message's pairs.
func (s *Server) groupSetKeyValues(ctx context.Context, c *Call, req *groupSetKeyValuesReq) (*setKeyValuesResp, error) {
	ref, err := req.ref()
	return s.setExts(ctx, c, ref, err, &req.extOperation)
}

// extOperation is a set's OperateType and ExtensionList.
type extOperation struct {
	OperateType   *int
	ExtensionList []struct {
		Key   *string
		Value *string
		Seq   *int64
	}
}

// setExts checks an operation and applies it to the message ref names
// (unless the request's check failed with err).
func (s *Server) setExts(ctx context.Context, c *Call, ref im.MsgExtRef, err error, o *extOperation) (*setKeyValuesResp, error) {
	if err != nil {
		return nil, err
	}
	if o.OperateType == nil || *o.OperateType < im.ExtSet || *o.OperateType > im.ExtClear {
		return nil, invalidParam("OperateType must be 1 (set), 2 (delete) or 3 (clear)")
	}
	operation := *o.OperateType
	var exts []im.MsgExt
	if operation != im.ExtClear {
		if len(o.ExtensionList) == 0 || len(o.ExtensionList) > im.MaxExtPerRequest {
			return nil, invalidParam(fmt.Sprintf("ExtensionList must hold 1 to %d pairs", im.MaxExtPerRequest))
		}
		for i, e := range o.ExtensionList {
			if e.Key == nil || *e.Key == "" || len(*e.Key) > im.MaxExtKeyBytes || strings.IndexByte(*e.Key, 0) >= 0 {
				return nil, invalidParam(fmt.Sprintf("ExtensionList[%d] needs a Key of 1 to %d bytes", i, im.MaxExtKeyBytes))
			}
			v := ""
			if e.Value != nil {
				v = *e.Value
			}
			if len(v) > im.MaxExtValueBytes || strings.IndexByte(v, 0) >= 0 {
				return nil, invalidParam(fmt.Sprintf("ExtensionList[%d].Value holds at most %d bytes", i, im.MaxExtValueBytes))
			}
			exts = append(exts, im.MsgExt{Key: *e.Key, Value: v})
		}
	}
	written, _, err := s.msgExts.SetMsgExts(ctx, op(c), ref, operation, exts)
	if err != nil {
		return nil, err
	}
	return extResults(written), nil
}
