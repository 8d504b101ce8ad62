package im

import "context"

// Group administration: member profiles, mutes, roles, imports, unread
// counts (docs/fidelity/group-admin.md), and the global mute of an account
// (openconfigsvr).

// Member message options (MsgFlag).
var MsgFlags = []string{"AcceptAndNotify", "Discard", "AcceptNotNotify"}

// Limits of group administration (docs/fidelity/group-admin.md).
const (
	MaxNameCardBytes    = 50  // NameCard of modify_group_member_info
	MaxMemberDefinedVal = 64  // a value of AppMemberDefinedData
	MaxMuteMembers      = 500 // Members_Account of forbid_send_msg
	MaxRoleQuery        = 500 // User_Account of get_role_in_group
	MaxImportMembers    = 300 // MemberList of import_group_member
	MaxMuteSeconds      = 4294967295
	RoleNotMember       = "NotMember" // get_role_in_group's role of a non-member
	CodeNoSpeakingC2C   = 20012       // sendmsg: the sender is globally muted
	CodeConfigInvalid   = 90001       // openconfigsvr: the request is not valid
	CodeConfigInternal  = 91000       // openconfigsvr: internal error
	CodeConfigNoAccount = 90001       // openconfigsvr: the account is not imported [?]
)

// MemberUpdate is a modify_group_member_info: nil fields stay as they are.
type MemberUpdate struct {
	UserID     string
	Role       *string
	MsgFlag    *string
	NameCard   *string
	MuteFor    *int64 // seconds from now; 0 ends a mute
	AppDefined []KV   // Value "" deletes the key
}

// MutedMember is one entry of get_group_muted_account.
type MutedMember struct {
	UserID string
	Until  int64 // unix seconds
}

// ImportMember is one member of import_group_member; zero JoinTime means
// now.
type ImportMember struct {
	UserID   string
	Role     string
	JoinTime int64 // unix seconds
	Unread   int
}

// NoSpeaking is an account's global mute: the periods set, in seconds, 0
// for none. A period ends by itself; a read after its end shows 0.
type NoSpeaking struct {
	C2C, Group int64
}

// GroupAdminService changes members' profiles, mutes and unread counts and
// imports groups and members.
type GroupAdminService interface {
	// ModifyMember changes one member's profile and records
	// Group.CallbackAfterMemberFieldChanged when Role or NameCard is given.
	// 10010, 10007 (AVChatRoom; a mute in a Private group), 10019, 10004
	// (not a member; the owner's role).
	ModifyMember(ctx context.Context, op Op, groupID string, upd MemberUpdate) error

	// MuteMembers mutes members for seconds from now (0 unmutes). 10010,
	// 10007 (Private, AVChatRoom), 10019, 10004 (a non-member).
	MuteMembers(ctx context.Context, op Op, groupID string, userIDs []string, seconds int64) error

	// MutedMembers lists the members muted now, in joining order. 10010.
	MutedMembers(ctx context.Context, app uint64, groupID string) ([]MutedMember, error)

	// Roles reports each id's role, RoleNotMember for a non-member. 10010,
	// 10007 (AVChatRoom).
	Roles(ctx context.Context, app uint64, groupID string, userIDs []string) ([]string, error)

	// ImportMembers adds members with their join times and unread counts,
	// recording no callback. 10010, 10007, 10019, 10014.
	ImportMembers(ctx context.Context, op Op, groupID string, members []ImportMember) ([]AddResult, error)

	// SetUnread sets a member's unread message count. 10010, 10007, 10019,
	// 10004 (not a member).
	SetUnread(ctx context.Context, app uint64, groupID, userID string, n int) error

	// BanMembers bans imported accounts from an AVChatRoom for seconds from
	// now, with a description. 10010, 10007 (not an AVChatRoom), 10019.
	BanMembers(ctx context.Context, op Op, groupID string, userIDs []string, seconds int64, description string) error

	// UnbanMembers lifts the bans of the accounts given. 10010, 10007,
	// 10019.
	UnbanMembers(ctx context.Context, op Op, groupID string, userIDs []string) error

	// BannedMembers reads a page of the bans running now, the soonest to
	// end first. 10010, 10007.
	BannedMembers(ctx context.Context, app uint64, groupID string, offset, limit int) (GroupBanPage, error)
}

// NoSpeakingService keeps accounts' global mutes.
type NoSpeakingService interface {
	// SetNoSpeaking sets the given periods (nil: unchanged) from now.
	// CodeConfigNoAccount if the account is not imported.
	SetNoSpeaking(ctx context.Context, app uint64, userID string, c2c, group *int64) error
	// GetNoSpeaking reads an account's periods still running.
	GetNoSpeaking(ctx context.Context, app uint64, userID string) (NoSpeaking, error)
}
