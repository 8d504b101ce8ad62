package im

import "context"

// Conversations (recentcontact/get_list and recentcontact/delete;
// docs/fidelity/conversations.md). A one-to-one conversation exists once a
// message was sent between two accounts; a group conversation is the
// account's membership of a group that has messages. They are listed newest
// first, pinned ones in a section of their own.

// AssistFlags bits of get_list.
const (
	AssistPinned     = 1 << 0 // pinned conversations in their own section (TopFlag 1)
	AssistEmpty      = 1 << 1 // also conversations without a message (MsgTime 0)
	AssistPinnedPage = 1 << 2 // the pinned section is paged (TopTimeStamp, TopStartIndex)
	// AssistMarks: the bits past 2, undocumented, that Tencent's newest
	// page sets (63, "complete conversation data") and whose sample then
	// carries StandardMark, CustomMark and ContactGroupId. timd gives them
	// with bit 4 or bit 5: 15, the value of the previous page, gives none.
	AssistMarks = 1<<4 | 1<<5
)

// Conversation limits.
const (
	// ConversationPageSize is how many conversations one get_list page
	// holds: 100, the number of cloud conversations Tencent's basic
	// package lets a client pull (1047/48322).
	ConversationPageSize = 100
	// MaxPinnedConversations is how many conversations an account may pin
	// (51012 past it): 50, "cannot be increased" (1047/48316).
	MaxPinnedConversations = 50
	// MaxPinItems is how many conversations one recentcontact/top call may
	// name (50002 past it). Tencent's page gives no limit; timd bounds the
	// work of one transaction as it does create_contact_group's
	// ContactItem. A pin of more than 50 distinct conversations fails with
	// 51012 anyway; the room is for unpinning.
	MaxPinItems = 1000
)

// Conversation is one SessionItem of get_list.
type Conversation struct {
	Contact       // Type and peer (To_Account or GroupId)
	MsgTime int64 // unix s of the last message; 0 for an empty conversation
	Pinned  bool  // TopFlag

	// With AssistMarks: the conversation's marks and conversation groups.
	StandardMark uint64
	CustomMark   string
	GroupIDs     []int
}

// ConversationCursor is where a section of get_list goes on: after the
// first Index conversations whose MsgTime is Time, then with older ones.
// The zero cursor is the first page.
type ConversationCursor struct {
	Time  int64
	Index int
}

// ConversationQuery is one get_list request.
type ConversationQuery struct {
	Normal, Pinned ConversationCursor // TimeStamp/StartIndex, TopTimeStamp/TopStartIndex
	Flags          int                // AssistFlags
	Limit          int                // page size
}

// ConversationPage is one get_list reply.
type ConversationPage struct {
	Items          []Conversation
	Normal, Pinned ConversationCursor // for the next request
	Complete       bool
}

// ConversationService keeps accounts' conversations.
type ConversationService interface {
	// Conversations returns one page of owner's conversations: pinned ones
	// first, then the others, each newest first. 50001 if owner is not
	// imported.
	Conversations(ctx context.Context, app uint64, owner string, q ConversationQuery) (ConversationPage, error)

	// DeleteConversation removes a conversation from owner's list until its
	// next message, and unpins it; with clear, owner's one-to-one history of it up to now
	// is cleared as well. Deleting a conversation owner does not have
	// succeeds. 50001 (owner, or a one-to-one peer that is neither imported
	// nor in a conversation with owner), 51007 (no such group).
	DeleteConversation(ctx context.Context, app uint64, owner string, k Contact, clear bool) error

	// SetPinned pins or unpins some of owner's conversations
	// (recentcontact/top), all or none: pinning one without messages makes
	// an empty conversation, pinning a deleted one lists it again. 50002
	// (a Type other than 1 or 2), 50001, 51007, 51012 (past 50 pinned).
	SetPinned(ctx context.Context, app uint64, owner string, ks []Contact, pinned bool) error
}
