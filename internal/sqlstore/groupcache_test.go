package sqlstore_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// TestGroupCache_ReadsFollowWrites reads a group repeatedly (on SQLite the
// second read comes from the cache) and checks each kind of write is seen
// by the next read.
func TestGroupCache_ReadsFollowWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "o", "a", "b")
		mustCreate(t, db, quiet, newGroup("gc", im.GroupPublic, "o", "a"))
		read := func() (*im.Group, []im.Member) {
			t.Helper()
			gs, ms, err := db.FindGroups(ctx, gapp, []string{"gc", "none"}, true)
			if err != nil {
				t.Fatal(err)
			}
			if gs[1] != nil {
				t.Fatalf("a group never created: %+v", gs[1])
			}
			return gs[0], ms[0]
		}
		for range 2 {
			if g, ms := read(); g == nil || g.Name != "n-gc" || len(ms) != 2 {
				t.Fatalf("read: %+v %v", g, ms)
			}
		}
		name := "renamed"
		if err := db.UpdateGroup(ctx, quiet, "gc", im.GroupUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		if g, _ := read(); g.Name != name {
			t.Errorf("after the rename: %q", g.Name)
		}
		// A caller changing what it was given changes nothing of the store's.
		g, _ := read()
		g.Name = "scribbled"
		if g, _ := read(); g.Name != name {
			t.Errorf("a caller's change reached the next read: %q", g.Name)
		}
		if _, err := db.AddMembers(ctx, quiet, "gc", []string{"b"}); err != nil {
			t.Fatal(err)
		}
		if g, ms := read(); len(ms) != 3 || g.MemberNum != 3 {
			t.Errorf("after adding b: %d members, MemberNum %d", len(ms), g.MemberNum)
		}
		if err := db.DestroyGroup(ctx, quiet, "gc"); err != nil {
			t.Fatal(err)
		}
		if g, _ := read(); g != nil {
			t.Errorf("after the dismissal: %+v", g)
		}
	})
}

// TestGroupCache_NoStaleReadAfterAck renames a group over and over while
// readers read it: once a rename is acknowledged, no read that starts
// afterwards may see an earlier name.
func TestGroupCache_NoStaleReadAfterAck(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "o")
		mustCreate(t, db, quiet, newGroup("gs", im.GroupPublic, "o"))
		var (
			mu    sync.Mutex
			acked = -1
			wg    sync.WaitGroup
			stop  = make(chan struct{})
		)
		for range 4 {
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					mu.Lock()
					floor := acked
					mu.Unlock()
					gs, _, err := db.FindGroups(ctx, gapp, []string{"gs"}, false)
					if err != nil {
						t.Error(err)
						return
					}
					if n, _ := strconv.Atoi(gs[0].Name); gs[0].Name != "n-gs" && n < floor || gs[0].Name == "n-gs" && floor >= 0 {
						t.Errorf("read %q after %d was acknowledged", gs[0].Name, floor)
						return
					}
				}
			})
		}
		for i := range 200 {
			name := strconv.Itoa(i)
			if err := db.UpdateGroup(ctx, quiet, "gs", im.GroupUpdate{Name: &name}); err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			acked = i
			mu.Unlock()
		}
		close(stop)
		wg.Wait()
	})
}

// TestGroupCache_OutboxWritesKeepGeneration checks that the callback
// outbox's own writes (a claim that finds nothing, a claim of a pending
// event, its delivery record) leave the cache's generation alone, and that
// any other write, concurrent ones in one batch included, moves it.
func TestGroupCache_OutboxWritesKeepGeneration(t *testing.T) {
	ctx := context.Background()
	db := openGroupDB(t, dbtest.SQLiteDSN(t), "o", "a")
	gen := func() uint64 {
		t.Helper()
		g, ok := db.CacheGeneration()
		if !ok {
			t.Fatal("SQLite store without a cache generation")
		}
		return g
	}
	before := gen()
	mustCreate(t, db, recording, newGroup("g1", im.GroupPublic, "o")) // records an event
	if gen() == before {
		t.Fatal("create_group did not move the generation")
	}
	before = gen()
	evs, err := db.ClaimEvents(ctx, "i", gapp, time.Now(), time.Minute, 10, 0)
	if err != nil || len(evs) == 0 {
		t.Fatalf("claim: %v %v", evs, err)
	}
	if _, err := db.MarkDelivered(ctx, "i", im.Delivery{ID: evs[0].ID, Status: 200, At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimEvents(ctx, "i", gapp, time.Now(), time.Minute, 10, 0); err != nil {
		t.Fatal(err)
	}
	if gen() != before {
		t.Fatal("outbox writes moved the generation")
	}
	// Batched with an outbox write, a group write still moves it.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				_, _ = db.ClaimEvents(ctx, "i", gapp, time.Now(), time.Minute, 10, 0)
				return
			}
			name := "n" + strconv.Itoa(i)
			if err := db.UpdateGroup(ctx, quiet, "g1", im.GroupUpdate{Name: &name}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if gen() == before {
		t.Fatal("group writes batched with outbox writes did not move the generation")
	}
}
