package im

import (
	"context"
	"strings"
	"time"
)

// Group types as they appear on the wire (docs/decisions.md §3.1).
const (
	GroupPrivate    = "Private"
	GroupPublic     = "Public"
	GroupChatRoom   = "ChatRoom"
	GroupAVChatRoom = "AVChatRoom"
	GroupCommunity  = "Community"
)

// Member roles.
const (
	RoleOwner  = "Owner"
	RoleAdmin  = "Admin"
	RoleMember = "Member"
)

// Group limits (docs/fidelity/groups.md, docs/decisions.md §3.6).
const (
	MaxGroupIDBytes      = 48
	MaxGroupNameBytes    = 30
	MaxIntroBytes        = 240
	MaxNotificationBytes = 300
	MaxFaceURLBytes      = 100
	MaxCreateMembers     = 100 // MemberList of create_group
	MaxAddMembers        = 300 // MemberList of add_group_member
	MaxDeleteMembers     = 100 // MemberToDel_Account of delete_group_member
	MaxGroupInfoBatch    = 50  // GroupIdList of get_group_info
	MaxAppDefinedKeys    = 20
	MaxAppDefinedKey     = 16
	MaxAppDefinedValue   = 512
	MaxAppGroupListLimit = 10000
	MaxMemberInfoLimit   = 6000
	MaxSpecifiedMembers  = 50 // Member_List_Account of get_specified_group_member_info
)

// GroupTypeAlias maps the names create_group accepts to stored types: Work
// and Meeting are the new names of Private and ChatRoom.
var GroupTypeAlias = map[string]string{
	GroupPrivate: GroupPrivate, "Work": GroupPrivate,
	GroupPublic:   GroupPublic,
	GroupChatRoom: GroupChatRoom, "Meeting": GroupChatRoom,
	GroupAVChatRoom: GroupAVChatRoom,
	GroupCommunity:  GroupCommunity,
}

// MemberCap is the most members a group of the type may have; 0 means the
// type keeps no member list (AVChatRoom).
func MemberCap(groupType string) int {
	switch groupType {
	case GroupPrivate:
		return 200
	case GroupPublic:
		return 2000
	case GroupChatRoom:
		return 10000
	case GroupCommunity:
		return 100000
	}
	return 0
}

// GroupIDTypeChar is the character after "@TGS#" in automatic GroupIds.
func GroupIDTypeChar(groupType string) byte {
	switch groupType {
	case GroupPrivate:
		return '1'
	case GroupPublic:
		return '2'
	case GroupChatRoom:
		return '3'
	case GroupAVChatRoom:
		return 'a'
	}
	return '_' // Community
}

// WellFormedGroupID reports whether s could be a GroupId at all: 1 to 48
// bytes of printable ASCII. Anything else is 10015 wherever a group is named.
func WellFormedGroupID(s string) bool {
	if len(s) == 0 || len(s) > MaxGroupIDBytes {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// ValidCustomGroupID reports whether s may be chosen as a custom GroupId for
// a group of the type: well formed, no spaces, not starting with "@TGS#",
// except that a Community's must start with "@TGS#_".
func ValidCustomGroupID(s, groupType string) bool {
	if !WellFormedGroupID(s) || strings.ContainsRune(s, ' ') {
		return false
	}
	if groupType == GroupCommunity {
		return strings.HasPrefix(s, "@TGS#_") && len(s) > len("@TGS#_")
	}
	return !strings.HasPrefix(s, "@TGS#")
}

// KV is one custom field (AppDefinedData, AppMemberDefinedData).
type KV struct {
	Key   string
	Value string
}

// Group is a group's base profile.
type Group struct {
	// Seq is the group's identity in storage: a group created under a
	// dismissed group's custom id has a new one.
	Seq          int64
	GroupID      string
	Type         string
	Name         string
	Introduction string
	Notification string
	FaceURL      string
	Owner        string // "" when the group has no owner
	CreateTime   time.Time
	InfoSeq      int64
	LastInfoTime time.Time
	MemberNum    int
	MaxMemberNum int
	ApplyJoin    string
	InviteJoin   string
	MuteAll      bool
	AppDefined   []KV
	// NextMsgSeq is the MsgSeq the group's next message gets, from 1;
	// LastMsgTime the unix seconds of its latest message, 0 before any.
	NextMsgSeq  int64
	LastMsgTime int64
}

// Member is one member of a group.
type Member struct {
	Seq        int64 // order of joining within the group; Community paging cursor
	UserID     string
	Role       string
	JoinTime   time.Time
	MsgFlag    string
	NameCard   string
	MuteUntil  int64
	Unread     int // UnreadMsgNum, as set_unread_msg_num or an import set it
	AppDefined []KV
}

// NewGroup is what create_group asks for, validated by the caller.
type NewGroup struct {
	Group
	CustomID     bool // GroupID was chosen by the caller
	SupportTopic bool // a Community that takes topics (create_group's SupportTopic 1)
	Members      []Member
	// Import marks an import_group: CreateTime (unix seconds, 0 for now)
	// is the group's creation time and no callback is recorded.
	Import     bool
	CreateTime int64
}

// GroupUpdate is a modify_group_base_info: nil fields stay as they are.
type GroupUpdate struct {
	Name, Introduction, Notification, FaceURL *string
	MaxMemberNum                              *int
	ApplyJoin, InviteJoin                     *string
	MuteAll                                   *bool
	AppDefined                                []KV // Value "" deletes the key
}

// AddResult is the outcome for one account of add_group_member.
type AddResult int

// ApplyOutcome is what an application to join a group came to.
type ApplyOutcome string

// Outcomes of ApplyJoin.
const (
	ApplyJoined  ApplyOutcome = "Joined"  // FreeAccess: the applicant is a member
	ApplyPending ApplyOutcome = "Pending" // NeedPermission: an admin would decide
)

// add_group_member per-account results
// (docs/fidelity/groups.md#add_group_member).
const (
	AddFailed        AddResult = 0
	AddAdded         AddResult = 1
	AddAlreadyMember AddResult = 2
)

// MemberFilter selects members for get_group_member_info.
type MemberFilter struct {
	Roles  []string // empty: every role
	Users  []string // empty: every member; else only these (get_specified_group_member_info)
	Limit  int      // 0: all
	Offset int
	After  int64 // Community paging: members that joined after this join sequence
}

// GroupListFilter selects groups for get_appid_group_list.
type GroupListFilter struct {
	Type  string // "" for every type
	Limit int
	After int64 // the Next of the previous page; 0 for the first
}

// JoinedFilter selects groups for get_joined_group_list.
type JoinedFilter struct {
	Type           string
	WithHugeGroups bool // include AVChatRoom
	Limit, Offset  int  // Limit 0: all
}

// Joined is one group a user belongs to, with the user's own membership.
type Joined struct {
	Group Group
	Self  Member
}

// Op is what every write needs beyond its arguments: the app (for its
// callback settings) and the admin identifier that made the call.
type Op struct {
	App      *App
	Operator string
	ClientIP string // the REST caller's IP, sent as ClientIP with callbacks
}

// GroupService stores groups and their members.
type GroupService interface {
	// CreateGroup creates a group with its owner and members and records
	// Group.CallbackAfterCreateGroup. 10019 if the owner or a member is not
	// imported, 10021 if a custom id is in use, 10014 over the member cap.
	CreateGroup(ctx context.Context, op Op, g NewGroup) (groupID string, err error)

	// CountOwnedGroups counts the groups of the type that owner owns now
	// (dismissed groups excluded); 0 when owner is "".
	CountOwnedGroups(ctx context.Context, app uint64, owner, groupType string) (int, error)

	// FindGroups returns groups by id; a nil entry means no such group.
	// withMembers also loads the member lists.
	FindGroups(ctx context.Context, app uint64, ids []string, withMembers bool) ([]*Group, [][]Member, error)

	// CacheGeneration is a number that moves after every write
	// transaction ends and before its caller is answered, so that what is
	// read after loading it describes the store while it has not moved;
	// ok is false for a store that cannot say (another process may write).
	CacheGeneration() (gen uint64, ok bool)

	// OnlineMemberNum counts the members of the group (by its storage
	// Seq) that are online on some platform (timd_control/set_state).
	OnlineMemberNum(ctx context.Context, app uint64, groupSeq int64) (int, error)

	// DestroyGroup dismisses a group in one transaction with its members
	// and conversation items, recording Group.CallbackAfterGroupDestroyed.
	// 10010 if it does not exist.
	DestroyGroup(ctx context.Context, op Op, groupID string) error

	// AddMembers adds accounts to a group and records
	// Group.CallbackAfterNewMemberJoin for those added. 10010, 10007
	// (AVChatRoom), 10019, 10014.
	AddMembers(ctx context.Context, op Op, groupID string, userIDs []string) ([]AddResult, error)

	// ApplyJoin is a client's application to join a group, as the group's
	// ApplyJoinOption decides: FreeAccess adds the applicant and records
	// Group.CallbackAfterNewMemberJoin (JoinType "Apply"); NeedPermission
	// changes nothing and answers ApplyPending. 10010, 10007 (DisableApply,
	// AVChatRoom), 10019, 10013 (already a member), 10014.
	ApplyJoin(ctx context.Context, op Op, groupID, userID string) (ApplyOutcome, error)

	// DeleteMembers removes members (non-members are ignored) and records
	// Group.CallbackAfterMemberExit for those removed. 10010, 10007, 10004
	// if the owner is named.
	DeleteMembers(ctx context.Context, op Op, groupID string, userIDs []string) error

	// Members lists a group's members. 10010, 10007 (AVChatRoom).
	// For a Community, next is the After of the following page (0: done).
	Members(ctx context.Context, app uint64, groupID string, f MemberFilter) (group *Group, members []Member, next int64, err error)

	// JoinedGroups lists the groups userID belongs to. 10019 if the user
	// is not imported.
	JoinedGroups(ctx context.Context, app uint64, userID string, f JoinedFilter) (total int, groups []Joined, err error)

	// AppGroups pages through the app's groups in creation order.
	AppGroups(ctx context.Context, app uint64, f GroupListFilter) (total int, ids []string, next int64, err error)

	// ChangeOwner makes a member the owner. 10010, 10007, 10019 (not
	// imported), 10004 (not a member).
	ChangeOwner(ctx context.Context, op Op, groupID, newOwner string) error

	// UpdateGroup changes a group's base profile. 10010, 10004.
	UpdateGroup(ctx context.Context, op Op, groupID string, upd GroupUpdate) error
}
