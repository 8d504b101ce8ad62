package im

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"time"
)

// State control (timd_control reset, export, import and snapshots;
// docs/control-state.md): an app's whole state as one JSON document.

// StateFormat and StateVersion name the document's format; import refuses
// any other.
const (
	StateFormat  = "timd-export"
	StateVersion = 1
)

// StateRow is one stored row of the document: a column name and its JSON
// value (a string or an integer), kept raw so that 64-bit integers pass
// through unchanged.
type StateRow = map[string]json.RawMessage

// StateDoc is an app's whole state: one list of rows per table the app owns,
// in the tables' storage order. A field's rows are its table's columns but
// app_id; rows that name a group by its storage number name it by GroupId
// (group_id), and the order of the C2C messages stands for their storage
// ids (conversations' clear_pos). The callback outbox is not part of it.
type StateDoc struct {
	Format   string
	Version  int
	SdkAppId uint64

	Accounts          []StateRow
	Profiles          []StateRow
	OnlineStates      []StateRow
	NoSpeaking        []StateRow
	SNSUsers          []StateRow
	Friends           []StateRow
	FriendLists       []StateRow
	FriendListMembers []StateRow
	FriendRequests    []StateRow
	Blacklist         []StateRow
	Follows           []StateRow
	Groups            []StateRow
	GroupMembers      []StateRow
	GroupAttrs        []StateRow
	GroupCounters     []StateRow
	GroupOutsideMutes []StateRow
	GroupBans         []StateRow
	GroupTopics       []StateRow
	GroupMsgClears    []StateRow
	GroupMsgExts      []StateRow
	GroupMsgExtKVs    []StateRow
	C2CMsgExts        []StateRow
	C2CMsgExtKVs      []StateRow
	GroupMsgs         []StateRow
	C2CMsgs           []StateRow
	Conversations     []StateRow
	ContactUsers      []StateRow
	ContactGroups     []StateRow
	ContactItems      []StateRow
	ContactGroupItems []StateRow
	PushAttrNames     []StateRow
	PushUserAttrs     []StateRow
	PushUserTags      []StateRow
	PushTasks         []StateRow
}

// Snapshot describes one stored snapshot of an app's state.
type Snapshot struct {
	Name      string
	CreatedAt time.Time
	Size      int // length of its JSON document, in characters
}

// StateControlService resets, exports and imports an app's state, and keeps
// named snapshots of it. Every call is one transaction. Reset and import
// drop the app's callback events and then import admins (the app's admin
// accounts) as at start. An invalid document or name is CodeMgmtInvalid and
// changes nothing.
type StateControlService interface {
	ResetApp(ctx context.Context, app uint64, admins []string) error
	ExportApp(ctx context.Context, app uint64) (*StateDoc, error)
	ImportApp(ctx context.Context, app uint64, doc *StateDoc, admins []string) error

	SaveSnapshot(ctx context.Context, app uint64, name string) (*Snapshot, error)
	RestoreSnapshot(ctx context.Context, app uint64, name string, admins []string) error
	ListSnapshots(ctx context.Context, app uint64) ([]Snapshot, error)
	DeleteSnapshot(ctx context.Context, app uint64, name string) error
}

// ParseStateDoc reads a document from a file's bytes. Keys are matched
// exactly, and a key that is neither a field of StateDoc nor one of the
// reply envelope's (an export saved from the REST API) is refused, so that
// a misspelt table is not silently left empty.
func ParseStateDoc(b []byte) (*StateDoc, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(b, &keys); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	t := reflect.TypeFor[StateDoc]()
	for k := range keys {
		if f, ok := t.FieldByName(k); (!ok || !f.IsExported()) && !envelopeKeys[k] {
			return nil, fmt.Errorf("%q is not a key of a state document", k)
		}
	}
	var doc StateDoc
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, err
	}
	return &doc, nil
}

// envelopeKeys are the keys of a REST reply's envelope.
var envelopeKeys = map[string]bool{"ActionStatus": true, "ErrorInfo": true, "ErrorCode": true}
