package im

import "context"

// Group messages (group_open_http_svc send_group_msg, group_msg_get_simple,
// group_msg_recall, import_group_msg, delete_group_msg_by_sender,
// send_group_system_notification; openim modify_group_msg).
// docs/fidelity/group-messages.md gives each rule with its source.

// Limits of group messages.
const (
	MaxGroupMsgTargets   = 50   // send_group_msg To_Account (targeted message)
	MaxGroupMsgPage      = 20   // group_msg_get_simple returns at most this many
	MaxGroupRecall       = 10   // group_msg_recall MsgSeqList
	MaxGroupImport       = 7    // import_group_msg MsgList
	MaxGroupNotifyTo     = 500  // send_group_system_notification ToMembers_Account
	GroupMsgDedupSeconds = 300  // a Random repeated within it is a duplicate
	DeleteBySenderWindow = 1000 // delete_group_msg_by_sender looks at the latest so many
	// GroupMsgLifeTime is how long a group message is kept: Tencent's
	// default roaming of seven days.
	GroupMsgLifeTime = MaxMsgLifeTime
)

// MsgPriority values as stored and read back by group_msg_get_simple.
const (
	PriorityHigh   = 1
	PriorityNormal = 2
	PriorityLow    = 3
	PriorityLowest = 4
)

// GroupMsg is one stored group message as group_msg_get_simple reads it. A
// place holder (Place) stands for a seq whose message expired, was deleted
// or was never stored: only Seq, and for a deleted one From, Random and
// Time, are known.
type GroupMsg struct {
	Seq       int64
	From      string
	Random    uint32
	Time      int64 // unix s
	Priority  int
	Body      MsgBody
	CloudData string
	FlagBits  int
	Place     bool
}

// NewGroupMsg is a send_group_msg, validated by the caller.
type NewGroupMsg struct {
	From string // the sender: From_Account, or the admin who called
	// AsMember: From was given, so it must be a member of the group (and
	// may be muted); the admin sending in its own name need not be.
	AsMember   bool
	Random     uint32
	Priority   int
	Body       MsgBody
	CloudData  string
	PushInfo   string // OfflinePushInfo, compact JSON; "" if none
	OnlineOnly bool   // OnlineOnlyFlag 1: delivered, not stored, no seq
	Ext        bool   // SupportMessageExtension 1: a stored message takes extensions (msgext.go)
	// After: record Group.CallbackAfterSendMsg (not forbidden by
	// ForbidAfterSendMsgCallback).
	After bool
}

// SentGroupMsg is send_group_msg's answer. Dup: the Random repeated one of
// the last GroupMsgDedupSeconds, whose Seq and Time these are.
type SentGroupMsg struct {
	Seq  int64
	Time int64
	Dup  bool
}

// GroupSender is what send_group_msg's checks found before the message is
// stored: the group's type (for Group.CallbackBeforeSendMsg) and, for a
// repeated Random, the earlier message.
type GroupSender struct {
	GroupType string
	Dup       *SentGroupMsg
}

// ImportGroupMsg is one message of import_group_msg. TooLong marks a body
// over MaxMsgBodyBytes, answered per message.
type ImportGroupMsg struct {
	From      string
	SendTime  int64
	Random    uint32
	Body      MsgBody
	CloudData string // CloudCustomData, on Tencent's newer pages
	TooLong   bool
}

// ImportResult is one ImportMsgResult entry.
type ImportResult struct {
	Seq    int64
	Time   int64
	Result int
}

// GroupMsgService stores group messages.
type GroupMsgService interface {
	// CheckGroupSender runs send_group_msg's checks without storing
	// anything, for the before-send callback: 10010, 10019, 10007, 10017.
	CheckGroupSender(ctx context.Context, app uint64, groupID string, m NewGroupMsg) (GroupSender, error)

	// SendGroupMsg stores a message with the group's next MsgSeq and
	// records Group.CallbackAfterSendMsg; a repeated Random answers the
	// first message. Codes as CheckGroupSender.
	SendGroupMsg(ctx context.Context, op Op, groupID string, m NewGroupMsg) (SentGroupMsg, error)

	// CheckGroupNotify checks a send_group_system_notification: 10010,
	// 10007 (members named in an AVChatRoom).
	CheckGroupNotify(ctx context.Context, app uint64, groupID string, to []string) error

	// GroupMsgs reads up to n messages with seq at most upTo (0: the
	// latest), newest first, seqs without a message as place holders;
	// recalled messages only withRecalled. more: the range goes on below.
	// 10010, 10007 (AVChatRoom).
	GroupMsgs(ctx context.Context, app uint64, groupID string, upTo int64, n int, withRecalled bool) (msgs []GroupMsg, more bool, err error)

	// RecallGroupMsgs recalls messages by seq and answers a RetCode per
	// seq (0, 10030, 10033), recording Group.CallbackAfterRecallMsg.
	RecallGroupMsgs(ctx context.Context, op Op, groupID string, seqs []int64) ([]int, error)

	// ImportGroupMsgs stores history: a Result per message (0, 10004 for
	// a SendTime out of order, 80002). 10010, 10007, 10019.
	ImportGroupMsgs(ctx context.Context, op Op, groupID string, msgs []ImportGroupMsg) ([]ImportResult, error)

	// ModifyGroupMsg overwrites a message's body and/or CloudCustomData
	// (nil: kept). 10010, 10007, 10030.
	ModifyGroupMsg(ctx context.Context, op Op, groupID string, seq int64, body MsgBody, cloudData *string) error

	// ClearGroupMsgs marks the group's messages up to upTo (0: all)
	// cleared for its members' clients; the admin still reads them. 10010,
	// 10007 (Community).
	ClearGroupMsgs(ctx context.Context, op Op, groupID string, upTo int64) error

	// DeleteGroupMsgsBySender deletes sender's messages among the group's
	// latest DeleteBySenderWindow. 10010.
	DeleteGroupMsgsBySender(ctx context.Context, op Op, groupID, sender string) error
}
