package im

import "time"

// CallbackAfterGroupAttrChanged is sent after a write of a group's custom
// attributes (1047/60394, 269/105354).
const CallbackAfterGroupAttrChanged = "Group.CallbackAfterGroupAttrChanged"

// AfterGroupAttrChangedBody is Group.CallbackAfterGroupAttrChanged.
// OptionType names the write (GroupAttrSet and the others); GroupAttr the
// attributes it wrote or removed (GroupAttrChange.Apply), empty, not null,
// for a clear of a group that had none.
type AfterGroupAttrChangedBody struct {
	Command    string      `json:"CallbackCommand,omitempty"`
	EventTime  *int64      `json:"EventTime,omitempty"`
	GroupAttr  []GroupAttr `json:"GroupAttr"`
	GroupID    string      `json:"GroupId"`
	Operator   string      `json:"Operator_Account"`
	OptionType string      `json:"OptionType"`
	Type       string      `json:"Type"`
}

func (AfterGroupAttrChangedBody) CallbackCommand() string { return CallbackAfterGroupAttrChanged }
func (b AfterGroupAttrChangedBody) EventKey() string      { return b.GroupID }
func (b AfterGroupAttrChangedBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	if b.GroupAttr == nil {
		b.GroupAttr = []GroupAttr{}
	}
	return b
}
