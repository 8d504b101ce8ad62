package im

import (
	"context"
	"encoding/json"
	"time"
)

// The rest of the relationship chain: friend_update, friend_delete_all,
// friend_get_list and blocklists (docs/fidelity/sns.md).

// Blocklist check modes and the relations black_list_check answers.
const (
	BlackCheckSingle    = "BlackCheckResult_Type_Single"
	BlackCheckBoth      = "BlackCheckResult_Type_Both"
	BlackRelationNone   = "BlackCheckResult_Type_NO"
	BlackRelationAWithB = "BlackCheckResult_Type_AWithB" // From_Account blocks To_Account
	BlackRelationBWithA = "BlackCheckResult_Type_BWithA" // only To_Account blocks From_Account
	BlackRelationBoth   = "BlackCheckResult_Type_BothWay"
)

// Codes of blocklists and of friend_add against them (1047/34902, 34911).
const (
	CodeSNSBlacklistLimit = 30013 // the user's blocklist holds 1000 accounts
	CodeSNSPeerBlocked    = 30515 // friend_add: To_Account is in From_Account's blocklist
	CodeSNSBlockedByPeer  = 30525 // friend_add: From_Account is in To_Account's blocklist
)

// Blocklist and friend_get_list limits.
const (
	MaxBlacklist     = 1000 // accounts in one user's blocklist (30013)
	MaxBlacklistPage = 1000 // black_list_get's MaxLimited
	MaxFriendGetList = 100  // To_Account of friend_get_list
)

// Standard profile tags; Nick and Image are kept with the account.
const (
	ProfileTagPrefix       = "Tag_Profile_IM_"
	ProfileCustomTagPrefix = "Tag_Profile_Custom_"
	TagProfileNick         = "Tag_Profile_IM_Nick"
	TagProfileImage        = "Tag_Profile_IM_Image"
	TagProfileAllowType    = "Tag_Profile_IM_AllowType"
)

// StandardProfileTags are the Tag_Profile_IM_* fields of 1047/33520.
var StandardProfileTags = []string{
	TagProfileNick, "Tag_Profile_IM_Gender", "Tag_Profile_IM_BirthDay", "Tag_Profile_IM_Location",
	"Tag_Profile_IM_SelfSignature", TagProfileAllowType, "Tag_Profile_IM_Language", TagProfileImage,
	"Tag_Profile_IM_MsgSettings", "Tag_Profile_IM_AdminForbidType", "Tag_Profile_IM_Level", "Tag_Profile_IM_Role",
}

// FriendUpdate is one UpdateItem of friend_update, validated: nil fields
// are left as they are; Lists, when set, replaces the friend's lists.
type FriendUpdate struct {
	To     string
	Remark *string
	Lists  *[]string
	Custom []CustomItem // set or replaced, by tag
}

// FriendInfo is one To_Account of friend_get_list: the friend row (nil
// when To_Account is not a friend) and the account's profile fields, each
// a JSON value by tag (Nick and Image included when not empty).
type FriendInfo struct {
	Friend  *Friend
	Profile map[string]json.RawMessage
}

// Blocked is one account of a blocklist.
type Blocked struct {
	UserID  string
	AddTime time.Time
}

// BlacklistPage is one page of black_list_get.
type BlacklistPage struct {
	Items []Blocked
	Next  int   // the next page's StartIndex; 0 on the last page
	Seq   int64 // CurrentSequence: moves once per call that changed the blocklist
}

// SNSMoreService is the rest of the relationship chain. Writes follow
// SNSService's rules (one transaction, users locked in UserID order,
// sequences moved once per call).
type SNSMoreService interface {
	// UpdateFriends applies friend_update. Per item: 30001 when To_Account
	// is not a friend, 30011 when the lists named would pass 32.
	UpdateFriends(ctx context.Context, op Op, from string, items []FriendUpdate) ([]*Error, error)

	// DeleteAllFriends removes every friend of the user (friend_delete_all)
	// and, with both, the user from those friends' lists; it records
	// Sns.CallbackFriendDelete for the rows removed.
	DeleteAllFriends(ctx context.Context, op Op, from string, both bool) error

	// FriendInfos reads friend_get_list's friends and profiles.
	FriendInfos(ctx context.Context, app uint64, from string, to []string) ([]FriendInfo, error)

	// AddBlacklist blocks accounts (black_list_add): a friendship between
	// the two ends both ways, with Sns.CallbackFriendDelete, and
	// Sns.CallbackBlackListAdd is recorded for the accounts blocked. Per
	// item: 30001 (oneself, already blocked), 30003 (not imported), 30013
	// (the blocklist is full).
	AddBlacklist(ctx context.Context, op Op, from string, to []string) ([]*Error, error)

	// DeleteBlacklist unblocks accounts (black_list_delete) and records
	// Sns.CallbackBlackListDelete. Per item: 30001 when not blocked.
	DeleteBlacklist(ctx context.Context, op Op, from string, to []string) ([]*Error, error)

	// Blacklist reads a page of the user's blocklist in the order of
	// blocking.
	Blacklist(ctx context.Context, app uint64, from string, start, limit int) (BlacklistPage, error)

	// CheckBlacklist answers black_list_check's relations.
	CheckBlacklist(ctx context.Context, app uint64, from string, to []string, both bool) ([]string, error)
}
