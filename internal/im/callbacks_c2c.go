package im

import "time"

// One-to-one message callbacks. Unlike the older bodies in callbacks.go,
// whose keys are sorted, these keep the order of Tencent's samples
// (1047/34364, 34365, 43466), with EventTime, which the samples do not
// show, last.

// C2CBeforeSendMsgBody is C2C.CallbackBeforeSendMsg, sent before a sendmsg
// message is stored.
type C2CBeforeSendMsgBody struct {
	Command        string  `json:"CallbackCommand,omitempty"`
	From           string  `json:"From_Account"`
	To             string  `json:"To_Account"`
	MsgSeq         uint32  `json:"MsgSeq"`
	MsgRandom      uint32  `json:"MsgRandom"`
	MsgTime        int64   `json:"MsgTime"`
	MsgKey         string  `json:"MsgKey"`
	OnlineOnlyFlag int     `json:"OnlineOnlyFlag"`
	MsgBody        MsgBody `json:"MsgBody"`
	CloudData      string  `json:"CloudCustomData"`
	EventTime      *int64  `json:"EventTime,omitempty"`
}

// CallbackCommand is C2C.CallbackBeforeSendMsg.
func (C2CBeforeSendMsgBody) CallbackCommand() string { return CallbackC2CBeforeSendMsg }
func (b C2CBeforeSendMsgBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// C2CAfterSendMsgBody is C2C.CallbackAfterSendMsg, recorded with a sendmsg
// message. SendMsgResult is 0 and ErrorInfo "send msg succeed": timd
// records it only for a message that was sent. UnreadMsgNum is To's unread
// count over all its one-to-one conversations, this message included.
type C2CAfterSendMsgBody struct {
	Command        string  `json:"CallbackCommand,omitempty"`
	From           string  `json:"From_Account"`
	To             string  `json:"To_Account"`
	MsgSeq         uint32  `json:"MsgSeq"`
	MsgRandom      uint32  `json:"MsgRandom"`
	MsgTime        int64   `json:"MsgTime"`
	MsgKey         string  `json:"MsgKey"`
	OnlineOnlyFlag int     `json:"OnlineOnlyFlag"`
	SendMsgResult  int     `json:"SendMsgResult"`
	ErrorInfo      string  `json:"ErrorInfo"`
	UnreadMsgNum   int     `json:"UnreadMsgNum"`
	MsgBody        MsgBody `json:"MsgBody"`
	CloudData      string  `json:"CloudCustomData"`
	EventTime      *int64  `json:"EventTime,omitempty"`
}

// SendMsgSucceed is C2C.CallbackAfterSendMsg's ErrorInfo for a message
// that was sent.
const SendMsgSucceed = "send msg succeed"

// CallbackCommand is C2C.CallbackAfterSendMsg.
func (C2CAfterSendMsgBody) CallbackCommand() string { return CallbackC2CAfterSendMsg }

// EventKey is the sender: one sender's messages are reported in order.
func (b C2CAfterSendMsgBody) EventKey() string { return b.From }
func (b C2CAfterSendMsgBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// C2CAfterMsgWithDrawBody is C2C.CallbackAfterMsgWithDraw, recorded with an
// admin_msgwithdraw. UnreadMsgNum is To's unread count over all its
// one-to-one conversations once the message is recalled.
type C2CAfterMsgWithDrawBody struct {
	Command      string `json:"CallbackCommand,omitempty"`
	From         string `json:"From_Account"`
	To           string `json:"To_Account"`
	MsgKey       string `json:"MsgKey"`
	UnreadMsgNum int    `json:"UnreadMsgNum"`
	EventTime    *int64 `json:"EventTime,omitempty"`
}

// CallbackCommand is C2C.CallbackAfterMsgWithDraw.
func (C2CAfterMsgWithDrawBody) CallbackCommand() string { return CallbackC2CAfterMsgWithDraw }

// EventKey is the sender, as for the message's C2C.CallbackAfterSendMsg,
// so that a recall is reported after the send.
func (b C2CAfterMsgWithDrawBody) EventKey() string { return b.From }
func (b C2CAfterMsgWithDrawBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
