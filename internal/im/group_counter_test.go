package im_test

import (
	"math"
	"slices"
	"testing"

	"github.com/timd/timd/internal/im"
)

// Ensure an update applies its entries in order (a key named twice is
// changed twice and answered once, with its last value), starts a new key
// at 0 for Increase and Decrease, keeps keys in the order first set, and
// refuses a result past int64's range or over MaxGroupCounters keys.
func TestGroupCounterUpdate_Apply(t *testing.T) {
	c := func(k string, v int64) im.GroupCounter { return im.GroupCounter{Key: k, Value: v} }
	cur := []im.GroupCounter{c("a", 1), c("min", math.MinInt64), c("max", math.MaxInt64)}
	for _, tc := range []struct {
		name          string
		mode          string
		in            []im.GroupCounter
		next, updated []im.GroupCounter
		fails         bool
	}{
		{"set", im.GroupCounterSet, []im.GroupCounter{c("b", -5), c("a", 7)},
			[]im.GroupCounter{c("a", 7), c("min", math.MinInt64), c("max", math.MaxInt64), c("b", -5)}, []im.GroupCounter{c("b", -5), c("a", 7)}, false},
		{"increase twice", im.GroupCounterIncrease, []im.GroupCounter{c("a", 2), c("n", 3), c("a", -10)},
			[]im.GroupCounter{c("a", -7), c("min", math.MinInt64), c("max", math.MaxInt64), c("n", 3)}, []im.GroupCounter{c("a", -7), c("n", 3)}, false},
		{"decrease", im.GroupCounterDecrease, []im.GroupCounter{c("n", 3), c("min", -1)},
			[]im.GroupCounter{c("a", 1), c("min", math.MinInt64+1), c("max", math.MaxInt64), c("n", -3)}, []im.GroupCounter{c("n", -3), c("min", math.MinInt64+1)}, false},
		{"max + 1", im.GroupCounterIncrease, []im.GroupCounter{c("max", 1)}, nil, nil, true},
		{"min - 1", im.GroupCounterDecrease, []im.GroupCounter{c("min", 1)}, nil, nil, true},
		{"min + -1", im.GroupCounterIncrease, []im.GroupCounter{c("min", -1)}, nil, nil, true},
		{"0 - min", im.GroupCounterDecrease, []im.GroupCounter{c("new", math.MinInt64)}, nil, nil, true},
		{"-1 - min", im.GroupCounterDecrease, []im.GroupCounter{c("a", 2), c("a", math.MinInt64)},
			[]im.GroupCounter{c("a", math.MaxInt64), c("min", math.MinInt64), c("max", math.MaxInt64)}, []im.GroupCounter{c("a", math.MaxInt64)}, false},
		{"max - max", im.GroupCounterDecrease, []im.GroupCounter{c("max", math.MaxInt64)},
			[]im.GroupCounter{c("a", 1), c("min", math.MinInt64), c("max", 0)}, []im.GroupCounter{c("max", 0)}, false},
	} {
		next, updated, err := im.GroupCounterUpdate{Mode: tc.mode, Counters: tc.in}.Apply(cur)
		if tc.fails {
			if im.ErrorCode(err) != im.CodeGroupInvalid {
				t.Errorf("%s: %v, want 10004", tc.name, err)
			}
			continue
		}
		if err != nil || !slices.Equal(next, tc.next) || !slices.Equal(updated, tc.updated) {
			t.Errorf("%s: %v %v (%v), want %v %v", tc.name, next, updated, err, tc.next, tc.updated)
		}
	}
	var many []im.GroupCounter
	for i := range im.MaxGroupCounters - len(cur) + 1 {
		many = append(many, c(string(rune('A'+i)), 1))
	}
	if _, _, err := (im.GroupCounterUpdate{Mode: im.GroupCounterSet, Counters: many[1:]}).Apply(cur); err != nil {
		t.Errorf("%d keys: %v", im.MaxGroupCounters, err)
	}
	if _, _, err := (im.GroupCounterUpdate{Mode: im.GroupCounterSet, Counters: many}).Apply(cur); im.ErrorCode(err) != im.CodeGroupInvalid {
		t.Errorf("%d keys: %v, want 10004", im.MaxGroupCounters+1, err)
	}
	if !slices.Equal(cur, []im.GroupCounter{c("a", 1), c("min", math.MinInt64), c("max", math.MaxInt64)}) {
		t.Errorf("Apply changed its argument: %v", cur)
	}
}
