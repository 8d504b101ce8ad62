package api

import (
	"context"
	"fmt"

	"github.com/timd/timd/internal/im"
)

type groupMsgGetSimpleReq struct {
	GroupId         *string
	ReqMsgNumber    *int
	ReqMsgSeq       *int64
	WithRecalledMsg *int
	TopicId         *string
}

// rspMsg is one RspMsgList entry, fields in the order of Tencent's sample.
// CloudCustomData is sent when the message has one, MsgFlagBits (8) only
// for a recalled message read with WithRecalledMsg.
type rspMsg struct {
	From_Account    string
	IsPlaceMsg      int
	MsgBody         im.MsgBody
	MsgPriority     int
	MsgRandom       uint32
	MsgSeq          int64
	MsgTimeStamp    int64
	CloudCustomData string `json:",omitempty"`
	MsgFlagBits     int    `json:",omitempty"`
}

type groupMsgGetSimpleResp struct {
	GroupId    string
	IsFinished int
	RspMsgList []rspMsg
}

// groupMsgGetSimple reads a page of a group's history, newest first: the
// latest messages, or those with MsgSeq up to ReqMsgSeq.
func (s *Server) groupMsgGetSimple(ctx context.Context, c *Call, req *groupMsgGetSimpleReq) (*groupMsgGetSimpleResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.ReqMsgNumber == nil || *req.ReqMsgNumber < 1 {
		return nil, invalidParam("ReqMsgNumber is required and must be positive")
	}
	var upTo int64 // 0, as absent: the latest
	if req.ReqMsgSeq != nil {
		if *req.ReqMsgSeq < 0 {
			return nil, invalidParam("ReqMsgSeq must not be negative")
		}
		upTo = *req.ReqMsgSeq
	}
	if req.WithRecalledMsg != nil && *req.WithRecalledMsg != 0 && *req.WithRecalledMsg != 1 {
		return nil, invalidParam("WithRecalledMsg must be 0 or 1")
	}
	if req.TopicId != nil && *req.TopicId != "" {
		return nil, invalidParam("TopicId: messages in topics are not served (docs/fidelity/topics.md)")
	}
	n := min(*req.ReqMsgNumber, im.MaxGroupMsgPage)
	msgs, more, err := s.gmsgs.GroupMsgs(ctx, c.App.SDKAppID, id, upTo, n, req.WithRecalledMsg != nil && *req.WithRecalledMsg == 1)
	if err != nil {
		return nil, err
	}
	resp := &groupMsgGetSimpleResp{GroupId: id, IsFinished: 1, RspMsgList: make([]rspMsg, len(msgs))}
	allPlace := true
	for i, m := range msgs {
		resp.RspMsgList[i] = rspMsg{From_Account: m.From, IsPlaceMsg: b2i(m.Place), MsgBody: m.Body, MsgPriority: m.Priority,
			MsgRandom: m.Random, MsgSeq: m.Seq, MsgTimeStamp: m.Time, CloudCustomData: m.CloudData, MsgFlagBits: m.FlagBits}
		allPlace = allPlace && m.Place
	}
	// More asked for than one reply holds (20), and more there are: 0,
	// or 2 when what this page holds has all expired.
	if *req.ReqMsgNumber > im.MaxGroupMsgPage && more {
		resp.IsFinished = 0
		if allPlace {
			resp.IsFinished = 2
		}
	}
	return resp, nil
}

type groupMsgRecallReq struct {
	GroupId    *string
	MsgSeqList []struct{ MsgSeq *int64 }
	Reason     *string
	TopicId    *string
}

type recallRet struct {
	MsgSeq  int64
	RetCode int
}

type groupMsgRecallResp struct {
	RecallRetList []recallRet
}

// groupMsgRecall recalls up to 10 messages, each answered with its own
// RetCode.
func (s *Server) groupMsgRecall(ctx context.Context, c *Call, req *groupMsgRecallReq) (*groupMsgRecallResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.MsgSeqList) == 0 || len(req.MsgSeqList) > im.MaxGroupRecall {
		return nil, invalidParam(fmt.Sprintf("MsgSeqList must hold 1 to %d entries", im.MaxGroupRecall))
	}
	if req.TopicId != nil && *req.TopicId != "" {
		return nil, invalidParam("TopicId: messages in topics are not served (docs/fidelity/topics.md)")
	}
	seqs := make([]int64, len(req.MsgSeqList))
	for i, it := range req.MsgSeqList {
		if it.MsgSeq == nil || *it.MsgSeq < 1 {
			return nil, invalidParam(fmt.Sprintf("MsgSeqList[%d].MsgSeq is required and must be positive", i))
		}
		seqs[i] = *it.MsgSeq
	}
	codes, err := s.gmsgs.RecallGroupMsgs(ctx, op(c), id, seqs)
	if err != nil {
		return nil, err
	}
	resp := &groupMsgRecallResp{RecallRetList: make([]recallRet, len(seqs))}
	for i, seq := range seqs {
		resp.RecallRetList[i] = recallRet{MsgSeq: seq, RetCode: codes[i]}
	}
	return resp, nil
}

type deleteGroupMsgBySenderReq struct {
	GroupId        *string
	Sender_Account *string
}

// deleteGroupMsgBySender deletes what one account sent among a group's
// latest 1000 messages.
func (s *Server) deleteGroupMsgBySender(ctx context.Context, c *Call, req *deleteGroupMsgBySenderReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.Sender_Account == nil || *req.Sender_Account == "" {
		return nil, invalidParam("Sender_Account is required")
	}
	return nil, s.gmsgs.DeleteGroupMsgsBySender(ctx, op(c), id, *req.Sender_Account)
}

type clearGroupMsgReq struct {
	GroupId *string
	MsgSeq  *int64
}

// clearGroupMsg clears a group's history up to MsgSeq, or all of it, for
// its members' clients (1047/65970): a mark; group_msg_get_simple, the
// admin's read, still returns the messages.
func (s *Server) clearGroupMsg(ctx context.Context, c *Call, req *clearGroupMsgReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	var upTo int64
	if req.MsgSeq != nil {
		if *req.MsgSeq < 1 {
			return nil, invalidField("MsgSeq", "MsgSeq must be positive")
		}
		upTo = *req.MsgSeq
	}
	return nil, s.gmsgs.ClearGroupMsgs(ctx, op(c), id, upTo)
}
