package im

import (
	"context"
	"math"
)

// Group counters (docs/fidelity/group-admin.md#group-counters): up to 20
// integer key/value pairs a group carries, which Tencent's clients use for
// a live room's likes and viewers. get_group_counter reads them,
// update_group_counter sets, increases or decreases them and
// delete_group_counter deletes them (269/85952, 269/85953, 269/85954).

// Limits and codes of group counters.
const (
	MaxGroupCounters   = 20  // keys a group may have, and a request may name
	MaxGroupCounterKey = 128 // bytes of a key

	// CodeGroupCounterEdition: the feature needs the Ultimate edition
	// (get_group_counter's table: "该特性需要购买进阶版才可以支持").
	CodeGroupCounterEdition = 10059
)

// The modes of update_group_counter.
const (
	GroupCounterSet      = "Set"      // the value given replaces the key's
	GroupCounterIncrease = "Increase" // the value given is added to the key's (0 if new)
	GroupCounterDecrease = "Decrease" // the value given is taken from the key's (0 if new)
)

// ValidGroupCounterMode reports whether mode is one of the three.
func ValidGroupCounterMode(mode string) bool {
	return mode == GroupCounterSet || mode == GroupCounterIncrease || mode == GroupCounterDecrease
}

// GroupCounter is one group counter, as Tencent spells it in GroupCounter.
type GroupCounter struct {
	Key   string `json:"Key"`
	Value int64  `json:"Value"`
}

// GroupCounterUpdate is one update_group_counter: Mode and the pairs given.
type GroupCounterUpdate struct {
	Mode     string
	Counters []GroupCounter
}

// Apply returns the counters after the update to cur, and the keys it
// named with their new values, each once, in the order first named (a key
// named twice is updated twice). A new key goes after the others. It fails
// with CodeGroupInvalid when a value would pass int64's range or the group
// would have more than MaxGroupCounters keys.
func (u GroupCounterUpdate) Apply(cur []GroupCounter) (next, updated []GroupCounter, err error) {
	next = append([]GroupCounter(nil), cur...)
	for _, c := range u.Counters {
		i := indexGroupCounter(next, c.Key)
		if i < 0 {
			next = append(next, GroupCounter{Key: c.Key})
			i = len(next) - 1
		}
		v, ok := applyCounter(next[i].Value, c.Value, u.Mode)
		if !ok {
			return nil, nil, Errorf(CodeGroupInvalid, "group counter %q would pass the range of a 64-bit signed integer", c.Key)
		}
		next[i].Value = v
		if j := indexGroupCounter(updated, c.Key); j >= 0 {
			updated[j].Value = v
		} else {
			updated = append(updated, next[i])
		}
	}
	if len(next) > MaxGroupCounters {
		return nil, nil, Errorf(CodeGroupInvalid, "a group has at most %d counters", MaxGroupCounters)
	}
	return next, updated, nil
}

// applyCounter is value changed by v in mode, and false if it overflows.
func applyCounter(value, v int64, mode string) (int64, bool) {
	switch mode {
	case GroupCounterIncrease:
		if (v > 0 && value > math.MaxInt64-v) || (v < 0 && value < math.MinInt64-v) {
			return 0, false
		}
		return value + v, true
	case GroupCounterDecrease:
		if (v > 0 && value < math.MinInt64+v) || (v < 0 && value > math.MaxInt64+v) {
			return 0, false
		}
		return value - v, true
	}
	return v, true
}

func indexGroupCounter(list []GroupCounter, key string) int {
	for i := range list {
		if list[i].Key == key {
			return i
		}
	}
	return -1
}

// PickGroupCounters returns those of cur whose keys are in keys, in the
// order of keys, each once; all of cur when keys is empty. A key the group
// does not have is left out.
func PickGroupCounters(cur []GroupCounter, keys []string) []GroupCounter {
	if len(keys) == 0 {
		return cur
	}
	out := []GroupCounter{}
	for _, k := range keys {
		if i := indexGroupCounter(cur, k); i >= 0 && indexGroupCounter(out, k) < 0 {
			out = append(out, cur[i])
		}
	}
	return out
}

// GroupCounterService keeps groups' counters. They go with their group when
// it is dismissed. Every method answers 10010 for a group that does not
// exist and 10007 for a Community.
type GroupCounterService interface {
	// GroupCounters reads a group's counters named in keys (all when
	// empty), as PickGroupCounters; none: empty, not nil.
	GroupCounters(ctx context.Context, app uint64, groupID string, keys []string) ([]GroupCounter, error)

	// UpdateGroupCounters applies one update and returns the counters it
	// named with their new values (GroupCounterUpdate.Apply).
	UpdateGroupCounters(ctx context.Context, op Op, groupID string, u GroupCounterUpdate) ([]GroupCounter, error)

	// DeleteGroupCounters deletes the counters named in keys (a key the
	// group lacks is passed over), or all of them when keys is empty.
	DeleteGroupCounters(ctx context.Context, op Op, groupID string, keys []string) error
}
