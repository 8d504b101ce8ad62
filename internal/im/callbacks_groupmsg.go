package im

import "time"

// Group message callbacks. Their keys are in the order of Tencent's samples
// (1047/34374, 1047/34375, 269/73141), EventTime last.

// BeforeSendGroupMsgBody is Group.CallbackBeforeSendMsg. Operator_Account
// is the admin who called send_group_msg; From_Account the sender (the
// admin too without From_Account). CloudCustomData, on Tencent's newer
// pages, is sent when the message has one.
type BeforeSendGroupMsgBody struct {
	Command    string  `json:"CallbackCommand,omitempty"`
	GroupID    string  `json:"GroupId"`
	Type       string  `json:"Type"`
	From       string  `json:"From_Account"`
	Operator   string  `json:"Operator_Account"`
	Random     uint32  `json:"Random"`
	OnlineOnly int     `json:"OnlineOnlyFlag"`
	MsgBody    MsgBody `json:"MsgBody"`
	CloudData  string  `json:"CloudCustomData,omitempty"`
	EventTime  *int64  `json:"EventTime,omitempty"`
}

func (BeforeSendGroupMsgBody) CallbackCommand() string { return CallbackGroupBeforeSendMsg }
func (b BeforeSendGroupMsgBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterSendGroupMsgBody is Group.CallbackAfterSendMsg, with the message as
// stored (a before-send callback's rewrite included).
type AfterSendGroupMsgBody struct {
	Command    string  `json:"CallbackCommand,omitempty"`
	GroupID    string  `json:"GroupId"`
	Type       string  `json:"Type"`
	From       string  `json:"From_Account"`
	Operator   string  `json:"Operator_Account"`
	Random     uint32  `json:"Random"`
	MsgSeq     int64   `json:"MsgSeq"`
	MsgTime    int64   `json:"MsgTime"`
	OnlineOnly int     `json:"OnlineOnlyFlag"`
	MsgBody    MsgBody `json:"MsgBody"`
	CloudData  string  `json:"CloudCustomData,omitempty"`
	EventTime  *int64  `json:"EventTime,omitempty"`
}

func (AfterSendGroupMsgBody) CallbackCommand() string { return CallbackGroupAfterSendMsg }
func (b AfterSendGroupMsgBody) EventKey() string      { return b.GroupID }
func (b AfterSendGroupMsgBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// RecalledSeq is one entry of Group.CallbackAfterRecallMsg's MsgSeqList.
// Tencent's current sample adds MsgId, the client's id of the message; a
// message sent by REST has none, so timd sends the older copy's shape.
type RecalledSeq struct {
	MsgSeq int64 `json:"MsgSeq"`
}

// AfterRecallGroupMsgBody is Group.CallbackAfterRecallMsg: the messages
// group_msg_recall recalled, in the order asked.
type AfterRecallGroupMsgBody struct {
	Command    string        `json:"CallbackCommand,omitempty"`
	Operator   string        `json:"Operator_Account"`
	Type       string        `json:"Type"`
	GroupID    string        `json:"GroupId"`
	MsgSeqList []RecalledSeq `json:"MsgSeqList"`
	EventTime  *int64        `json:"EventTime,omitempty"`
}

func (AfterRecallGroupMsgBody) CallbackCommand() string { return CallbackGroupAfterRecallMsg }
func (b AfterRecallGroupMsgBody) EventKey() string      { return b.GroupID }
func (b AfterRecallGroupMsgBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
