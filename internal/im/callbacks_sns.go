package im

import "time"

// Blocklist callbacks (1047/34361, 34362; 269/1660, 269/1661): the body is
// CallbackCommand and PairList, with EventTime, which the samples do not
// show, last.

// Commands of the blocklist callbacks.
const (
	CallbackBlackListAdd    = "Sns.CallbackBlackListAdd"
	CallbackBlackListDelete = "Sns.CallbackBlackListDelete"
)

// BlackListAddBody is Sns.CallbackBlackListAdd: From_Account added each
// To_Account of PairList to its blocklist. From is the event's key.
type BlackListAddBody struct {
	From      string       `json:"-"`
	Command   string       `json:"CallbackCommand,omitempty"`
	PairList  []FriendPair `json:"PairList"`
	EventTime *int64       `json:"EventTime,omitempty"`
}

func (BlackListAddBody) CallbackCommand() string { return CallbackBlackListAdd }
func (b BlackListAddBody) EventKey() string      { return b.From }
func (b BlackListAddBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// BlackListDeleteBody is Sns.CallbackBlackListDelete: From_Account removed
// each To_Account of PairList from its blocklist.
type BlackListDeleteBody struct {
	From      string       `json:"-"`
	Command   string       `json:"CallbackCommand,omitempty"`
	PairList  []FriendPair `json:"PairList"`
	EventTime *int64       `json:"EventTime,omitempty"`
}

func (BlackListDeleteBody) CallbackCommand() string { return CallbackBlackListDelete }
func (b BlackListDeleteBody) EventKey() string      { return b.From }
func (b BlackListDeleteBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
