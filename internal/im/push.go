package im

import "context"

// All-member push (all_member_push: im_push and the attribute and tag
// commands; docs/fidelity/push.md). An app names up to ten user attributes
// ("0".."9"); each account may hold a value for each and up to 100 tags.
// im_push selects accounts by those and records a push task; timd has no
// client connections, so the push itself reaches nobody, and its message
// does not enter any history (Tencent: "支持消息离线存储，不支持漫游",
// 269/45934).

// Codes of all_member_push (269/45935..45943, 269/45934; the push service's
// code table 269/117847).
const (
	CodePushJSON          = 90001 // body not JSON (also timd's code for a mistyped field)
	CodePushMsgRandom     = 90005 // MsgRandom missing or not an integer
	CodePushMsgBody       = 90002 // MsgBody not in the message format (openim's code)
	CodePushMsgBodyArray  = 90007 // MsgBody not an array (openim's code)
	CodePushFromAccount   = 90008 // From_Account not imported (openim's code)
	CodePushTooManyUsers  = 90018 // over 100 accounts in one request
	CodePushTagTooLong    = 90020 // a tag over 50 bytes
	CodePushTagBoth       = 90022 // a tag in both TagsOr and TagsAnd
	CodePushTooFrequent   = 90024 // two pushes less than a second apart
	CodePushLifeTime      = 90026 // MsgLifeTime out of 0..604800
	CodePushTooManyTags   = 90032 // over 10 tags in a condition or an add request
	CodePushAttrInvalid   = 90033 // an attribute that is not named, or a bad value
	CodePushAttrsAndTags  = 90039 // attribute and tag conditions together
	CodePushTagEmpty      = 90040 // an empty tag
	CodePushDailyLimit    = 90047 // over 100 pushes in a day
	CodePushTooLarge      = 90056 // MsgBody over the message size limit
	CodePushInternal      = 91000 // internal error
	CodePushUserNotFound  = 70107 // ErrorList code of an account that is not imported
	CodePushUserTagsLimit = 90032 // timd's code for an account past 100 tags (undocumented)
)

// Limits of all_member_push.
const (
	MaxPushAttrs          = 10     // attribute names per app, "0".."9"
	MaxPushAttrBytes      = 50     // an attribute name or value
	MaxPushUsers          = 100    // accounts per request
	MaxPushTagBytes       = 50     // a tag
	MaxPushTagsPerAdd     = 10     // tags added to one account in one request
	MaxPushTagsPerUser    = 100    // tags one account holds
	MaxPushConditionTags  = 10     // tags in TagsAnd, and in TagsOr
	MaxPushLifeTime       = 604800 // MsgLifeTime, 7 days
	PushDedupWindowMillis = 7 * 24 * 3600 * 1000
	PushIntervalMillis    = 1000 // two pushes must be more than 1 s apart
	MaxPushesPerDay       = 100
)

// UserAttrs is one account's attribute values by attribute name.
type UserAttrs struct {
	UserID string
	Attrs  map[string]string
}

// UserAttrNames is one account's attribute names, for im_remove_attr.
type UserAttrNames struct {
	UserID string
	Names  []string
}

// UserTags is one account's tags.
type UserTags struct {
	UserID string
	Tags   []string
}

// PushCondition selects the accounts of an im_push: all of them when it is
// empty. The tag and the attribute conditions never come together.
type PushCondition struct {
	TagsAnd, TagsOr   []string
	AttrsAnd, AttrsOr map[string]string
}

// PushTask is one im_push.
type PushTask struct {
	MsgRandom   uint32
	From        string
	Body        MsgBody
	LifeTime    int
	Condition   PushCondition
	OfflinePush []byte // OfflinePushInfo as sent, or nil
}

// PushResult is what im_push recorded.
type PushResult struct {
	TaskID     string
	Recipients int  // accounts the condition selected
	Repeated   bool // an earlier push had the same MsgRandom: nothing new
}

// PushService keeps the attributes and tags of all-member push and its
// tasks. The per-account commands report accounts that are not imported in
// their result (70107) and do the rest; the others fail whole.
type PushService interface {
	SetAttrNames(ctx context.Context, app uint64, names map[int]string) error
	AttrNames(ctx context.Context, app uint64) (map[int]string, error)
	UserAttrs(ctx context.Context, app uint64, userIDs []string) (found []UserAttrs, missing []string, err error)
	SetUserAttrs(ctx context.Context, app uint64, attrs []UserAttrs) (missing []string, err error)
	RemoveUserAttrs(ctx context.Context, app uint64, attrs []UserAttrNames) (missing []string, err error)
	UserTagsOf(ctx context.Context, app uint64, userIDs []string) (found []UserTags, missing []string, err error)
	AddUserTags(ctx context.Context, app uint64, tags []UserTags) (missing []string, err error)
	RemoveUserTags(ctx context.Context, app uint64, tags []UserTags) (missing []string, err error)
	RemoveAllUserTags(ctx context.Context, app uint64, userIDs []string) (missing []string, err error)
	Push(ctx context.Context, app uint64, t PushTask) (PushResult, error)
}
