package api

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/timd/timd/internal/im"
)

// admin_getroammsg: a one-to-one conversation's history, in pages that go
// back in time. A page is the newest MaxCnt messages of the range (at most
// im.MaxRoamCnt, and no more than fit a 13 KB reply), listed oldest first;
// LastMsgTime and LastMsgKey are its oldest message's, which the next
// request passes as MaxTime and LastMsgKey. Complete is 0 while older
// messages are left in the range.

type roamReq struct {
	Operator_Account *string
	Peer_Account     *string
	// From_Account and To_Account are what older pages and SDKs (dobyte
	// tencent-im) call Operator_Account and Peer_Account.
	From_Account *string
	To_Account   *string
	MaxCnt       *int
	MinTime      *int64
	MaxTime      *int64
	LastMsgKey   *string
}

// roamItem is one message of MsgList, keys in the order of Tencent's sample.
type roamItem struct {
	From_Account    string
	To_Account      string
	MsgSeq          uint32
	MsgRandom       uint32
	MsgTimeStamp    int64
	MsgFlagBits     int
	IsPeerRead      int
	MsgKey          string
	MsgBody         im.MsgBody
	CloudCustomData string
}

type roamResp struct {
	Complete    int
	MsgCnt      int
	LastMsgTime int64
	LastMsgKey  string
	MsgList     []json.RawMessage
}

// roamEnvelopeBytes bounds what a page's reply holds besides its MsgList's
// messages: the envelope, Complete, MsgCnt, LastMsgTime and LastMsgKey
// written at their longest.
const roamEnvelopeBytes = 256

// roamQuery checks an admin_getroammsg request.
func roamQuery(req *roamReq) (im.RoamQuery, error) {
	var q im.RoamQuery
	op, peer := req.Operator_Account, req.Peer_Account
	if op == nil {
		op = req.From_Account
	}
	if peer == nil {
		peer = req.To_Account
	}
	switch {
	case op == nil:
		return q, invalidField("Operator_Account", "Operator_Account is required")
	case peer == nil:
		return q, invalidField("Peer_Account", "Peer_Account is required")
	case req.MaxCnt == nil || *req.MaxCnt <= 0:
		return q, invalidParam("MaxCnt must be a positive integer")
	case req.MinTime == nil || req.MaxTime == nil || *req.MinTime < 0 || *req.MaxTime < 0:
		return q, invalidParam("MinTime and MaxTime must be unix times in seconds")
	}
	q.Operator, q.Peer = *op, *peer
	q.MaxCnt, q.MinTime, q.MaxTime = min(*req.MaxCnt, im.MaxRoamCnt), *req.MinTime, *req.MaxTime
	if req.LastMsgKey != nil && *req.LastMsgKey != "" {
		seq, rnd, at, ok := im.ParseMsgKey(*req.LastMsgKey)
		if !ok {
			return q, im.Errorf(im.CodeMsgKeyInvalid, "LastMsgKey %q is invalid", *req.LastMsgKey)
		}
		q.After, q.AfterSeq, q.AfterRnd, q.AfterTime = true, seq, rnd, at
	}
	return q, nil
}

// adminGetRoamMsg answers one page of a conversation's history.
func (s *Server) adminGetRoamMsg(ctx context.Context, c *Call, req *roamReq) (*roamResp, error) {
	q, err := roamQuery(req)
	if err != nil {
		return nil, err
	}
	msgs, err := s.c2c.RoamC2C(ctx, c.App.SDKAppID, q)
	if err != nil {
		return nil, err
	}
	resp := &roamResp{Complete: 1, MsgList: []json.RawMessage{}}
	size := roamEnvelopeBytes
	for i, m := range msgs {
		if i == q.MaxCnt {
			resp.Complete = 0
			break
		}
		item, err := json.Marshal(roamItem{
			From_Account: m.From, To_Account: m.To, MsgSeq: m.Seq, MsgRandom: m.Random, MsgTimeStamp: m.Time,
			MsgFlagBits: m.FlagBits, IsPeerRead: b2i(m.PeerRead), MsgKey: im.MsgKey(m.Seq, m.Random, m.Time),
			MsgBody: m.Body, CloudCustomData: m.CloudData,
		})
		if err != nil {
			return nil, err
		}
		// A message too big for any page still gets one of its own.
		if size += len(item) + 1; size > im.MaxRoamReplyBytes && i > 0 {
			resp.Complete = 0
			break
		}
		resp.MsgList = append(resp.MsgList, item)
		resp.LastMsgTime, resp.LastMsgKey = m.Time, im.MsgKey(m.Seq, m.Random, m.Time)
	}
	slices.Reverse(resp.MsgList)
	resp.MsgCnt = len(resp.MsgList)
	return resp, nil
}
