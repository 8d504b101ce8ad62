package im

import (
	"context"
	"time"
)

// Community topics (docs/fidelity/topics.md): channels of a Community
// created with SupportTopic 1 (million_group_open_http_svc: create_topic,
// get_topic, modify_topic, destroy_topic; 1047/49471, 49469, 49468, 49470).
// A topic's ID is its Community's GroupId, "@TOPIC#_", then a part of its
// own: chosen by the caller, or "@TOPIC#" and random characters.

// Limits and codes of topics.
const (
	TopicIDInfix            = "@TOPIC#_"
	MaxTopicIDBytes         = 96
	MaxTopicNameBytes       = 30
	MaxTopicCustomString    = 3000
	MaxTopicFaceURLBytes    = 100
	MaxTopicNotification    = 300
	MaxTopicIntroduction    = 240
	CodeTopicUnsupported    = 11000  // the group takes no topics (destroy_topic's table)
	CodeTopicAlreadyDeleted = 110003 // destroy_topic: the topic is gone (its table)
)

// Topic is a topic as get_topic reads it.
type Topic struct {
	TopicID      string
	GroupID      string
	Name         string
	Introduction string
	Notification string
	FaceURL      string
	CustomString string
	MuteAll      bool
	CreateTime   int64 // unix s
	NextMsgSeq   int64
	LastMsgTime  int64
}

// TopicUpdate is a create_topic's or modify_topic's fields: nil leaves a
// field as it is (modify) or empty (create).
type TopicUpdate struct {
	Name, Introduction, Notification, FaceURL, CustomString *string
	MuteAll                                                 *bool
}

// TopicSelf is get_topic's SelfInfo: what From_Account is in the topic.
type TopicSelf struct {
	Member    bool
	MuteUntil int64 // unix s: the Community's mute of the account, 0 if none runs
	MsgFlag   string
}

// TopicService keeps Community topics.
type TopicService interface {
	// CreateTopic creates a topic (topicID "" draws one) and records
	// Group.CallbackAfterCreateTopic. 10010, 11000, 10021 (the ID is
	// taken), 10019 (operator not imported).
	CreateTopic(ctx context.Context, op Op, groupID, topicID, operator string, t TopicUpdate) (string, error)
	// Topics reads the Community's topics (ids empty: all, in creation
	// order; else those named, a missing one nil) and what account is in
	// them. 10010, 11000.
	Topics(ctx context.Context, app uint64, groupID string, ids []string, account string) ([]*Topic, TopicSelf, error)
	// ModifyTopic changes a topic and records
	// Group.CallbackAfterTopicInfoChanged for a change of its name,
	// introduction, notification or face. 10010 (no such group or
	// topic), 11000.
	ModifyTopic(ctx context.Context, op Op, groupID, topicID string, t TopicUpdate) error
	// DestroyTopics deletes topics, answering a code per ID (0 or
	// 110003), and records Group.CallbackAfterTopicDestroyed of those
	// deleted. 10010, 11000.
	DestroyTopics(ctx context.Context, op Op, groupID string, ids []string) ([]int, error)
}

// AfterCreateTopicBody is Group.CallbackAfterCreateTopic (1047/49464).
type AfterCreateTopicBody struct {
	Command   string `json:"CallbackCommand,omitempty"`
	GroupID   string `json:"GroupId"`
	TopicID   string `json:"TopicId"`
	Operator  string `json:"Operator_Account"`
	Owner     string `json:"Owner_Account"`
	Type      string `json:"Type"`
	Name      string `json:"Name"`
	EventTime *int64 `json:"EventTime,omitempty"`
}

// CallbackCommand is Group.CallbackAfterCreateTopic.
func (AfterCreateTopicBody) CallbackCommand() string { return CallbackAfterCreateTopic }

// EventKey is the Community, as for its other events.
func (b AfterCreateTopicBody) EventKey() string { return b.GroupID }
func (b AfterCreateTopicBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterTopicDestroyedBody is Group.CallbackAfterTopicDestroyed (1047/49465).
type AfterTopicDestroyedBody struct {
	Command   string   `json:"CallbackCommand,omitempty"`
	GroupID   string   `json:"GroupId"`
	Type      string   `json:"Type"`
	TopicIDs  []string `json:"TopicIdList"`
	EventTime *int64   `json:"EventTime,omitempty"`
}

// CallbackCommand is Group.CallbackAfterTopicDestroyed.
func (AfterTopicDestroyedBody) CallbackCommand() string { return CallbackAfterTopicDestroyed }

// EventKey is the Community.
func (b AfterTopicDestroyedBody) EventKey() string { return b.GroupID }
func (b AfterTopicDestroyedBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterTopicInfoChangedBody is Group.CallbackAfterTopicInfoChanged
// (1047/49466): the fields changed, each only when it was. TopicId is not
// in the page's sample [?]; timd sends it, since the GroupId alone does not
// say which topic changed.
type AfterTopicInfoChangedBody struct {
	Command      string  `json:"CallbackCommand,omitempty"`
	GroupID      string  `json:"GroupId"`
	TopicID      string  `json:"TopicId"`
	Type         string  `json:"Type"`
	Operator     string  `json:"Operator_Account"`
	Name         *string `json:"Name,omitempty"`
	Introduction *string `json:"Introduction,omitempty"`
	Notification *string `json:"Notification,omitempty"`
	FaceURL      *string `json:"FaceUrl,omitempty"`
	EventTime    *int64  `json:"EventTime,omitempty"`
}

// CallbackCommand is Group.CallbackAfterTopicInfoChanged.
func (AfterTopicInfoChangedBody) CallbackCommand() string { return CallbackAfterTopicInfoChanged }

// EventKey is the Community.
func (b AfterTopicInfoChangedBody) EventKey() string { return b.GroupID }
func (b AfterTopicInfoChangedBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
