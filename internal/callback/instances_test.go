package callback_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// tagging marks each request with the sender instance that made it.
type tagging struct{ instance string }

func (tg tagging) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Test-Instance", tg.instance)
	return http.DefaultTransport.RoundTrip(r)
}

// Ensure two sender instances on one PostgreSQL database, each woken by the
// commits of its own store, deliver every event exactly once between them
// (the receiver never fails) and still in commit order per key.
func TestSender_TwoInstances(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	rc := newReceiver(t, nil)
	a := newEnv(t, dsn, rc.URL(), nil, nil)
	b := newEnv(t, dsn, rc.URL(), nil, nil) // a second process's store
	if a.db.Nonce() != b.db.Nonce() {
		t.Fatalf("two stores on one database read nonces %q and %q", a.db.Nonce(), b.db.Nonce())
	}
	a.start(callback.Options{Instance: "instance-a", Client: &http.Client{Transport: tagging{"instance-a"}}})
	b.start(callback.Options{Instance: "instance-b", Client: &http.Client{Transport: tagging{"instance-b"}}})

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			id := fmt.Sprintf("two-%d", g)
			envs := []*env{a, b}
			if _, err := envs[g%2].db.CreateGroup(t.Context(), envs[g%2].op, newGroup(id, "alice")); err != nil {
				t.Error(err)
				return
			}
			for i := range 24 {
				e, user := envs[rand.IntN(2)], []string{fmt.Sprintf("u%02d", rand.IntN(20))}
				var err error
				if i%2 == 0 {
					_, err = e.db.AddMembers(t.Context(), e.op, id, user)
				} else {
					err = e.db.DeleteMembers(t.Context(), e.op, id, user)
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	evs := a.waitSettled(20 * time.Second)

	counts, by := map[string]int{}, map[string]int{}
	firsts := map[string][]int64{}
	for _, h := range rc.Hits() {
		counts[h.ID]++
		by[h.Header.Get("X-Test-Instance")]++
		firsts[h.GroupID] = append(firsts[h.GroupID], h.EventID)
	}
	want := map[string][]int64{}
	for _, ev := range evs {
		want[ev.Key] = append(want[ev.Key], ev.ID)
		id := callback.WebhookID(a.db.Nonce(), ev) // b's store reads the same nonce
		if ev.State != im.EventDelivered || ev.Attempts != 1 || counts[id] != 1 {
			t.Errorf("event %d: %s after %d attempts, received %d times; want delivered once", ev.ID, ev.State, ev.Attempts, counts[id])
		}
	}
	if len(counts) != len(evs) {
		t.Errorf("receiver got %d distinct webhook-ids for %d events", len(counts), len(evs))
	}
	for key, ids := range want {
		if fmt.Sprint(firsts[key]) != fmt.Sprint(ids) {
			t.Errorf("%s: received %v, want %v", key, firsts[key], ids)
		}
	}
	if by["instance-a"] == 0 || by["instance-b"] == 0 {
		t.Errorf("deliveries by instance: %v; want both to take part", by)
	}
	t.Logf("%d events; deliveries by instance: %v", len(evs), by)
}

// Ensure events claimed by an instance that then died are delivered by a
// running sender once that lease runs out, not before, and that a late
// report from the dead instance changes nothing.
func TestSender_LeaseTakeover(t *testing.T) {
	t.Parallel() // mostly waiting for retries and timeouts
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, nil)
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		for _, g := range []string{"lease-1", "lease-2", "lease-3"} {
			e.create(g, "alice")
		}
		e.add("lease-1", "bob") // behind lease-1's first event
		claimedAt := time.Now()
		claimed, err := e.db.ClaimEvents(t.Context(), "dead-instance", testApp, claimedAt, 200*time.Millisecond, 10, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(claimed) != 3 {
			t.Fatalf("claimed %d events, want the 3 first of their keys", len(claimed))
		}
		e.start(callback.Options{Instance: "alive"})
		evs := e.waitSettled(10 * time.Second)

		hits := rc.Hits()
		if len(hits) != 4 {
			t.Fatalf("%d requests, want 4", len(hits))
		}
		for _, h := range hits {
			if wait := h.At.Sub(claimedAt); wait < 195*time.Millisecond {
				t.Errorf("event %d sent %v after another instance leased it for 200 ms", h.EventID, wait)
			}
		}
		if hits[3].GroupID != "lease-1" || hits[3].EventID != evs[3].ID {
			t.Errorf("last request: event %d of %s, want lease-1's second event %d", hits[3].EventID, hits[3].GroupID, evs[3].ID)
		}
		for _, ev := range evs {
			if ev.State != im.EventDelivered || ev.Attempts != 1 {
				t.Errorf("event %d: %s after %d attempts", ev.ID, ev.State, ev.Attempts)
			}
		}

		// The dead instance wakes up and reports: too late, nothing changes.
		first := claimed[0].ID
		if err := e.db.MarkFailed(t.Context(), first, "dead-instance", im.Attempt{Status: 500, Error: "late", Next: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if err := e.db.MarkDelivered(t.Context(), "dead-instance", im.Delivery{ID: first, Status: 299, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if ev := e.event(first); ev.State != im.EventDelivered || ev.Attempts != 1 || ev.LastStatus != 200 {
			t.Errorf("after the dead instance's late reports: %s, %d attempts, last status %d", ev.State, ev.Attempts, ev.LastStatus)
		}
	})
}
