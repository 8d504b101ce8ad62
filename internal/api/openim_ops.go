package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/timd/timd/internal/im"
)

// openim commands on messages already sent: admin_msgwithdraw,
// modify_c2c_msg, admin_set_msg_read and get_c2c_unread_msg_num.

// msgRef names a message: its sender, recipient and MsgKey.
type msgRef struct {
	From_Account *string
	To_Account   *string
	MsgKey       *string
}

// check returns the three fields: 90008 From_Account, 90003 To_Account,
// 90054 MsgKey when missing, 90054 for a MsgKey timd cannot have made.
func (r *msgRef) check() (from, to, key string, err error) {
	switch {
	case r.From_Account == nil:
		return "", "", "", invalidField("From_Account", "From_Account is required")
	case r.To_Account == nil:
		return "", "", "", invalidField("To_Account", "To_Account is required")
	case r.MsgKey == nil:
		return "", "", "", invalidField("MsgKey", "MsgKey is required")
	}
	if _, _, _, ok := im.ParseMsgKey(*r.MsgKey); !ok {
		return "", "", "", im.Errorf(im.CodeMsgKeyInvalid, "MsgKey %q is invalid", *r.MsgKey)
	}
	return *r.From_Account, *r.To_Account, *r.MsgKey, nil
}

// adminMsgWithdraw recalls a one-to-one message.
func (s *Server) adminMsgWithdraw(ctx context.Context, c *Call, req *msgRef) (*struct{}, error) {
	from, to, key, err := req.check()
	if err != nil {
		return nil, err
	}
	return nil, s.c2c.WithdrawC2C(ctx, op(c), from, to, key)
}

type deleteC2CMsgRambleReq struct {
	Operator_Account *string
	Peer_Account     *string
	MsgKeyList       []string
}

// deleteC2CMsgRambleResp leaves InvalidMsgKeyList out when every key named
// a message, as the page's sample reply has no such field.
type deleteC2CMsgRambleResp struct {
	InvalidMsgKeyList []string `json:",omitempty"`
}

// deleteC2CMsgRamble deletes up to 30 messages from Operator_Account's
// history of its conversation with Peer_Account, one way (269/101439).
func (s *Server) deleteC2CMsgRamble(ctx context.Context, c *Call, req *deleteC2CMsgRambleReq) (*deleteC2CMsgRambleResp, error) {
	switch {
	case req.Operator_Account == nil:
		return nil, invalidField("Operator_Account", "Operator_Account is required")
	case req.Peer_Account == nil:
		return nil, invalidField("Peer_Account", "Peer_Account is required")
	case len(req.MsgKeyList) == 0 || len(req.MsgKeyList) > im.MaxRambleDeleteKeys:
		return nil, invalidField("MsgKeyList", fmt.Sprintf("MsgKeyList must hold 1 to %d message keys", im.MaxRambleDeleteKeys))
	}
	invalid, err := s.c2c.DeleteC2COneWay(ctx, c.App.SDKAppID, *req.Operator_Account, *req.Peer_Account, req.MsgKeyList)
	if err != nil {
		return nil, err
	}
	return &deleteC2CMsgRambleResp{InvalidMsgKeyList: invalid}, nil
}

type c2cMsgReadReceiptReq struct {
	Operator_Account *string
	Peer_Account     *string
	C2CMsgInfo       []struct {
		From_Account *string
		To_Account   *string
		MsgKey       *string
	}
}

// c2cMsgReadReceipt sends Operator_Account's read receipts for messages
// Peer_Account sent it (1047/77776): each C2CMsgInfo entry names one, from
// Peer_Account to Operator_Account.
func (s *Server) c2cMsgReadReceipt(ctx context.Context, c *Call, req *c2cMsgReadReceiptReq) (*struct{}, error) {
	switch {
	case req.Operator_Account == nil:
		return nil, invalidField("Operator_Account", "Operator_Account is required")
	case req.Peer_Account == nil:
		return nil, invalidField("Peer_Account", "Peer_Account is required")
	case len(req.C2CMsgInfo) == 0 || len(req.C2CMsgInfo) > im.MaxReadReceipts:
		return nil, invalidParam(fmt.Sprintf("C2CMsgInfo must hold 1 to %d messages", im.MaxReadReceipts))
	}
	reader, sender := *req.Operator_Account, *req.Peer_Account
	keys := make([]string, len(req.C2CMsgInfo))
	for i, m := range req.C2CMsgInfo {
		switch {
		case m.From_Account == nil || *m.From_Account != sender:
			return nil, invalidParam(fmt.Sprintf("C2CMsgInfo[%d].From_Account must be Peer_Account", i))
		case m.To_Account == nil || *m.To_Account != reader:
			return nil, invalidParam(fmt.Sprintf("C2CMsgInfo[%d].To_Account must be Operator_Account", i))
		case m.MsgKey == nil:
			return nil, invalidField("MsgKey", fmt.Sprintf("C2CMsgInfo[%d].MsgKey is required", i))
		}
		keys[i] = *m.MsgKey
	}
	return nil, s.c2c.C2CReadReceipt(ctx, c.App.SDKAppID, reader, sender, keys)
}

// modifyC2CMsgReq is modify_c2c_msg's request (msgRef's fields spelled
// out, as sendMsgReq's are).
type modifyC2CMsgReq struct {
	From_Account    *string
	To_Account      *string
	MsgKey          *string
	MsgBody         json.RawMessage
	CloudCustomData *string
}

// modifyC2CMsg overwrites a message's MsgBody and/or CloudCustomData.
func (s *Server) modifyC2CMsg(ctx context.Context, c *Call, req *modifyC2CMsgReq) (*struct{}, error) {
	ref := msgRef{req.From_Account, req.To_Account, req.MsgKey}
	from, to, key, err := ref.check()
	if err != nil {
		return nil, err
	}
	var body im.MsgBody
	if raw := bytes.TrimSpace(req.MsgBody); len(raw) > 0 && string(raw) != "null" {
		if body, err = im.ParseMsgBody(raw, im.CodeMsgBodyInvalid, im.CodeMsgBodyNotArray, im.CodeMsgTooLong); err != nil {
			return nil, err
		}
	} else if req.CloudCustomData == nil {
		return nil, invalidParam("MsgBody or CloudCustomData is required")
	}
	if _, err := cloudData(req.CloudCustomData); err != nil {
		return nil, err
	}
	return nil, s.c2c.ModifyC2C(ctx, c.App.SDKAppID, from, to, key, body, req.CloudCustomData)
}

type setMsgReadReq struct {
	Report_Account *string
	Peer_Account   *string
	// MsgReadTime is a unix time in seconds, a number or (as the page's
	// table types it) a string of digits.
	MsgReadTime json.RawMessage
}

// adminSetMsgRead marks Report_Account's conversation with Peer_Account
// read up to MsgReadTime, or now.
func (s *Server) adminSetMsgRead(ctx context.Context, c *Call, req *setMsgReadReq) (*struct{}, error) {
	switch {
	case req.Report_Account == nil:
		return nil, invalidField("Report_Account", "Report_Account is required")
	case req.Peer_Account == nil:
		return nil, invalidField("Peer_Account", "Peer_Account is required")
	}
	at, err := readTime(req.MsgReadTime)
	if err != nil {
		return nil, err
	}
	return nil, s.c2c.SetC2CRead(ctx, c.App.SDKAppID, *req.Report_Account, *req.Peer_Account, at)
}

// readTime reads MsgReadTime: 0 when absent (now).
func readTime(raw json.RawMessage) (int64, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, invalidParam("MsgReadTime must be a unix time in seconds")
		}
	}
	at, err := strconv.ParseInt(text, 10, 64)
	if err != nil || at < 0 {
		return 0, invalidParam("MsgReadTime must be a unix time in seconds")
	}
	return at, nil
}

type unreadReq struct {
	To_Account   *string
	Peer_Account []string
}

// unreadItem and unreadErr are the per-peer lists of
// get_c2c_unread_msg_num.
type unreadItem struct {
	Peer_Account    string
	C2CUnreadMsgNum int
}

type unreadErr struct {
	Peer_Account string
	ErrorCode    int
}

// unreadResp carries AllC2CUnreadMsgNum when no peer is named, else
// C2CUnreadMsgNumList (even empty) and ErrorList (when not empty), as
// Tencent's two samples do.
type unreadResp struct {
	AllC2CUnreadMsgNum  *int         `json:",omitempty"`
	C2CUnreadMsgNumList []unreadItem `json:",omitzero"`
	ErrorList           []unreadErr  `json:",omitempty"`
}

// getC2CUnreadMsgNum reads an account's unread one-to-one counts.
func (s *Server) getC2CUnreadMsgNum(ctx context.Context, c *Call, req *unreadReq) (*unreadResp, error) {
	if req.To_Account == nil {
		return nil, invalidField("To_Account", "To_Account is required")
	}
	if len(req.Peer_Account) > im.MaxUnreadPeers {
		return nil, invalidParam("Peer_Account lists more than 10 accounts")
	}
	total, per, err := s.c2c.C2CUnread(ctx, c.App.SDKAppID, *req.To_Account, req.Peer_Account)
	if err != nil {
		return nil, err
	}
	if len(req.Peer_Account) == 0 {
		return &unreadResp{AllC2CUnreadMsgNum: &total}, nil
	}
	resp := &unreadResp{C2CUnreadMsgNumList: []unreadItem{}}
	for i, p := range req.Peer_Account {
		if per[i] < 0 {
			resp.ErrorList = append(resp.ErrorList, unreadErr{Peer_Account: p, ErrorCode: im.CodeAccountNotFound})
			continue
		}
		resp.C2CUnreadMsgNumList = append(resp.C2CUnreadMsgNumList, unreadItem{Peer_Account: p, C2CUnreadMsgNum: per[i]})
	}
	return resp, nil
}
