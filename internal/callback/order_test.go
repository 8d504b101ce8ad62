package callback_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure that, while many goroutines change several groups at once and the
// receiver is slow and fails at random, every event is delivered at least
// once, each group's events reach the receiver first in commit order (also
// their first successful deliveries), never two of one group at a time, and
// different groups' events in parallel, within the app's concurrency bound.
func TestSender_OrderPerKey(t *testing.T) {
	const (
		groups     = 6
		writers    = 2  // goroutines per group
		opsEach    = 15 // operations per goroutine
		concurrent = 8
	)
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		var (
			mu        sync.Mutex
			successes []hit // in the order the receiver accepted them
		)
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
			if rand.IntN(5) == 0 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			mu.Lock()
			successes = append(successes, h)
			mu.Unlock()
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) {
			c.Concurrency = concurrent
			// Twelve attempts: a 20% failure rate kills one event in 4e8.
			c.Retry = []time.Duration{0}
			for range 11 {
				c.Retry = append(c.Retry, 5*time.Millisecond)
			}
		})
		e.start(callback.Options{})

		changeGroupsAtOnce(t, e, groups, writers, opsEach)
		evs := e.waitSettled(30 * time.Second)

		want := map[string][]int64{} // each key's event ids in commit order
		for _, ev := range evs {
			if ev.State != im.EventDelivered {
				t.Errorf("event %d (%s): %s after %d attempts", ev.ID, ev.Key, ev.State, ev.Attempts)
			}
			want[ev.Key] = append(want[ev.Key], ev.ID)
		}
		if len(want) != groups {
			t.Fatalf("events for %d keys, want %d", len(want), groups)
		}
		mu.Lock()
		accepted := firstDeliveries(successes)
		mu.Unlock()
		checkFirstsInOrder(t, want, firstDeliveries(rc.Hits()), accepted)
		all, perKey := rc.maxInFlight()
		if all < 2 || all > concurrent || perKey != 1 {
			t.Errorf("at most %d deliveries in flight at once (%d for one key); want 2 to %d, and 1", all, perKey, concurrent)
		}
		t.Logf("%d events for %d keys; %d requests; up to %d in flight", len(evs), groups, len(rc.Hits()), all)
	})
}

// changeGroupsAtOnce creates the groups ord-0 to ord-(groups-1), and with
// writers goroutines per group adds or deletes two random members opsEach
// times each.
func changeGroupsAtOnce(t *testing.T, e *env, groups, writers, opsEach int) {
	var wg sync.WaitGroup
	for g := range groups {
		id := fmt.Sprintf("ord-%d", g)
		e.create(id, "alice")
		for range writers {
			wg.Go(func() {
				for range opsEach {
					users := []string{fmt.Sprintf("u%02d", rand.IntN(20)), fmt.Sprintf("u%02d", rand.IntN(20))}
					var err error
					if rand.IntN(2) == 0 {
						_, err = e.db.AddMembers(t.Context(), e.op, id, users)
					} else {
						err = e.db.DeleteMembers(t.Context(), e.op, id, users)
					}
					if err != nil {
						t.Errorf("%s: %v", id, err)
						return
					}
				}
			})
		}
	}
	wg.Wait()
}

// firstDeliveries lists each group's event ids in the order of their first
// request among hits.
func firstDeliveries(hits []hit) map[string][]int64 {
	out, seen := map[string][]int64{}, map[int64]bool{}
	for _, h := range hits {
		if !seen[h.EventID] {
			seen[h.EventID] = true
			out[h.GroupID] = append(out[h.GroupID], h.EventID)
		}
	}
	return out
}

// checkFirstsInOrder checks each key's events were first received and
// first accepted in commit order, want, every one of them.
func checkFirstsInOrder(t *testing.T, want, received, accepted map[string][]int64) {
	t.Helper()
	for key, ids := range want {
		for what, got := range map[string][]int64{"received": received[key], "accepted": accepted[key]} {
			for i := 1; i < len(got); i++ {
				if got[i] <= got[i-1] {
					t.Errorf("%s: events first %s out of order: %d after %d", key, what, got[i], got[i-1])
				}
			}
			// Increasing and the same length: every event, in order.
			if !slices.Equal(got, ids) {
				t.Errorf("%s: events first %s %v, want %v", key, what, got, ids)
			}
		}
	}
}

// Ensure a key whose receiver hangs until the sender's timeout holds back
// only its own events: every other key's are delivered while it retries.
func TestSender_SlowKeyDoesNotBlockOthers(t *testing.T) {
	t.Parallel() // mostly waiting for retries and timeouts
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if h.GroupID == "slow" {
				hang(r)
			}
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) {
			c.Timeout = 300 * time.Millisecond
			c.Retry = []time.Duration{0}
			for range 9 { // ten attempts: about 3 s of retrying
				c.Retry = append(c.Retry, 20*time.Millisecond)
			}
		})
		e.start(callback.Options{})
		fast := []string{"fast-0", "fast-1", "fast-2", "fast-3"}
		e.create("slow", "alice")
		for _, g := range fast {
			e.create(g, "alice")
		}
		for i := range 5 {
			e.add("slow", fmt.Sprintf("u%02d", i))
			for _, g := range fast {
				e.add(g, fmt.Sprintf("u%02d", i))
			}
		}
		fastDelivered := func() bool {
			for _, g := range fast {
				for _, ev := range e.eventsOf(g) {
					if ev.State != im.EventDelivered {
						return false
					}
				}
			}
			return true
		}
		waitFor(t, 10*time.Second, "the fast keys' events delivered", fastDelivered)
		// Once the slow key is retrying, more events of the others still go
		// out at once.
		waitFor(t, 10*time.Second, "the slow key retried", func() bool { return len(rc.hitsOf("slow")) >= 2 })
		for _, g := range fast {
			e.add(g, "u19")
		}
		start := time.Now()
		waitFor(t, 10*time.Second, "the fast keys' new events delivered", fastDelivered)
		took := time.Since(start)
		slow := e.eventsOf("slow")
		if len(slow) != 6 {
			t.Fatalf("%d events for the slow key, want 6", len(slow))
		}
		for i, ev := range slow {
			if ev.State != im.EventPending || (i == 0) != (ev.Attempts > 0) {
				t.Errorf("slow key's event %d: %s after %d attempts; want pending, the first retrying", ev.ID, ev.State, ev.Attempts)
			}
		}
		if n := len(rc.hitsOf("slow")); n < 1 {
			t.Errorf("the slow key was never tried")
		}
		for _, h := range rc.Hits() {
			if h.GroupID == "slow" && h.EventID != slow[0].ID {
				t.Errorf("slow key's event %d sent before %d was delivered", h.EventID, slow[0].ID)
			}
		}
		t.Logf("fast keys delivered %v after the last commit; slow key tried %d times meanwhile", took, len(rc.hitsOf("slow")))
	})
}
