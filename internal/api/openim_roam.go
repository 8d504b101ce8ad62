package api

import (
	"context"
	"strconv"

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

type roamResp struct {
	Complete    int
	MsgCnt      int
	LastMsgTime int64
	LastMsgKey  string
	MsgList     rawJSON // written by appendRoamItem, oldest first
}

func (r *roamResp) replyObject() object {
	return object{{"Complete", r.Complete}, {"MsgCnt", r.MsgCnt}, {"LastMsgTime", r.LastMsgTime},
		{"LastMsgKey", r.LastMsgKey}, {"MsgList", r.MsgList}}
}

// appendRoamItem appends one message of MsgList, keys in the order of
// Tencent's sample, bytes as encoding/json would write them: written by
// hand because a page of 20 through json.Marshal, which validates and
// re-escapes every MsgBody, profiled as a third of the request.
func appendRoamItem(b []byte, m im.RoamMsg) []byte {
	b = append(b, `{"From_Account":`...)
	b = appendJSONString(b, m.From)
	b = append(b, `,"To_Account":`...)
	b = appendJSONString(b, m.To)
	b = append(b, `,"MsgSeq":`...)
	b = strconv.AppendUint(b, uint64(m.Seq), 10)
	b = append(b, `,"MsgRandom":`...)
	b = strconv.AppendUint(b, uint64(m.Random), 10)
	b = append(b, `,"MsgTimeStamp":`...)
	b = strconv.AppendInt(b, m.Time, 10)
	b = append(b, `,"MsgFlagBits":`...)
	b = strconv.AppendInt(b, int64(m.FlagBits), 10)
	b = append(b, `,"IsPeerRead":`...)
	b = strconv.AppendInt(b, int64(b2i(m.PeerRead)), 10)
	b = append(b, `,"MsgKey":"`...) // digits and '_': nothing to escape
	b = append(im.AppendMsgKey(b, m.Seq, m.Random, m.Time), '"')
	b = append(b, `,"MsgBody":`...)
	b = appendStoredJSON(b, m.Body, "[]")
	b = append(b, `,"CloudCustomData":`...)
	b = appendJSONString(b, m.CloudData)
	return append(b, '}')
}

// roamItemBytes is room enough for a usual message of MsgList: a page's
// buffer is made for that many per message at once.
const roamItemBytes = 320

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

// adminGetRoamMsg answers one page of a conversation's history, from the
// memo while nothing has changed it (openim_roam_memo.go).
func (s *Server) adminGetRoamMsg(ctx context.Context, c *Call, req *roamReq) (*roamResp, error) {
	q, err := roamQuery(req)
	if err != nil {
		return nil, err
	}
	key := roamMemoKey{c.App.SDKAppID, q}
	gen, memo := s.groups.CacheGeneration()
	if memo {
		if resp, ok := lookupRoam(s.roamMemo, key, gen, s.appNow(c.App).UnixMilli()); ok {
			return resp, nil
		}
	}
	page, err := s.c2c.RoamC2C(ctx, c.App.SDKAppID, q)
	if err != nil {
		return nil, err
	}
	resp := roamReply(q, page.Msgs)
	if memo {
		s.roamMemo.put(key, gen, roamMemoValue{resp, page.At, page.Until}, len(resp.MsgList)+roamEnvelopeBytes)
	}
	return resp, nil
}

// roamReply writes a page's reply from the messages RoamC2C read.
func roamReply(q im.RoamQuery, msgs []im.RoamMsg) *roamResp {
	resp := &roamResp{Complete: 1}
	// Items are appended newest first into scratch and copied out in
	// reverse, oldest first, as Tencent lists them.
	scratch := make([]byte, 0, roamItemBytes*len(msgs))
	ends := make([]int, 0, len(msgs))
	size := roamEnvelopeBytes
	for i, m := range msgs {
		if i == q.MaxCnt {
			resp.Complete = 0
			break
		}
		start := len(scratch)
		scratch = appendRoamItem(scratch, m)
		// A message too big for any page still gets one of its own.
		if size += len(scratch) - start + 1; size > im.MaxRoamReplyBytes && i > 0 {
			scratch = scratch[:start]
			resp.Complete = 0
			break
		}
		ends = append(ends, len(scratch))
		resp.LastMsgTime, resp.LastMsgKey = m.Time, im.MsgKey(m.Seq, m.Random, m.Time)
	}
	list := make([]byte, 0, len(scratch)+len(ends)+2)
	list = append(list, '[')
	for i := len(ends) - 1; i >= 0; i-- {
		start := 0
		if i > 0 {
			start = ends[i-1]
		}
		if i < len(ends)-1 {
			list = append(list, ',')
		}
		list = append(list, scratch[start:ends[i]]...)
	}
	resp.MsgList, resp.MsgCnt = append(list, ']'), len(ends)
	return resp
}
