package im

import (
	"context"
	"time"
)

// Pending friend requests: what friend_add leaves when the peer's
// Tag_Profile_IM_AllowType asks for confirmation (docs/fidelity/sns.md).
// Tencent documents no REST command that lists or answers them: a client
// accepts or refuses a request, and timd serves no client. They are stored,
// replaced by a repeated request, removed when the friendship they ask for
// is made, and removed with either account by account_delete.

// Codes friend_add answers per item from the peer's AllowType
// (V2TIMErrorCode.h; 1047/34902).
const (
	// CodeSNSAllowDenyAny: the peer's AllowType is
	// AllowType_Type_DenyAny, nobody may add it.
	CodeSNSAllowDenyAny = 30516
	// CodeSNSPending: the peer's AllowType is AllowType_Type_NeedConfirm;
	// a pending request was stored, no friend row was made.
	CodeSNSPending = 30539
)

// FriendRequest is one pending friend request: From asked to add To, with
// the item's fields, and whether two-way (Add_Type_Both).
type FriendRequest struct {
	From       string
	To         string
	Both       bool
	Remark     string
	List       string // the one list friend_add names, "" for none
	AddSource  string
	AddWording string
	Time       time.Time // when last requested
}

// SNSPendingService reads pending friend requests. No REST command serves
// them; the store offers them to tests and tools.
type SNSPendingService interface {
	// FriendRequests returns the pending requests user sent or received,
	// ordered by From then To.
	FriendRequests(ctx context.Context, app uint64, user string) ([]FriendRequest, error)
}
