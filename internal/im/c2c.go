package im

import "context"

// One-to-one messages (openim): what the REST layer hands the store and
// what it gets back. docs/fidelity/openim.md gives each rule its source.

// More one-to-one codes, beyond message.go's.
const (
	// CodeMsgFromNotFound is sendmsg's answer for a From_Account that is not
	// imported ("Identifier invalid or not imported").
	CodeMsgFromNotFound = 20003
	// CodeMsgAccountMissing is batchsendmsg's answer for a From_Account
	// that is not imported ("requested account does not exist").
	CodeMsgAccountMissing = 90048
)

// One-to-one limits.
const (
	// MaxCloudCustomDataBytes bounds CloudCustomData, which Tencent counts
	// with the message (93000 past it).
	MaxCloudCustomDataBytes = MaxMsgBodyBytes
	// MaxRoamCnt is the most messages one admin_getroammsg page returns,
	// whatever MaxCnt asks (Tencent's sample asks for 100).
	MaxRoamCnt = 100
	// MaxRoamReplyBytes is the reply size an admin_getroammsg page stays
	// within (Tencent: 13 KB); a page cut by it answers Complete 0.
	MaxRoamReplyBytes = 13 * 1024
	// MaxUnreadPeers bounds get_c2c_unread_msg_num's Peer_Account.
	MaxUnreadPeers = 10
	// DedupWindowMs is how long a one-to-one message's de-duplication key
	// (sender, MsgSeq, MsgRandom, content CRC) holds: 120 s.
	DedupWindowMs = 120_000
	// ImportLifeTime is how long an imported message is kept: seven days
	// from the import, Tencent's default roaming.
	ImportLifeTime = MaxMsgLifeTime
)

// C2CMsg is one one-to-one message to store.
type C2CMsg struct {
	From, To  string
	Seq       uint32
	Random    uint32
	Body      MsgBody
	CloudData string
	PushInfo  string // OfflinePushInfo, compact JSON; "" if none
	// CRC is ContentCRC of the content as the sender sent it, before a
	// before-callback rewrote it: a resend of the same request is a
	// duplicate whatever the callback did.
	CRC uint32
	// LifeTime is MsgLifeTime in seconds; 0 sends online only: nothing is
	// stored and no conversation changes.
	LifeTime int
	// Time is the MsgTime a before-callback already announced; 0 takes
	// the store transaction's clock.
	Time      int64
	HideFrom  bool // SyncOtherMachine 2: not in the sender's history or conversations
	NoUnread  bool // SendMsgControl NoUnread
	NoLastMsg bool // SendMsgControl NoLastMsg
	Ext       bool // SupportMessageExtension 1: the message takes extensions (msgext.go)
	// After records C2C.CallbackAfterSendMsg (sendmsg without
	// ForbidAfterSendMsgCallback).
	After bool
}

// C2CSent is where a sent message landed.
type C2CSent struct {
	Time int64  // MsgTime
	Key  string // MsgKey
	// Dup: the message repeated one sent within DedupWindowMs; Time and
	// Key are the first's, and nothing was stored.
	Dup bool
}

// C2CImport is one importmsg message.
type C2CImport struct {
	From, To  string
	Seq       uint32
	Random    uint32
	Time      int64 // MsgTimeStamp
	Body      MsgBody
	CloudData string
	Unread    bool // SyncFromOldSystem 5: counted as unread
}

// RoamQuery is an admin_getroammsg request.
type RoamQuery struct {
	Operator, Peer   string
	MaxCnt           int
	MinTime, MaxTime int64
	// After is set by LastMsgKey: the page continues below that message.
	After              bool
	AfterSeq, AfterRnd uint32
	AfterTime          int64
}

// RoamMsg is one message of a conversation's history.
type RoamMsg struct {
	From, To  string
	Seq       uint32
	Random    uint32
	Time      int64
	FlagBits  int
	PeerRead  bool
	Body      MsgBody
	CloudData string
}

// RoamPage is what RoamC2C read, and the time it holds for: read at At,
// it is what the same query reads until Until (both unix ms), when its
// first message expires (MsgLifeTime), unless a write changes it first.
type RoamPage struct {
	Msgs      []RoamMsg
	At, Until int64
}

// C2CService stores one-to-one messages and their conversations' read
// state. Codes are the openim pages'.
type C2CService interface {
	// SendC2C stores m (unless it is online only) in both accounts'
	// histories and conversations, and records C2C.CallbackAfterSendMsg
	// when m.After. 20003 if From is not imported, 90012 if To is not. A
	// duplicate of a message sent within DedupWindowMs stores nothing.
	SendC2C(ctx context.Context, op Op, m C2CMsg) (C2CSent, error)
	// FindC2CDup returns the message m duplicates, if any.
	FindC2CDup(ctx context.Context, app uint64, m C2CMsg) (*C2CSent, error)
	// SendC2CBatch stores m for each of to that is imported, with one
	// MsgTime and MsgKey, and returns the recipients that are not. 90048
	// if From is not imported, 90012 if no recipient is.
	SendC2CBatch(ctx context.Context, op Op, m C2CMsg, to []string) (sent C2CSent, missing []string, err error)
	// ImportC2C stores an imported message unless the conversation has one
	// with its MsgSeq, MsgRandom and MsgTimeStamp. 90008 From, 90003 To.
	ImportC2C(ctx context.Context, app uint64, m C2CImport) error
	// RoamC2C returns up to q.MaxCnt+1 messages of a conversation as
	// q.Operator sees it, newest first. 90008 Operator, 90003 Peer.
	RoamC2C(ctx context.Context, app uint64, q RoamQuery) (RoamPage, error)
	// WithdrawC2C recalls a message and records
	// C2C.CallbackAfterMsgWithDraw. 20022 none, 20023 already recalled.
	WithdrawC2C(ctx context.Context, op Op, from, to, key string) error
	// ModifyC2C overwrites a message's body and/or CloudCustomData (nil:
	// kept). 20022 none, 20023 recalled.
	ModifyC2C(ctx context.Context, app uint64, from, to, key string, body MsgBody, cloudData *string) error
	// DeleteC2COneWay deletes messages of owner's conversation with peer
	// from owner's history alone (delete_c2c_msg_ramble): the peer still
	// reads them. It returns the keys that name no message owner can still
	// read, or that are not message keys. 90008 owner, 90003 peer.
	DeleteC2COneWay(ctx context.Context, app uint64, owner, peer string, keys []string) (invalid []string, err error)
	// C2CReadReceipt records the read receipts reader sends to sender
	// for the messages keys name (c2c_msg_read_receipt): each must be
	// from sender to reader. 90008 reader, 90003 sender, 90054, 20022,
	// 20023 as admin_msgwithdraw's.
	C2CReadReceipt(ctx context.Context, app uint64, reader, sender string, keys []string) error
	// SetC2CRead marks owner's conversation with peer read up to at (unix
	// s; 0: now). 90008 owner, 90003 peer.
	SetC2CRead(ctx context.Context, app uint64, owner, peer string, at int64) error
	// C2CUnread returns owner's unread count over all conversations, and
	// per peer (-1 for a peer that is not an account). 90003 owner.
	C2CUnread(ctx context.Context, app uint64, owner string, peers []string) (total int, perPeer []int, err error)
}
