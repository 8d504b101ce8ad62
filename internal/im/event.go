package im

import (
	"context"
	"encoding/json"
	"time"
)

// Callback commands timd records events for.
const (
	CallbackAfterGroupDestroyed   = "Group.CallbackAfterGroupDestroyed"
	CallbackAfterCreateGroup      = "Group.CallbackAfterCreateGroup"
	CallbackAfterNewMemberJoin    = "Group.CallbackAfterNewMemberJoin"
	CallbackAfterMemberExit       = "Group.CallbackAfterMemberExit"
	CallbackFriendAdd             = "Sns.CallbackFriendAdd"
	CallbackFriendDelete          = "Sns.CallbackFriendDelete"
	CallbackC2CAfterSendMsg       = "C2C.CallbackAfterSendMsg"
	CallbackC2CAfterMsgWithDraw   = "C2C.CallbackAfterMsgWithDraw"
	CallbackGroupAfterSendMsg     = "Group.CallbackAfterSendMsg"
	CallbackGroupAfterRecallMsg   = "Group.CallbackAfterRecallMsg"
	CallbackC2CMsgExtension       = "C2C.CallbackAfterC2CMsgExtension"
	CallbackGroupMsgExtension     = "Group.CallbackAfterGroupMsgExtension"
	CallbackAfterCreateTopic      = "Group.CallbackAfterCreateTopic"
	CallbackAfterTopicDestroyed   = "Group.CallbackAfterTopicDestroyed"
	CallbackAfterTopicInfoChanged = "Group.CallbackAfterTopicInfoChanged"
)

// Before-callbacks timd sends synchronously, before the change they ask
// about.
const (
	CallbackBeforeCreateGroup  = "Group.CallbackBeforeCreateGroup"
	CallbackPrevFriendAdd      = "Sns.CallbackPrevFriendAdd"
	CallbackC2CBeforeSendMsg   = "C2C.CallbackBeforeSendMsg"
	CallbackGroupBeforeSendMsg = "Group.CallbackBeforeSendMsg"
	CallbackBeforeApplyJoin    = "Group.CallbackBeforeApplyJoinGroup"
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
	ID            int64
	AppID         uint64
	Key           string
	Command       string
	Body          json.RawMessage // the documented callback body, CallbackCommand and EventTime included
	ClientIP      string          // IP of the REST call that caused the event
	CreatedAt     time.Time
	State         EventState
	Attempts      int
	NextAttemptAt time.Time
	LastStatus    int    // HTTP status of the last attempt; 0 if none or no reply
	LastError     string // why the last attempt failed
	DeliveredAt   time.Time
}

// NewEvent builds the event of an after-callback committed at.
func NewEvent(app uint64, at time.Time, cb AfterCallback) (Event, error) {
	b, err := CallbackBody(cb, at)
	if err != nil {
		return Event{}, err
	}
	return Event{AppID: app, Key: cb.EventKey(), Command: cb.CallbackCommand(), Body: b, CreatedAt: at, State: EventPending}, nil
}

// EventFilter selects events for the delivery log. Zero fields select all.
type EventFilter struct {
	State    EventState
	Command  string
	Key      string
	From, To time.Time // created at or after From, before To
	AfterID  int64     // paging: events with a larger id
	Limit    int
}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	Status int       // HTTP status; 0 when there was no reply
	Error  string    // "" on success
	Next   time.Time // when to try again; zero when the event is now dead
}

// Delivery is a successful delivery attempt: the event, the receiver's
// HTTP status and when it answered (the app's time). With NextUntil set it
// also asks for the next event of the delivered event's key, leased until
// NextUntil if it is claimable at NextAt (both the app's time); with Refill
// too, for any claimable event of the app when the key has none, as
// ClaimEvents would claim it.
type Delivery struct {
	ID     int64
	Status int
	At     time.Time

	NextAt, NextUntil time.Time
	Refill            bool
}

// Outbox is the store side of callback delivery: events are claimed by one
// sender instance at a time under a lease, each only while it is the oldest
// pending event of its key, so that delivery is in commit order per key.
type Outbox interface {
	// ClaimEvents leases up to n of an app's due events to instance until
	// now+lease. Claiming per app keeps one app's slow receiver from taking
	// the delivery slots of another.
	// window > 0 looks at the first window candidates only (due order),
	// claimable or not; 0 at all of them.
	ClaimEvents(ctx context.Context, instance string, app uint64, now time.Time, lease time.Duration, n, window int) ([]Event, error)
	// AnyDue reports whether any of an app's pending events is due and
	// unleased at now: whether a claim could find something (it may not,
	// when such events wait on their keys' older ones). It writes nothing.
	AnyDue(ctx context.Context, app uint64, now time.Time) (bool, error)
	// ReleaseClaim gives back the pending events instance claimed for app
	// with the lease ending at until (to the millisecond): the events of one
	// ClaimEvents call whose outcome the caller never learned, since a
	// database can commit a claim as the connection to it fails. It returns
	// how many it released.
	ReleaseClaim(ctx context.Context, instance string, app uint64, until time.Time) (int, error)
	// MarkDelivered records successful deliveries by instance, all in one
	// transaction. A delivery whose event is no longer pending under
	// instance's lease (another instance took it over) changes nothing.
	// It returns the next events it leased to instance for the deliveries
	// that asked (Delivery.NextUntil): at most one per delivery, each then
	// the oldest pending event of its key, due and unleased at NextAt, or
	// for a delivery with Refill whose key had none, one of the app's
	// events ClaimEvents would have claimed.
	MarkDelivered(ctx context.Context, instance string, ds ...Delivery) ([]Event, error)
	// MarkFailed records a failed attempt: retried at a.Next, or dead.
	MarkFailed(ctx context.Context, id int64, instance string, a Attempt) error
	// ListEvents lists an app's events, oldest first.
	ListEvents(ctx context.Context, app uint64, f EventFilter) ([]Event, error)
	// ReplayEvent makes an event pending again, to be delivered at once.
	// 91003 if the app has no such event.
	ReplayEvent(ctx context.Context, app uint64, id int64) error
	// ReplayDead makes every dead event of the app pending again.
	ReplayDead(ctx context.Context, app uint64) (int, error)
	// PurgeDelivered deletes delivered events delivered before the time;
	// app 0 means every app.
	PurgeDelivered(ctx context.Context, app uint64, before time.Time) (int, error)
	// PurgeCaptured deletes every app's callbacks captured (callback URL
	// "internal") before the time.
	PurgeCaptured(ctx context.Context, before time.Time) (int, error)
	// OutboxStats reports the pending events and the creation time of the
	// oldest (zero if none).
	OutboxStats(ctx context.Context) (pending int, oldest time.Time, err error)
	// Nonce is a random string, without '.', drawn once for the database
	// and kept in it: event ids repeat from one database to the next, and a
	// webhook id must not.
	Nonce() string
}
