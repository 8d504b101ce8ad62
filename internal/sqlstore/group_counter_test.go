package sqlstore_test

import (
	"context"
	"math"
	"slices"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

func gc(key string, value int64) im.GroupCounter { return im.GroupCounter{Key: key, Value: value} }

// Ensure group counters are kept per group in the order their keys were
// first set (a deleted key's place is not reused), that Increase and
// Decrease start a new key at 0 and refuse to pass int64's range, that a
// refused update changes nothing, that a Community has none (10007), that
// no update records a callback event, and that a dismissal deletes them.
func TestGroupCounterService(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice")
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		mustCreate(t, db, quiet, newGroup("@TGS#_C", im.GroupCommunity, "alice"))
		update := func(what, group, mode string, code int, want []im.GroupCounter, cs ...im.GroupCounter) {
			t.Helper()
			got, err := db.UpdateGroupCounters(ctx, recording, group, im.GroupCounterUpdate{Mode: mode, Counters: cs})
			wantCode(t, what, err, code)
			if code == 0 && !slices.Equal(got, want) {
				t.Fatalf("%s: updated %v, want %v", what, got, want)
			}
		}
		read := func(group string, keys []string, want ...im.GroupCounter) {
			t.Helper()
			got, err := db.GroupCounters(ctx, gapp, group, keys)
			if err != nil || got == nil || !slices.Equal(got, want) {
				t.Fatalf("%s %v: counters %#v (%v), want %v", group, keys, got, err, want)
			}
		}
		read("Live", nil)
		update("set", "Live", im.GroupCounterSet, 0, []im.GroupCounter{gc("like", 5), gc("unlike", 1)}, gc("like", 5), gc("unlike", 1))
		update("increase twice", "Live", im.GroupCounterIncrease, 0, []im.GroupCounter{gc("seen", 3), gc("like", 7)},
			gc("seen", 1), gc("like", 2), gc("seen", 2))
		update("decrease", "Live", im.GroupCounterDecrease, 0, []im.GroupCounter{gc("unlike", -4), gc("gift", -2)}, gc("unlike", 5), gc("gift", 2))
		read("Live", nil, gc("like", 7), gc("unlike", -4), gc("seen", 3), gc("gift", -2))
		read("Live", []string{"gift", "nosuch", "like", "gift"}, gc("gift", -2), gc("like", 7))
		read("Live", []string{"nosuch"})

		update("overflow", "Live", im.GroupCounterIncrease, im.CodeGroupInvalid, nil, gc("new", 1), gc("like", math.MaxInt64))
		update("underflow", "Live", im.GroupCounterDecrease, im.CodeGroupInvalid, nil, gc("gift", math.MaxInt64))
		many := make([]im.GroupCounter, 17)
		for i := range many {
			many[i] = gc(string(rune('a'+i)), int64(i))
		}
		update("too many", "Live", im.GroupCounterSet, im.CodeGroupInvalid, nil, many...)
		update("Community", "@TGS#_C", im.GroupCounterSet, im.CodeGroupForbidden, nil, gc("k", 1))
		update("unknown", "nosuch", im.GroupCounterSet, im.CodeGroupNotFound, nil, gc("k", 1))
		for g, code := range map[string]int{"@TGS#_C": im.CodeGroupForbidden, "nosuch": im.CodeGroupNotFound} {
			_, err := db.GroupCounters(ctx, gapp, g, nil)
			wantCode(t, "read "+g, err, code)
			wantCode(t, "delete "+g, db.DeleteGroupCounters(ctx, recording, g, nil), code)
		}
		read("Live", nil, gc("like", 7), gc("unlike", -4), gc("seen", 3), gc("gift", -2))

		wantCode(t, "delete", db.DeleteGroupCounters(ctx, recording, "Live", []string{"unlike", "nosuch"}), 0)
		update("after delete", "Live", im.GroupCounterSet, 0, []im.GroupCounter{gc("unlike", 9), gc("like", 1)}, gc("unlike", 9), gc("like", 1))
		read("Live", nil, gc("like", 1), gc("seen", 3), gc("gift", -2), gc("unlike", 9))
		update("limit", "Live", im.GroupCounterSet, 0, many[:16], many[:16]...)
		wantCode(t, "delete all", db.DeleteGroupCounters(ctx, recording, "Live", nil), 0)
		read("Live", nil)
		if bs := bodies(t, db); len(bs) != 0 {
			t.Fatalf("counter writes recorded events: %v", bs)
		}

		update("again", "Live", im.GroupCounterIncrease, 0, []im.GroupCounter{gc("like", 1)}, gc("like", 1))
		if err := db.DestroyGroup(ctx, quiet, "Live"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CountForTest(ctx, "SELECT COUNT(*) FROM group_counters"); err != nil || n != 0 {
			t.Fatalf("%d counters after the dismissal (%v)", n, err)
		}
	})
}

// Ensure increases racing on one counter are all counted: each update
// reads and writes the group's counters under the group's lock.
func TestGroupCounterService_ConcurrentIncreases(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice")
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		const writers, each = 16, 10
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				key := []string{"like", "seen"}[w%2]
				for range each {
					_, err := db.UpdateGroupCounters(ctx, quiet, "Live", im.GroupCounterUpdate{Mode: im.GroupCounterIncrease,
						Counters: []im.GroupCounter{gc(key, 1), gc("all", 1)}})
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.GroupCounters(ctx, gapp, "Live", []string{"all", "like", "seen"})
		want := []im.GroupCounter{gc("all", writers*each), gc("like", writers*each/2), gc("seen", writers*each/2)}
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("counters %v (%v), want %v", got, err, want)
		}
	})
}
