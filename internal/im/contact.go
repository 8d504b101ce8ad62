package im

import (
	"context"
	"strconv"
	"time"
)

// Conversation groups and marks (recentcontact; docs/fidelity/recentcontact.md,
// docs/decisions.md §5). They are independent of the recent-contact list: a
// user's conversation appears here once it has been put in a conversation group
// or marked.

// Conversation types of a ContactItem.
const (
	ContactC2C   = 1 // one-to-one: the peer is a UserID (To_Account)
	ContactGroup = 2 // group: the peer is a GroupId (ToGroupId)
)

// Limits of conversation groups and marks.
const (
	MaxContactGroups         = 20   // conversation groups per user (51010)
	MaxContactGroupNameBytes = 32   // conversation group name (51011)
	MaxGroupedContacts       = 1000 // conversations in any conversation group, per user (51008)
	MaxMarkedContacts        = 1000 // conversations with a standard or custom mark, per user (51008)
	MaxMarkItems             = 100  // MarkItem of mark_contact (51006)
	MaxCustomMarkBytes       = 256
	StandardMarkBits         = 64  // SetMark and ClearMark name bits 0 to 63
	MaxSearchContacts        = 300 // ContactItem of search_contact_group
	// MaxContactItems bounds the conversations of one create_contact_group
	// or update_contact_group: more could never all be grouped.
	MaxContactItems = MaxGroupedContacts
	// MaxContactEntries bounds what timd keeps per user. A conversation
	// stays after it leaves its last group or loses its marks (as it does
	// when its group is deleted), so without a bound they would pile up;
	// grouped and marked conversations alone never pass it.
	MaxContactEntries = MaxGroupedContacts + MaxMarkedContacts
	// ContactPageSize is how many conversations one get_contact_group
	// page holds.
	ContactPageSize = 100
)

// Contact names one conversation of a user: its type and its peer, the
// To_Account of a C2C conversation or the ToGroupId of a group one.
type Contact struct {
	Type int
	Peer string
}

// ContactState is what timd keeps about one conversation of a user.
type ContactState struct {
	Contact
	StandardMark uint64 // bit n set: standard mark n
	CustomMark   string
	GroupIDs     []int // the conversation groups holding it, ascending
	Updated      time.Time
}

// FormatStandardMark renders a standard mark the way Tencent's samples do:
// a bit string, most significant bit first, without leading zeros ("111001"
// is bits 5, 4, 3 and 0). The empty mark is "".
func FormatStandardMark(m uint64) string {
	if m == 0 {
		return ""
	}
	return strconv.FormatUint(m, 2)
}

// ContactGroupRef is one conversation group: its per-user id and its name.
type ContactGroupRef struct {
	ID   int
	Name string
}

// ContactChange is one ContactUpdateItem of update_contact_group.
type ContactChange struct {
	Remove  bool // ContactOptType 2; otherwise 1, add
	Contact Contact
}

// Mark is one MarkItem of mark_contact. Clear is applied before Set, so a
// bit in both ends up set.
type Mark struct {
	Contact    Contact
	Standard   bool   // OptType 1 or 3: apply Set and Clear
	Custom     bool   // OptType 2 or 3: replace the custom mark
	Set, Clear uint64 // bit masks
	CustomMark string
}

// ContactPage is one page of get_contact_group.
type ContactPage struct {
	Contacts []ContactState
	Groups   []ContactGroupRef // all of the user's conversation groups
	Next     int               // StartIndex of the next page; 0 when Complete
	Complete bool
}

// ContactService stores users' conversation groups and marks. Every write
// runs in one transaction and is serialised per user. Per-item outcomes are
// nil for success or an *Error whose code goes into ResultCode: 50001 for a
// C2C conversation whose peer is not imported, 51007 for a group
// conversation whose group does not exist (or was dismissed), 51008 when the
// conversation would exceed the user's 1000 grouped or marked conversations.
type ContactService interface {
	// CreateContactGroup creates a conversation group holding contacts,
	// with the next id of the user. 50001 (user not imported), 51010 (the
	// user has 20 groups), 50002 (the name is taken); per-item outcomes
	// otherwise, the group being created whatever they are.
	CreateContactGroup(ctx context.Context, app uint64, user, name string, contacts []Contact) (ContactGroupRef, []*Error, error)

	// RenameContactGroup renames a conversation group. 50001, 51009 (no
	// group of that name), 50002 (the new name is another group's).
	RenameContactGroup(ctx context.Context, app uint64, user, oldName, newName string) (ContactGroupRef, error)

	// UpdateContactGroup adds conversations to and removes them from a
	// conversation group, in order. 50001, 51009; per-item outcomes
	// otherwise (removing a conversation the group does not hold
	// succeeds).
	UpdateContactGroup(ctx context.Context, app uint64, user, name string, changes []ContactChange) (ContactGroupRef, []*Error, error)

	// DeleteContactGroup deletes a conversation group. Its conversations
	// stay, marks and other groups kept. Its id is never handed out again.
	// 50001, 51009.
	DeleteContactGroup(ctx context.Context, app uint64, user, name string) (ContactGroupRef, error)

	// MarkContacts sets and clears conversations' marks, in order. 50001;
	// per-item outcomes otherwise.
	MarkContacts(ctx context.Context, app uint64, user string, marks []Mark) ([]*Error, error)

	// ContactGroups returns up to limit of the user's conversations from
	// index start on, in a fixed order (C2C before group, then by peer).
	// 50001.
	ContactGroups(ctx context.Context, app uint64, user string, start, limit int) (ContactPage, error)

	// SearchContacts returns the state of the named conversations the user
	// has (others are left out), in request order, and all of the user's
	// conversation groups. 50001.
	SearchContacts(ctx context.Context, app uint64, user string, contacts []Contact) ([]ContactState, []ContactGroupRef, error)
}
