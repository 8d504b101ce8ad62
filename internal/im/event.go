package im

import (
	"encoding/json"
	"time"
)

// Callback commands timd records events for.
const (
	CallbackAfterGroupDestroyed = "Group.CallbackAfterGroupDestroyed"
	CallbackAfterCreateGroup    = "Group.CallbackAfterCreateGroup"
	CallbackAfterNewMemberJoin  = "Group.CallbackAfterNewMemberJoin"
	CallbackAfterMemberExit     = "Group.CallbackAfterMemberExit"
	CallbackFriendAdd           = "Sns.CallbackFriendAdd"
	CallbackFriendDelete        = "Sns.CallbackFriendDelete"
)

// EventState is where an event is in its delivery.
type EventState string

// The delivery states of an event.
const (
	EventPending   EventState = "pending"
	EventDelivered EventState = "delivered"
	EventDead      EventState = "dead"
)

// Event is one after-callback, recorded in the same transaction as the change
// it reports and delivered later by the callback sender. Key orders delivery:
// events of one key are delivered in commit order (the GroupId for group
// events, the From_Account for sns events).
type Event struct {
	ID        int64
	AppID     uint64
	Key       string
	Command   string
	Body      json.RawMessage // the documented callback body, CallbackCommand and EventTime included
	CreatedAt time.Time
	State     EventState
	Attempts  int
}

// NewEvent builds an event whose body is fields plus CallbackCommand and
// EventTime (milliseconds, a JSON number), as Tencent sends them.
func NewEvent(app uint64, key, command string, at time.Time, fields map[string]any) (Event, error) {
	body := make(map[string]any, len(fields)+2)
	for k, v := range fields {
		body[k] = v
	}
	body["CallbackCommand"] = command
	body["EventTime"] = at.UnixMilli()
	b, err := json.Marshal(body)
	if err != nil {
		return Event{}, err
	}
	return Event{AppID: app, Key: key, Command: command, Body: b, CreatedAt: at, State: EventPending}, nil
}
