package im

import (
	"encoding/json"
	"time"
)

// Callback is the body of one of Tencent's callbacks. Each is a struct
// whose fields, in order, are the documented keys sorted as Go sorts map
// keys (as timd sent them when it built bodies as maps), CallbackCommand
// and EventTime among them: Command and EventTime stay empty while a body is
// built, and CallbackBody sets them on its copy as it marshals it. Adding a
// callback is adding its struct here and one call where it happens.
type Callback interface {
	// CallbackCommand is the callback's command, as in its URL.
	CallbackCommand() string
	// stamped returns a copy with Command and EventTime set.
	stamped(at time.Time) any
}

// AfterCallback is a Callback recorded as an event and delivered later.
type AfterCallback interface {
	Callback
	// EventKey orders delivery: events of one key are delivered in commit
	// order (the GroupId for group events, the From_Account for sns ones).
	EventKey() string
}

// CallbackBody is the JSON body of cb sent at: its fields plus
// CallbackCommand and EventTime (milliseconds, a JSON number).
func CallbackBody(cb Callback, at time.Time) ([]byte, error) {
	return json.Marshal(cb.stamped(at))
}

// eventTime is an EventTime field's value for at.
func eventTime(at time.Time) *int64 {
	ms := at.UnixMilli()
	return &ms
}

// MemberAccount is one entry of a callback's member list.
type MemberAccount struct {
	Account string `json:"Member_Account"`
}

// MemberAccounts lists ids as a callback's member list: empty, not null,
// for no ids.
func MemberAccounts(ids []string) []MemberAccount {
	list := make([]MemberAccount, len(ids))
	for i, id := range ids {
		list[i] = MemberAccount{Account: id}
	}
	return list
}

// AfterCreateGroupBody is Group.CallbackAfterCreateGroup. MemberList names
// the members the request added, not the owner, as in Tencent's sample.
type AfterCreateGroupBody struct {
	Command    string          `json:"CallbackCommand,omitempty"`
	EventTime  *int64          `json:"EventTime,omitempty"`
	GroupID    string          `json:"GroupId"`
	MemberList []MemberAccount `json:"MemberList"`
	Name       string          `json:"Name"`
	Operator   string          `json:"Operator_Account"`
	Owner      string          `json:"Owner_Account"`
	Type       string          `json:"Type"`
	AppDefined []KV            `json:"UserDefinedDataList"`
}

func (AfterCreateGroupBody) CallbackCommand() string { return CallbackAfterCreateGroup }
func (b AfterCreateGroupBody) EventKey() string      { return b.GroupID }
func (b AfterCreateGroupBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterGroupDestroyedBody is Group.CallbackAfterGroupDestroyed. Operator is
// who dismissed the group. A Community's MemberList is nil and not sent (it
// may hold 100,000 names); another group's is sent, empty or not.
type AfterGroupDestroyedBody struct {
	Command    string          `json:"CallbackCommand,omitempty"`
	EventTime  *int64          `json:"EventTime,omitempty"`
	GroupID    string          `json:"GroupId"`
	MemberList []MemberAccount `json:"MemberList,omitzero"`
	Name       string          `json:"Name"`
	Operator   string          `json:"Operator_Account"`
	Owner      string          `json:"Owner_Account"`
	Type       string          `json:"Type"`
}

func (AfterGroupDestroyedBody) CallbackCommand() string { return CallbackAfterGroupDestroyed }
func (b AfterGroupDestroyedBody) EventKey() string      { return b.GroupID }
func (b AfterGroupDestroyedBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterNewMemberJoinBody is Group.CallbackAfterNewMemberJoin.
type AfterNewMemberJoinBody struct {
	Command       string          `json:"CallbackCommand,omitempty"`
	EventTime     *int64          `json:"EventTime,omitempty"`
	GroupID       string          `json:"GroupId"`
	JoinType      string          `json:"JoinType"`
	NewMemberList []MemberAccount `json:"NewMemberList"`
	Operator      string          `json:"Operator_Account"`
	Type          string          `json:"Type"`
}

func (AfterNewMemberJoinBody) CallbackCommand() string { return CallbackAfterNewMemberJoin }
func (b AfterNewMemberJoinBody) EventKey() string      { return b.GroupID }
func (b AfterNewMemberJoinBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterMemberExitBody is Group.CallbackAfterMemberExit.
type AfterMemberExitBody struct {
	Command        string          `json:"CallbackCommand,omitempty"`
	EventTime      *int64          `json:"EventTime,omitempty"`
	ExitMemberList []MemberAccount `json:"ExitMemberList"`
	ExitType       string          `json:"ExitType"`
	GroupID        string          `json:"GroupId"`
	Operator       string          `json:"Operator_Account"`
	Type           string          `json:"Type"`
}

func (AfterMemberExitBody) CallbackCommand() string { return CallbackAfterMemberExit }
func (b AfterMemberExitBody) EventKey() string      { return b.GroupID }
func (b AfterMemberExitBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// FriendAddPair is one friendship a friend_add made: From_Account now has
// To_Account as a friend, at Initiator_Account's request.
type FriendAddPair struct {
	From      string `json:"From_Account"`
	Initiator string `json:"Initiator_Account"`
	To        string `json:"To_Account"`
}

// FriendAddBody is Sns.CallbackFriendAdd. From is the request's
// From_Account, the event's key; it is not in the body.
type FriendAddBody struct {
	From      string          `json:"-"`
	Admin     string          `json:"Admin_Account"`
	Command   string          `json:"CallbackCommand,omitempty"`
	ClientCmd string          `json:"ClientCmd"`
	EventTime *int64          `json:"EventTime,omitempty"`
	ForceFlag int             `json:"ForceFlag"`
	PairList  []FriendAddPair `json:"PairList"`
}

func (FriendAddBody) CallbackCommand() string { return CallbackFriendAdd }
func (b FriendAddBody) EventKey() string      { return b.From }
func (b FriendAddBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// FriendPair is one friendship that ended: From_Account no longer has
// To_Account as a friend.
type FriendPair struct {
	From string `json:"From_Account"`
	To   string `json:"To_Account"`
}

// FriendDeleteBody is Sns.CallbackFriendDelete. From is the request's
// From_Account, the event's key; it is not in the body.
type FriendDeleteBody struct {
	From      string       `json:"-"`
	Command   string       `json:"CallbackCommand,omitempty"`
	EventTime *int64       `json:"EventTime,omitempty"`
	PairList  []FriendPair `json:"PairList"`
}

func (FriendDeleteBody) CallbackCommand() string { return CallbackFriendDelete }
func (b FriendDeleteBody) EventKey() string      { return b.From }
func (b FriendDeleteBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// BeforeApplyJoinBody is Group.CallbackBeforeApplyJoinGroup (269/1665):
// a client asks to join a group (timd_control/apply_join_group stands in
// for the client).
type BeforeApplyJoinBody struct {
	ApplyMsg  string `json:"ApplyMsg"`
	Command   string `json:"CallbackCommand,omitempty"`
	EventTime *int64 `json:"EventTime,omitempty"`
	GroupID   string `json:"GroupId"`
	Requestor string `json:"Requestor_Account"`
	Type      string `json:"Type"`
}

func (BeforeApplyJoinBody) CallbackCommand() string { return CallbackBeforeApplyJoin }
func (b BeforeApplyJoinBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// BeforeCreateGroupBody is Group.CallbackBeforeCreateGroup. CreateGroupNum
// counts the groups of that type the owner already has.
type BeforeCreateGroupBody struct {
	Command        string          `json:"CallbackCommand,omitempty"`
	CreateGroupNum int             `json:"CreateGroupNum"`
	EventTime      *int64          `json:"EventTime,omitempty"`
	MemberList     []MemberAccount `json:"MemberList"`
	Name           string          `json:"Name"`
	Operator       string          `json:"Operator_Account"`
	Owner          string          `json:"Owner_Account"`
	Type           string          `json:"Type"`
}

func (BeforeCreateGroupBody) CallbackCommand() string { return CallbackBeforeCreateGroup }
func (b BeforeCreateGroupBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// PrevFriendItem is one friend a friend_add asks to add; GroupName is the
// first list named, or "".
type PrevFriendItem struct {
	AddSource  string `json:"AddSource"`
	AddWording string `json:"AddWording"`
	GroupName  string `json:"GroupName"`
	Remark     string `json:"Remark"`
	To         string `json:"To_Account"`
}

// PrevFriendAddBody is Sns.CallbackPrevFriendAdd. From and Requester are
// both the request's From_Account.
type PrevFriendAddBody struct {
	AddType       string           `json:"AddType"`
	Command       string           `json:"CallbackCommand,omitempty"`
	EventTime     *int64           `json:"EventTime,omitempty"`
	ForceAddFlags int              `json:"ForceAddFlags"`
	FriendItem    []PrevFriendItem `json:"FriendItem"`
	From          string           `json:"From_Account"`
	Requester     string           `json:"Requester_Account"`
}

func (PrevFriendAddBody) CallbackCommand() string { return CallbackPrevFriendAdd }
func (b PrevFriendAddBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
