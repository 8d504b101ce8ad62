package im

import "context"

// RuntimeAppService keeps the apps created while timd runs
// (timd_apps, docs/control-apps.md): stored with the data, so that they
// survive restarts and every instance on the database serves them.
type RuntimeAppService interface {
	// CreateApp stores app with its admins imported. An SDKAppID of 0 is
	// allocated: the lowest free one from FirstRuntimeAppID up for which
	// taken is false. A stored app with the same SDKAppID is 91001.
	CreateApp(ctx context.Context, app *App, taken func(sdkappid uint64) bool) error
	// RuntimeApps returns every stored app, in SDKAppID order.
	RuntimeApps(ctx context.Context) ([]*App, error)
	// RuntimeApp returns one stored app, nil if there is none.
	RuntimeApp(ctx context.Context, sdkappid uint64) (*App, error)
	// DeleteApp deletes a stored app and every row of its data in one
	// transaction; an app that is not stored is 91001.
	DeleteApp(ctx context.Context, sdkappid uint64) error
}

// FirstRuntimeAppID is the first SDKAppID timd allocates for an app created
// at runtime without one.
const FirstRuntimeAppID = 1_600_000_000

// ObjectService lists an app's stored objects (timd_control/list_objects).
type ObjectService interface {
	ListObjects(ctx context.Context, app uint64, q ObjectQuery) (*ObjectPage, error)
}

// The kinds of object ListObjects lists.
const (
	ObjectAccount     = "Account"
	ObjectGroup       = "Group"
	ObjectGroupMember = "GroupMember" // of ObjectQuery.GroupID
	ObjectFriend      = "Friend"      // of ObjectQuery.From
)

// MaxObjectPage bounds ObjectQuery.Limit.
const MaxObjectPage = 1000

// ObjectQuery asks for one page of one kind of object, in the kind's
// order, after Cursor (the NextCursor of the previous page; "" for the
// first).
type ObjectQuery struct {
	Type    string
	GroupID string // ObjectGroupMember
	From    string // ObjectFriend
	Cursor  string
	Limit   int
}

// Object is one listed object: ID is its key (UserID, GroupId, the
// member's or friend's UserID); the other fields are set for the kinds
// that have them.
type Object struct {
	ID        string
	GroupType string // ObjectGroup
	Name      string // ObjectGroup; ObjectAccount's nick
	Owner     string // ObjectGroup
	Role      string // ObjectGroupMember
}

// ObjectPage is one page of objects; NextCursor is "" after the last.
type ObjectPage struct {
	Objects    []Object
	NextCursor string
}
