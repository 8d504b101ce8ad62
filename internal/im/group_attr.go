package im

import "context"

// Group custom attributes (docs/fidelity/group-admin.md#group-attributes):
// up to 16 key/value pairs a group carries, which Tencent's clients use for
// the seats of a live room. get_group_attr reads them; modify_group_attr,
// set_group_attr, clear_group_attr and delete_group_attr write them.

// Limits and codes of group attributes (269/67010, 1047/44190, 1047/59499).
const (
	MaxGroupAttrs      = 16    // keys a group may have
	MaxGroupAttrKey    = 32    // bytes of a key
	MaxGroupAttrValue  = 4000  // bytes of a value
	MaxGroupAttrsBytes = 16384 // bytes of all keys and values together [?: the client pages' 16 KB]
	// GroupAttrWritesPerSec is how many writes of one group's attributes
	// the REST API takes in a second, the four commands together (1047/50321:
	// "5 times every second in total on the backend").
	GroupAttrWritesPerSec = 5

	CodeGroupAttrKeyTooLong   = 10045 // a key over MaxGroupAttrKey bytes
	CodeGroupAttrValueTooLong = 10046 // a value over MaxGroupAttrValue bytes
	CodeGroupAttrTooMany      = 10047 // more than MaxGroupAttrs keys
	CodeGroupAttrTooLarge     = 10048 // keys and values over MaxGroupAttrsBytes
	CodeGroupAttrRate         = 10049 // more than GroupAttrWritesPerSec writes of a group in a second
	CodeGroupAttrMissing      = 10050 // delete_group_attr: no such key
)

// The writes of group attributes, as Group.CallbackAfterGroupAttrChanged
// names them in OptionType.
const (
	GroupAttrSet    = "set"    // set_group_attr: the list replaces the attributes
	GroupAttrModify = "modify" // modify_group_attr: the list adds or replaces keys
	GroupAttrClear  = "clear"  // clear_group_attr: every key goes
	GroupAttrDelete = "delete" // delete_group_attr: the keys listed go
)

// GroupAttr is one group attribute. Its JSON keys are lower-case, as
// Tencent spells them in GroupAttr and GroupAttrAry.
type GroupAttr struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// GroupAttrChange is one write: Op is GroupAttrSet, GroupAttrModify,
// GroupAttrClear or GroupAttrDelete; Attrs the pairs given (for a delete,
// only their keys count; for a clear, none).
type GroupAttrChange struct {
	Op    string
	Attrs []GroupAttr
}

// Apply returns the attributes after the change to cur, and those the
// change wrote (set, modify: the pairs given, a key named twice once with
// its last value) or removed (clear, delete: with the values they had).
// It fails with CodeGroupAttrMissing for a delete of a key cur lacks, and
// CodeGroupAttrTooMany or CodeGroupAttrTooLarge when the result passes the
// limits. Keys keep the place they were first set in.
func (ch GroupAttrChange) Apply(cur []GroupAttr) (next, changed []GroupAttr, err error) {
	switch ch.Op {
	case GroupAttrClear:
		return nil, cur, nil
	case GroupAttrDelete:
		return deleteGroupAttrs(cur, ch.Attrs)
	case GroupAttrSet:
		cur = nil
	}
	next = append([]GroupAttr(nil), cur...)
	for _, a := range ch.Attrs {
		next = upsertGroupAttr(next, a)
		changed = upsertGroupAttr(changed, a)
	}
	if len(next) > MaxGroupAttrs {
		return nil, nil, Errorf(CodeGroupAttrTooMany, "a group has at most %d attributes", MaxGroupAttrs)
	}
	size := 0
	for _, a := range next {
		size += len(a.Key) + len(a.Value)
	}
	if size > MaxGroupAttrsBytes {
		return nil, nil, Errorf(CodeGroupAttrTooLarge, "a group's attributes hold at most %d bytes", MaxGroupAttrsBytes)
	}
	return next, changed, nil
}

// upsertGroupAttr sets a in list, in its place if its key is there.
func upsertGroupAttr(list []GroupAttr, a GroupAttr) []GroupAttr {
	for i := range list {
		if list[i].Key == a.Key {
			list[i].Value = a.Value
			return list
		}
	}
	return append(list, a)
}

// deleteGroupAttrs removes the keys of del from cur: all of them, or none
// when one is missing.
func deleteGroupAttrs(cur, del []GroupAttr) (next, removed []GroupAttr, err error) {
	gone := make(map[string]bool, len(del))
	for _, d := range del {
		found := false
		for _, a := range cur {
			found = found || a.Key == d.Key
		}
		if !found {
			return nil, nil, Errorf(CodeGroupAttrMissing, "the group has no attribute %q", d.Key)
		}
		gone[d.Key] = true
	}
	for _, a := range cur {
		if gone[a.Key] {
			removed = append(removed, a)
		} else {
			next = append(next, a)
		}
	}
	return next, removed, nil
}

// GroupAttrService keeps groups' custom attributes. They go with their
// group when it is dismissed.
type GroupAttrService interface {
	// GroupAttrs reads a group's attributes in the order their keys were
	// first set (none: empty, not nil). 10010.
	GroupAttrs(ctx context.Context, app uint64, groupID string) ([]GroupAttr, error)

	// ChangeGroupAttrs applies one write and records
	// Group.CallbackAfterGroupAttrChanged. 10010; 10007 for a clear of a
	// Community; 10050, 10047, 10048 as GroupAttrChange.Apply.
	ChangeGroupAttrs(ctx context.Context, op Op, groupID string, ch GroupAttrChange) error
}
