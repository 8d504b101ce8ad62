package api

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/timd/timd/internal/im"
)

type importGroupMsgReq struct {
	GroupId *string
	MsgList []struct {
		From_Account    *string
		SendTime        *int64
		Random          *int64
		MsgBody         json.RawMessage
		CloudCustomData *string
	}
	RecentContactFlag *int
	TopicId           *string
}

type importMsgResult struct {
	MsgSeq  int64
	MsgTime int64
	Result  int
}

type importGroupMsgResp struct {
	ImportMsgResult []importMsgResult
}

// importGroupMsg imports up to 7 messages of history, in time order, each
// answered with its own Result.
func (s *Server) importGroupMsg(ctx context.Context, c *Call, req *importGroupMsgReq) (*importGroupMsgResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.MsgList) == 0 || len(req.MsgList) > im.MaxGroupImport {
		return nil, invalidParam(fmt.Sprintf("MsgList must hold 1 to %d messages", im.MaxGroupImport))
	}
	if req.TopicId != nil && *req.TopicId != "" {
		return nil, invalidParam("TopicId: messages in topics are not served (docs/fidelity/topics.md)")
	}
	msgs := make([]im.ImportGroupMsg, len(req.MsgList))
	for i, r := range req.MsgList {
		m := &msgs[i]
		if r.From_Account == nil || *r.From_Account == "" || r.SendTime == nil {
			return nil, invalidParam(fmt.Sprintf("MsgList[%d] needs From_Account and SendTime", i))
		}
		m.From, m.SendTime = *r.From_Account, *r.SendTime
		if m.Random, err = msgRandom(r.Random, false); err != nil {
			return nil, err
		}
		if r.Random == nil {
			m.Random = rand.Uint32() // as a client would have drawn it
		}
		if err := maxBytes("CloudCustomData", r.CloudCustomData, im.MaxMsgBodyBytes); err != nil {
			return nil, err
		}
		deref(&m.CloudData, r.CloudCustomData)
		m.Body, err = im.ParseMsgBody(r.MsgBody, im.CodeGroupInvalid, im.CodeGroupInvalid, im.CodeGroupMsgTooLong)
		// A body over 8,000 bytes fails that message alone (Result 80002).
		if im.ErrorCode(err) == im.CodeGroupMsgTooLong {
			m.TooLong, err = true, nil
		}
		if err != nil {
			return nil, err
		}
	}
	results, err := s.gmsgs.ImportGroupMsgs(ctx, op(c), id, msgs)
	if err != nil {
		return nil, err
	}
	resp := &importGroupMsgResp{ImportMsgResult: make([]importMsgResult, len(results))}
	for i, r := range results {
		resp.ImportMsgResult[i] = importMsgResult{MsgSeq: r.Seq, MsgTime: r.Time, Result: r.Result}
	}
	return resp, nil
}

type modifyGroupMsgReq struct {
	GroupId         *string
	MsgSeq          *int64
	MsgBody         json.RawMessage
	CloudCustomData *string
	TopicId         *string
}

// modifyGroupMsg overwrites a stored group message's MsgBody and/or
// CloudCustomData. It is served under openim, whose codes answer a bad
// request (90001, 90010, MsgBody 90002/90007/93000); what concerns the
// group is answered with group codes (10015, 10010, 10007, 10030).
func (s *Server) modifyGroupMsg(ctx context.Context, c *Call, req *modifyGroupMsgReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.MsgSeq == nil || *req.MsgSeq < 1 {
		return nil, invalidParam("MsgSeq is required and must be positive")
	}
	if req.TopicId != nil && *req.TopicId != "" {
		return nil, invalidParam("TopicId: messages in topics are not served (docs/fidelity/topics.md)")
	}
	var body im.MsgBody
	if len(req.MsgBody) > 0 && string(req.MsgBody) != "null" {
		if body, err = im.ParseMsgBody(req.MsgBody, im.CodeMsgBodyInvalid, im.CodeMsgBodyNotArray, im.CodeMsgTooLong); err != nil {
			return nil, err
		}
	}
	if body == nil && req.CloudCustomData == nil {
		return nil, invalidParam("MsgBody or CloudCustomData is required")
	}
	if err := maxBytes("CloudCustomData", req.CloudCustomData, im.MaxMsgBodyBytes); err != nil {
		return nil, err
	}
	return nil, s.gmsgs.ModifyGroupMsg(ctx, op(c), id, *req.MsgSeq, body, req.CloudCustomData)
}
