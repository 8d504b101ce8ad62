package im

import (
	"context"
	"time"
)

// Follows (docs/fidelity/follow.md): one user following another, one way,
// the follow service's five commands (269/118908–118913, 1047/70345–70350)
// and its two callbacks.

// Codes and limits of the follow service.
const (
	CodeFollowInvalid  = 30001 // a field missing or malformed
	CodeFollowNoUser   = 30003 // an account that does not exist
	CodeFollowDisabled = 30005 // the feature needs the Ultimate edition
	CodeFollowInternal = 30006
	CodeFollowTimeout  = 30007
	CodeFollowTooMany  = 32100 // From_Account follows MaxFollowing users already

	MaxFollowItems = 20   // To_Account a follow_add, follow_delete or follow_get_info names
	MaxFollowCheck = 100  // To_Account a follow_check names
	MaxFollowing   = 5000 // users one may follow ("关注用户数量上限为 5000 人,粉丝用户数量无上限")
	MaxFollowGet   = 1000 // WantNum of follow_get
)

// The lists of follow_get (FollowType): "1 - 粉丝 2 - 关注 3 - 互关".
const (
	FollowListFollowers = 1
	FollowListFollowing = 2
	FollowListMutual    = 3
)

// The relations of follow_check (FollowType of each result), From_Account
// to To_Account.
const (
	FollowNone      = 0 // neither follows the other
	FollowFollower  = 1 // To_Account follows From_Account only
	FollowFollowing = 2 // From_Account follows To_Account only
	FollowMutual    = 3
)

// FollowResult is one To_Account of a write or a read: Code 0, or why it
// failed (Info).
type FollowResult struct {
	To   string
	Code int
	Info string
}

// FollowRelation is one To_Account of follow_check.
type FollowRelation struct {
	FollowResult
	Type int // FollowNone and the others
}

// FollowCounts is one To_Account of follow_get_info.
type FollowCounts struct {
	FollowResult
	Followers, Following, Mutual int
}

// FollowEntry is one user of a follow_get page, with the time (unix s) the
// follow that puts them on the list was made (the later of the two for a
// mutual follow).
type FollowEntry struct {
	User string
	Time int64
}

// FollowService keeps follows. Every method answers 30003 for a
// From_Account that is not an account; a To_Account that is not one is
// its item's 30003.
type FollowService interface {
	// FollowAdd makes from follow each of to: an item is 30001 for from
	// itself, 32100 once from follows MaxFollowing users, 0 for one from
	// follows already (nothing changes). Records
	// Follow.CallbackAfterFollowAdd naming the follows it made.
	FollowAdd(ctx context.Context, op Op, from string, to []string) ([]FollowResult, error)
	// FollowDelete ends from's follows of each of to (0 for one from does
	// not follow). Records Follow.CallbackAfterFollowDelete naming those
	// it ended.
	FollowDelete(ctx context.Context, op Op, from string, to []string) ([]FollowResult, error)
	// FollowCheck tells how from and each of to follow each other.
	FollowCheck(ctx context.Context, app uint64, from string, to []string) ([]FollowRelation, error)
	// FollowGet returns a page of up to n of from's followers, follows or
	// mutual follows (FollowListFollowers and the others), newest first,
	// from cursor ("" for the first page), and the cursor of the next
	// page, "" after the last.
	FollowGet(ctx context.Context, app uint64, from string, list int, cursor string, n int) ([]FollowEntry, string, error)
	// FollowInfo counts each of to's followers, follows and mutual follows.
	FollowInfo(ctx context.Context, app uint64, from string, to []string) ([]FollowCounts, error)
}

// The follow callbacks (269/118915, 1047/70355, 1047/70356).
const (
	CallbackAfterFollowAdd    = "Follow.CallbackAfterFollowAdd"
	CallbackAfterFollowDelete = "Follow.CallbackAfterFollowDelete"
)

// FollowTo is one entry of FollowList.
type FollowTo struct {
	To string `json:"To_Account"`
}

// AfterFollowAddBody is Follow.CallbackAfterFollowAdd, in the sample's
// order: the follows made.
type AfterFollowAddBody struct {
	Command    string     `json:"CallbackCommand,omitempty"`
	From       string     `json:"From_Account"`
	FollowList []FollowTo `json:"FollowList"`
	EventTime  *int64     `json:"EventTime,omitempty"`
}

func (AfterFollowAddBody) CallbackCommand() string { return CallbackAfterFollowAdd }
func (b AfterFollowAddBody) EventKey() string      { return b.From }
func (b AfterFollowAddBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}

// AfterFollowDeleteBody is Follow.CallbackAfterFollowDelete, in the
// sample's order: the follows ended.
type AfterFollowDeleteBody struct {
	Command   string   `json:"CallbackCommand,omitempty"`
	From      string   `json:"From_Account"`
	To        []string `json:"To_Account"`
	EventTime *int64   `json:"EventTime,omitempty"`
}

func (AfterFollowDeleteBody) CallbackCommand() string { return CallbackAfterFollowDelete }
func (b AfterFollowDeleteBody) EventKey() string      { return b.From }
func (b AfterFollowDeleteBody) stamped(at time.Time) any {
	b.Command, b.EventTime = b.CallbackCommand(), eventTime(at)
	return b
}
