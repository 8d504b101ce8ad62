package api

import (
	"context"
	"encoding/json"

	"github.com/timd/timd/internal/im"
)

// batchsendmsg and importmsg: messages that send no callbacks.

// batchSendMsgReq is batchsendmsg's request (spelled out as sendMsgReq is).
type batchSendMsgReq struct {
	SyncOtherMachine        *int
	From_Account            *string
	To_Account              []string
	MsgLifeTime             *int64
	MsgSeq                  *int64
	MsgRandom               *int64
	MsgBody                 json.RawMessage
	CloudCustomData         *string
	SendMsgControl          []string
	OfflinePushInfo         json.RawMessage
	IsNeedReadReceipt       *int
	SupportMessageExtension *int
	OnlineOnlyFlag          *int
}

func (r *batchSendMsgReq) fields() *msgFields {
	return &msgFields{r.SyncOtherMachine, r.From_Account, r.MsgLifeTime, r.MsgSeq, r.MsgRandom, r.MsgBody,
		r.CloudCustomData, r.SendMsgControl, r.OfflinePushInfo, r.IsNeedReadReceipt, r.SupportMessageExtension}
}

// batchErr is one recipient of batchsendmsg's ErrorList.
type batchErr struct {
	To_Account string
	ErrorCode  int
}

// batchSendMsgResp is batchsendmsg's reply: one MsgKey for the batch and the
// recipients it was not sent to, the list left out when there are none.
type batchSendMsgResp struct {
	MsgKey    string
	ErrorList []batchErr `json:",omitempty"`
}

// batchSendMsg sends one message to up to 500 accounts. Recipients that are
// not imported are listed with 70107; when none is imported the call fails
// with 90012.
func (s *Server) batchSendMsg(ctx context.Context, c *Call, req *batchSendMsgReq) (*batchSendMsgResp, error) {
	m, err := req.fields().message(c)
	if err != nil {
		return nil, err
	}
	switch {
	case len(req.To_Account) == 0:
		return nil, invalidField("To_Account", "To_Account must list at least one account")
	case len(req.To_Account) > im.MaxBatchTargets:
		return nil, im.Errorf(im.CodeMsgTooManyTargets, "To_Account lists more than %d accounts", im.MaxBatchTargets)
	}
	if err := zeroOrOne("OnlineOnlyFlag", req.OnlineOnlyFlag); err != nil {
		return nil, err
	}
	if req.OnlineOnlyFlag != nil && *req.OnlineOnlyFlag == 1 {
		m.LifeTime = 0
	}
	sent, missing, err := s.c2c.SendC2CBatch(ctx, op(c), m, req.To_Account)
	if err != nil {
		return nil, err
	}
	resp := &batchSendMsgResp{MsgKey: sent.Key}
	for _, id := range missing {
		resp.ErrorList = append(resp.ErrorList, batchErr{To_Account: id, ErrorCode: im.CodeAccountNotFound})
	}
	return resp, nil
}

type importMsgReq struct {
	SyncFromOldSystem *int
	From_Account      *string
	To_Account        *string
	MsgSeq            *int64
	MsgRandom         *int64
	MsgTimeStamp      *int64
	MsgBody           json.RawMessage
	CloudCustomData   *string
}

// importMsg imports one message of a one-to-one history. SyncFromOldSystem
// 2 imports history (not unread), 5 a real-time message (unread); 1 is
// what older pages called 5.
func (s *Server) importMsg(ctx context.Context, c *Call, req *importMsgReq) (*struct{}, error) {
	var m im.C2CImport
	if req.SyncFromOldSystem == nil {
		return nil, invalidField("SyncFromOldSystem", "SyncFromOldSystem is required")
	}
	switch *req.SyncFromOldSystem {
	case 2:
	case 1, 5:
		m.Unread = true
	default:
		return nil, invalidField("SyncFromOldSystem", "SyncFromOldSystem must be 2 or 5")
	}
	if req.From_Account == nil {
		return nil, invalidField("From_Account", "From_Account is required")
	}
	if req.To_Account == nil {
		return nil, invalidField("To_Account", "To_Account is required")
	}
	m.From, m.To = *req.From_Account, *req.To_Account
	m.Seq = rand32()
	if req.MsgSeq != nil {
		if !uint32Range(*req.MsgSeq) {
			return nil, invalidField("MsgSeq", "MsgSeq must be a 32-bit unsigned integer")
		}
		m.Seq = uint32(*req.MsgSeq)
	}
	if req.MsgRandom == nil || !uint32Range(*req.MsgRandom) {
		return nil, invalidField("MsgRandom", "MsgRandom must be a 32-bit unsigned integer")
	}
	m.Random = uint32(*req.MsgRandom)
	if req.MsgTimeStamp == nil || *req.MsgTimeStamp < 0 {
		return nil, invalidField("MsgTimeStamp", "MsgTimeStamp must be a unix time in seconds")
	}
	m.Time = *req.MsgTimeStamp
	var err error
	if m.Body, m.CloudData, err = msgContent(req.MsgBody, req.CloudCustomData); err != nil {
		return nil, err
	}
	return nil, s.c2c.ImportC2C(ctx, c.App.SDKAppID, m)
}
