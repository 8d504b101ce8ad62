package im

import (
	"context"
	"time"
)

// Message extensions (docs/fidelity/msgext.md): key-value pairs set on a
// one-to-one or group message that was sent with SupportMessageExtension 1
// (openim_msg_ext_http_svc: get_key_values, set_key_values,
// group_get_key_values, group_set_key_values; 1047/51194, 51195, 52169,
// 52170). Each message keeps a version, Seq: every set, delete or clear
// moves it on by one, and the pairs it writes carry it.

// Limits of message extensions.
const (
	MaxExtKeysPerMsg = 300  // pairs a message may hold
	MaxExtPerRequest = 20   // ExtensionList of one set or delete
	MaxExtPerPull    = 200  // pairs one get answers
	MaxExtKeyBytes   = 100  // bytes of a Key
	MaxExtValueBytes = 1000 // bytes of a Value
)

// The operations of set_key_values (OperateType).
const (
	ExtSet    = 1
	ExtDelete = 2
	ExtClear  = 3
)

// MsgExt is one pair, as ExtensionList spells it. A deleted pair keeps its
// key with Value "" and the Seq of the delete, so that a pull from an
// earlier Seq learns of it.
type MsgExt struct {
	Key   string
	Value string
	Seq   int64
}

// MsgExtPage is what a get answers: the pairs with Seq at least the asked
// StartSeq, in Seq order (then key), at most MaxExtPerPull.
type MsgExtPage struct {
	Complete bool // every pair from StartSeq is in Exts
	Latest   int64
	Cleared  int64 // the Seq of the last clear, 0 if none
	Exts     []MsgExt
}

// MsgExtRef names the message a command is about: a one-to-one message by
// its two accounts and MsgKey (From "" to find it by To and MsgKey alone),
// or a group message by GroupId and MsgSeq.
type MsgExtRef struct {
	From, To, MsgKey string
	GroupID          string
	MsgSeq           int64
}

// Group reports whether r names a group message.
func (r MsgExtRef) Group() bool { return r.GroupID != "" }

// MsgExtService keeps message extensions.
type MsgExtService interface {
	// MsgExts reads a page of a message's pairs from startSeq. Codes as
	// SetMsgExts.
	MsgExts(ctx context.Context, app uint64, ref MsgExtRef, startSeq int64) (MsgExtPage, error)
	// SetMsgExts sets, deletes (op ExtSet, ExtDelete) or clears the pairs
	// of a message and records the extension callback. It answers the
	// pairs as written, and the message's new Seq. 90008/90003 unknown
	// accounts, 90054 a malformed MsgKey, 20022 no such message; 10010,
	// 10007 (an AVChatRoom or a Community), 10030 no such group message;
	// 90010 for a message sent without SupportMessageExtension and for
	// more than MaxExtKeysPerMsg pairs.
	SetMsgExts(ctx context.Context, op Op, ref MsgExtRef, operation int, exts []MsgExt) ([]MsgExt, int64, error)
}

// C2CMsgExtBody is C2C.CallbackAfterC2CMsgExtension (1047/76006).
type C2CMsgExtBody struct {
	Command     string   `json:"CallbackCommand,omitempty"`
	From        string   `json:"From_Account"`
	To          string   `json:"To_Account"`
	MsgKey      string   `json:"MsgKey"`
	OperateType int      `json:"OperateType"`
	Exts        []MsgExt `json:"ExtensionList"`
	Seq         int64    `json:"Seq"`
	EventTime   *int64   `json:"EventTime,omitempty"`
}

// CallbackCommand is C2C.CallbackAfterC2CMsgExtension.
func (C2CMsgExtBody) CallbackCommand() string { return CallbackC2CMsgExtension }

// EventKey is the message's sender, as for its C2C.CallbackAfterSendMsg,
// so that a change is reported after the send.
func (b C2CMsgExtBody) EventKey() string { return b.From }
func (b C2CMsgExtBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// GroupMsgExtBody is Group.CallbackAfterGroupMsgExtension (1047/76007).
type GroupMsgExtBody struct {
	Command     string   `json:"CallbackCommand,omitempty"`
	GroupID     string   `json:"GroupId"`
	MsgSeq      int64    `json:"MsgSeq"`
	OperateType int      `json:"OperateType"`
	Exts        []MsgExt `json:"ExtensionList"`
	Seq         int64    `json:"Seq"`
	EventTime   *int64   `json:"EventTime,omitempty"`
}

// CallbackCommand is Group.CallbackAfterGroupMsgExtension.
func (GroupMsgExtBody) CallbackCommand() string { return CallbackGroupMsgExtension }

// EventKey is the GroupId, as for the group's other events.
func (b GroupMsgExtBody) EventKey() string { return b.GroupID }
func (b GroupMsgExtBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
