package im

import "time"

// Callbacks of group administration (docs/fidelity/group-admin.md).
const (
	CallbackAfterGroupInfoChanged   = "Group.CallbackAfterGroupInfoChanged"
	CallbackAfterMemberFieldChanged = "Group.CallbackAfterMemberFieldChanged"
)

// AfterGroupInfoChangedBody is Group.CallbackAfterGroupInfoChanged: the
// name, introduction, notification and face URL a modify_group_base_info
// set, each only when the call gave it (Tencent's sample carries only the
// changed Notification).
type AfterGroupInfoChangedBody struct {
	Command      string  `json:"CallbackCommand,omitempty"`
	EventTime    *int64  `json:"EventTime,omitempty"`
	FaceURL      *string `json:"FaceUrl,omitempty"`
	GroupID      string  `json:"GroupId"`
	Introduction *string `json:"Introduction,omitempty"`
	Name         *string `json:"Name,omitempty"`
	Notification *string `json:"Notification,omitempty"`
	Operator     string  `json:"Operator_Account"`
	Type         string  `json:"Type"`
}

func (AfterGroupInfoChangedBody) CallbackCommand() string { return CallbackAfterGroupInfoChanged }
func (b AfterGroupInfoChangedBody) EventKey() string      { return b.GroupID }
func (b AfterGroupInfoChangedBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterMemberFieldChangedBody is Group.CallbackAfterMemberFieldChanged: the
// role and name card a modify_group_member_info set, each only when the
// call gave it.
type AfterMemberFieldChangedBody struct {
	Command   string  `json:"CallbackCommand,omitempty"`
	EventTime *int64  `json:"EventTime,omitempty"`
	GroupID   string  `json:"GroupId"`
	Member    string  `json:"Member_Account"`
	NameCard  *string `json:"NameCard,omitempty"`
	Operator  string  `json:"Operator_Account"`
	Role      *string `json:"Role,omitempty"`
	Type      string  `json:"Type"`
}

func (AfterMemberFieldChangedBody) CallbackCommand() string { return CallbackAfterMemberFieldChanged }
func (b AfterMemberFieldChangedBody) EventKey() string      { return b.GroupID }
func (b AfterMemberFieldChangedBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
