package im

import (
	"context"
	"encoding/json"
	"strings"
	"time"
)

// The relationship chain (sns): one-way friend rows and per-user friend lists
// (docs/fidelity/sns.md, docs/decisions.md §4). A two-way friendship is two
// rows. friend_add honours the peer's Tag_Profile_IM_AllowType unless
// ForceAddFlags is 1 (sns_pending.go).

// Modes of friend_add, friend_delete and friend_check.
const (
	AddTypeSingle    = "Add_Type_Single"
	AddTypeBoth      = "Add_Type_Both" // the default
	DeleteTypeSingle = "Delete_Type_Single"
	DeleteTypeBoth   = "Delete_Type_Both"
	CheckTypeSingle  = "CheckResult_Type_Single"
	CheckTypeBoth    = "CheckResult_Type_Both"
)

// Relations friend_check answers.
const (
	RelationNone   = "CheckResult_Type_NoRelation"
	RelationAWithB = "CheckResult_Type_AWithB" // only From_Account has To_Account
	RelationBWithA = "CheckResult_Type_BWithA" // only To_Account has From_Account
	RelationBoth   = "CheckResult_Type_BothWay"
)

// Tags of the standard friend fields, and the prefix of custom ones.
const (
	TagGroup        = "Tag_SNS_IM_Group"
	TagRemark       = "Tag_SNS_IM_Remark"
	TagAddSource    = "Tag_SNS_IM_AddSource"
	TagAddWording   = "Tag_SNS_IM_AddWording"
	TagAddTime      = "Tag_SNS_IM_AddTime"
	CustomTagPrefix = "Tag_SNS_Custom_"
	AddSourcePrefix = "AddSource_Type_"
	NeedFriendYes   = "Need_Friend_Type_Yes"
)

// Relationship chain limits (docs/decisions.md §4.4).
const (
	MaxFriends            = 3000 // friends per user (30010 own, 30014 peer)
	MaxFriendLists        = 32   // friend lists per user (30011)
	MaxFriendListName     = 30   // bytes of a list name
	MaxSNSBatch           = 1000 // AddFriendItem, To_Account per request
	MaxRemarkBytes        = 96
	MaxAddWordingBytes    = 256
	MaxAddSourceKeyword   = 8  // letters after "AddSource_Type_"
	MaxCustomFriendFields = 20 // CustomItem per friend
	MaxCustomTagName      = 8  // bytes after "Tag_SNS_Custom_"
	MaxCustomValueBytes   = 500
	// FriendPageSize is how many friends one friend_get page holds.
	FriendPageSize = 100
)

// ValidAddSource reports whether s is "AddSource_Type_" followed by 1 to 8
// ASCII letters.
func ValidAddSource(s string) bool {
	kw, ok := strings.CutPrefix(s, AddSourcePrefix)
	if !ok || len(kw) == 0 || len(kw) > MaxAddSourceKeyword {
		return false
	}
	for i := 0; i < len(kw); i++ {
		if c := kw[i]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// ValidFriendListName reports whether s can name a friend list: 1 to 30
// bytes without a NUL character (which PostgreSQL cannot store).
func ValidFriendListName(s string) bool {
	return len(s) > 0 && len(s) <= MaxFriendListName && !strings.ContainsRune(s, 0)
}

// CustomItem is one custom friend field: a Tag_SNS_Custom_ tag and its value
// as JSON (a string or an integer).
type CustomItem struct {
	Tag   string
	Value json.RawMessage
}

// Friend is one row of a user's friend list, with the standard fields.
type Friend struct {
	UserID     string // To_Account
	Remark     string
	RemarkTime int64 // unix seconds; 0 if never set
	AddSource  string
	AddWording string
	AddTime    time.Time
	Lists      []string // the user's lists holding this friend, in list order
	Custom     []CustomItem
}

// FriendItem is one friend to add (friend_add) or import (friend_import),
// validated by the caller. friend_add names at most one list.
type FriendItem struct {
	To         string
	Remark     string
	RemarkTime int64 // friend_import only
	Lists      []string
	AddSource  string
	AddWording string
	AddTime    time.Time // friend_import only; zero means now
	Custom     []CustomItem
}

// FriendAdd is a friend_add: From_Account, the items and the modes.
type FriendAdd struct {
	From  string
	Both  bool // Add_Type_Both: the peer gets From_Account as a friend too
	Force bool // ForceAddFlags 1: the peer's AllowType is not consulted
	Items []FriendItem
}

// FriendList is one friend list of a user.
type FriendList struct {
	Name    string
	Count   int      // friends in the list
	Members []string // only when asked for, in UserID order
}

// FriendPage is one page of friend_get.
type FriendPage struct {
	Friends  []Friend
	Total    int   // the user's friends
	Standard int64 // StandardSequence: moves when the friends or their standard fields change
	Custom   int64 // CustomSequence: moves when custom friend fields change
}

// SNSService stores friends and friend lists. Every write runs in one
// transaction that first locks the From_Account (and any other user it
// changes, in UserID order), so writes to one user are serialised, never
// refused (timd never answers 30008). An unknown From_Account is 30003.
//
// Per-item outcomes are nil for success or an *Error whose code goes into
// ResultCode. A user's CurrentSequence moves by exactly one on a call that
// changed the user's lists or list membership, its StandardSequence by one
// on a call that changed its friends or their standard fields.
type SNSService interface {
	// AddFriends adds friends (friend_add) and records
	// Sns.CallbackFriendAdd for the rows it created. A list named by an
	// item that does not exist is created. Per item: 30003 (To_Account not
	// imported), 30001 (adding oneself, or already a friend in every
	// direction asked for: Err_SNS_FriendAdd_Friend_Exist), 30010 (the user
	// has 3000 friends), 30014 (the peer has), 30011 (the list would be a
	// 33rd), 30515/30525 (a blocklist either way); then, unless Force, the
	// peer's AllowType: 30516 for DenyAny, 30539 for NeedConfirm (also an
	// account that never set it) with a pending request stored instead of
	// any row.
	AddFriends(ctx context.Context, op Op, req FriendAdd) ([]*Error, error)

	// ImportFriends imports one-way friends (friend_import) with their
	// fields, lists and custom items; it records no event. Per item as
	// AddFriends, without 30014.
	ImportFriends(ctx context.Context, op Op, from string, items []FriendItem) ([]*Error, error)

	// DeleteFriends removes friends (friend_delete), both directions when
	// both is set, and records Sns.CallbackFriendDelete for the rows it
	// removed. Per item: 31704 when no row was there to remove.
	DeleteFriends(ctx context.Context, op Op, from string, to []string, both bool) ([]*Error, error)

	// CheckFriends answers friend_check's Relation per To_Account; without
	// both, only whether From_Account has To_Account (AWithB or NoRelation).
	CheckFriends(ctx context.Context, app uint64, from string, to []string, both bool) ([]string, error)

	// Friends returns up to limit of the user's friends from index start
	// on, in UserID order.
	Friends(ctx context.Context, app uint64, from string, start, limit int) (FriendPage, error)

	// AddFriendLists creates the named lists that do not exist yet (an
	// existing one is left as it is) and puts the To_Account friends in
	// the new ones; it returns the CurrentSequence after the call. 30011
	// when the user would have more than 32 lists (nothing done). Per
	// To_Account: 32216 if not a friend (the lists are still created).
	AddFriendLists(ctx context.Context, op Op, from string, names, to []string) (int64, []*Error, error)

	// DeleteFriendLists deletes lists; their friends stay friends. 30001
	// naming the first list that does not exist, nothing deleted. Returns
	// the CurrentSequence after the call.
	DeleteFriendLists(ctx context.Context, op Op, from string, names []string) (int64, error)

	// FriendLists returns the user's lists in creation order (only those
	// named, when names is not nil; unknown names are left out) and its
	// CurrentSequence; members lists each list's friends.
	FriendLists(ctx context.Context, app uint64, from string, names []string, members bool) (int64, []FriendList, error)
}
