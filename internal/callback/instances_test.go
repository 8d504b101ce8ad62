package callback_test

import (
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
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
	// One delivery at a time per instance, so an instance holds at most 4
	// events (its lane) and so at most 4 of the 8 keys: a delivery record
	// leases its key's next event, and with a lane of 32 the first
	// instance to claim could keep every key to itself, leaving the other
	// nothing to do (about one run in six).
	one := func(c *im.CallbackConfig) { c.Concurrency = 1 }
	a := newEnv(t, dsn, rc.URL(), nil, one)
	b := newEnv(t, dsn, rc.URL(), nil, one) // a second process's store
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
		if _, err := e.db.MarkDelivered(t.Context(), "dead-instance", im.Delivery{ID: first, Status: 299, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if ev := e.event(first); ev.State != im.EventDelivered || ev.Attempts != 1 || ev.LastStatus != 200 {
			t.Errorf("after the dead instance's late reports: %s, %d attempts, last status %d", ev.State, ev.Attempts, ev.LastStatus)
		}
	})
}

// Ensure recording a delivery leases its key's next event to the same
// instance, in the same transaction, only when that event is due and
// unleased, and only for the instance whose lease the delivered event was
// under: another instance then finds nothing of the key to claim.
func TestMarkDelivered_LeasesKeysNextEvent(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, "http://127.0.0.1:1/unused", nil, nil)
		ctx := t.Context()
		e.create("next-1", "alice")
		e.add("next-1", "bob")
		e.add("next-1", "carol")
		e.create("next-2", "alice")
		e.create("next-3", "alice")
		e.add("next-3", "bob")
		a, b, c := e.eventsOf("next-1"), e.eventsOf("next-2"), e.eventsOf("next-3")
		if len(a) != 3 || len(b) != 1 || len(c) != 2 {
			t.Fatalf("events per key: %d, %d, %d; want 3, 1, 2", len(a), len(b), len(c))
		}
		now := time.Now()
		heads, err := e.db.ClaimEvents(ctx, "me", testApp, now, time.Minute, 10, 0)
		if err != nil || len(heads) != 3 {
			t.Fatalf("ClaimEvents = %d events, %v; want the 3 keys' first", len(heads), err)
		}
		next := func(id int64, at time.Time) im.Delivery {
			return im.Delivery{ID: id, Status: 200, At: now, NextAt: at, NextUntil: at.Add(time.Minute)}
		}
		got, err := e.db.MarkDelivered(ctx, "me",
			next(a[0].ID, now),
			im.Delivery{ID: b[0].ID, Status: 200, At: now},
			next(c[0].ID, now.Add(-time.Hour))) // next-3's second is not due then
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].ID != a[1].ID {
			t.Fatalf("MarkDelivered leased %v, want next-1's second event %d only", got, a[1].ID)
		}
		if other, err := e.db.ClaimEvents(ctx, "other", testApp, now, time.Minute, 10, 0); err != nil || len(other) != 1 || other[0].ID != c[1].ID {
			t.Fatalf("another instance's claim = %v, %v; want next-3's second event %d only", other, err, c[1].ID)
		}
		// Not "other"'s to record: nothing changes, nothing is leased.
		if got, err := e.db.MarkDelivered(ctx, "other", next(a[1].ID, now)); err != nil || len(got) != 0 {
			t.Fatalf("another instance's record = %v, %v; want nothing", got, err)
		}
		if ev := e.event(a[1].ID); ev.State != im.EventPending {
			t.Fatalf("next-1's second event after another instance's record: %s", ev.State)
		}
		if got, err := e.db.MarkDelivered(ctx, "me", next(a[1].ID, now)); err != nil || len(got) != 1 || got[0].ID != a[2].ID {
			t.Fatalf("MarkDelivered leased %v, %v; want next-1's third event %d", got, err, a[2].ID)
		}
	})
}

// Ensure a delivery that asks for a refill (Delivery.Refill) and whose key
// has no next event leases another of the app's events in its place, as a
// claim would: oldest first, never an event whose key has an older pending
// one, at most one per delivery, under the delivery's lease.
func TestMarkDelivered_RefillsFreedPlaces(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, "http://127.0.0.1:1/unused", nil, nil)
		ctx := t.Context()
		e.create("refill-1", "alice")
		e.add("refill-1", "bob")
		e.create("refill-2", "alice")
		e.create("refill-3", "alice")
		e.create("refill-4", "alice")
		e.add("refill-4", "bob")
		a, b, c, d := e.eventsOf("refill-1"), e.eventsOf("refill-2"), e.eventsOf("refill-3"), e.eventsOf("refill-4")
		now := time.Now()
		if heads, err := e.db.ClaimEvents(ctx, "me", testApp, now, time.Minute, 2, 0); err != nil || !slices.Equal(eventIDs(heads), []int64{a[0].ID, b[0].ID}) {
			t.Fatalf("ClaimEvents = %v, %v; want refill-1's and refill-2's first", eventIDs(heads), err)
		}
		refillAt := func(id int64, at time.Time) im.Delivery {
			return im.Delivery{ID: id, Status: 200, At: at, NextAt: at, NextUntil: at.Add(time.Minute), Refill: true}
		}
		refill := func(id int64) im.Delivery { return refillAt(id, now) }
		got, err := e.db.MarkDelivered(ctx, "me", refill(a[0].ID), refill(b[0].ID))
		if err != nil {
			t.Fatal(err)
		}
		if ids := eventIDs(got); !slices.Equal(ids, []int64{a[1].ID, c[0].ID}) {
			t.Fatalf("MarkDelivered leased %v, want refill-1's second %d and refill-3's first %d", ids, a[1].ID, c[0].ID)
		}
		if other, err := e.db.ClaimEvents(ctx, "other", testApp, now, time.Minute, 10, 0); err != nil || len(other) != 1 || other[0].ID != d[0].ID {
			t.Fatalf("another instance's claim = %v, %v; want refill-4's first %d only", eventIDs(other), err, d[0].ID)
		}
		// refill-4's second waits for its first, which "other" holds.
		if got, err := e.db.MarkDelivered(ctx, "me", refill(c[0].ID)); err != nil || len(got) != 0 {
			t.Fatalf("MarkDelivered leased %v, %v; want nothing claimable", eventIDs(got), err)
		}
		// A delivery that asks for its key's next event only does not
		// take the place of one that asks for a refill.
		e.create("refill-5", "alice")
		e.add("refill-5", "bob")
		e.create("refill-6", "alice")
		f, g := e.eventsOf("refill-5"), e.eventsOf("refill-6")
		if heads, err := e.db.ClaimEvents(ctx, "me", testApp, time.Now(), time.Minute, 2, 0); err != nil || !slices.Equal(eventIDs(heads), []int64{f[0].ID, g[0].ID}) {
			t.Fatalf("ClaimEvents = %v, %v; want refill-5's and refill-6's first", eventIDs(heads), err)
		}
		e.create("refill-7", "alice")
		h := e.eventsOf("refill-7")
		later := time.Now()
		nextOnly := refillAt(f[0].ID, later)
		nextOnly.Refill = false
		got, err = e.db.MarkDelivered(ctx, "me", nextOnly, refillAt(g[0].ID, later))
		if ids := eventIDs(got); err != nil || !slices.Equal(ids, []int64{f[1].ID, h[0].ID}) {
			t.Fatalf("MarkDelivered leased %v, %v; want refill-5's second %d and refill-7's first %d", ids, err, f[1].ID, h[0].ID)
		}
	})
}

// eventIDs lists the events' ids in order (PostgreSQL's RETURNING has none).
func eventIDs(evs []im.Event) []int64 {
	ids := make([]int64, len(evs))
	for i, ev := range evs {
		ids[i] = ev.ID
	}
	slices.Sort(ids)
	return ids
}

// Ensure a record of more deliveries than one statement carries (16) keeps
// each delivery's own status and time, and leases every key's next event:
// 21 keys with two events each, their heads recorded in one call.
func TestMarkDelivered_ManyKeys(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, "http://127.0.0.1:1/unused", nil, nil)
		ctx := t.Context()
		const keys = 21
		for i := range keys {
			g := fmt.Sprintf("many-%d", i)
			e.create(g, "alice")
			e.add(g, "bob")
		}
		now := time.Now().Truncate(time.Millisecond)
		heads, err := e.db.ClaimEvents(ctx, "me", testApp, now, time.Minute, 100, 0)
		if err != nil || len(heads) != keys {
			t.Fatalf("ClaimEvents = %d events, %v; want the %d keys' first", len(heads), err, keys)
		}
		ds := make([]im.Delivery, len(heads))
		for i, h := range heads {
			ds[i] = im.Delivery{ID: h.ID, Status: 200 + i, At: now.Add(time.Duration(i) * time.Second),
				NextAt: now, NextUntil: now.Add(time.Minute)}
		}
		got, err := e.db.MarkDelivered(ctx, "me", ds...)
		if err != nil {
			t.Fatal(err)
		}
		want := map[int64]bool{}
		for i := range keys {
			want[e.eventsOf(fmt.Sprintf("many-%d", i))[1].ID] = true
		}
		for _, ev := range got {
			if !want[ev.ID] {
				t.Errorf("leased event %d (key %s), not a key's second", ev.ID, ev.Key)
			}
			delete(want, ev.ID)
		}
		if len(want) > 0 {
			t.Errorf("%d keys' second events not leased: %v", len(want), want)
		}
		for i, d := range ds {
			ev := e.event(d.ID)
			if ev.State != im.EventDelivered || ev.LastStatus != 200+i || !ev.DeliveredAt.Equal(d.At) || ev.Attempts != 1 {
				t.Errorf("event %d: %s, status %d, delivered at %v, %d attempts; want delivered, %d, %v, 1",
					d.ID, ev.State, ev.LastStatus, ev.DeliveredAt, ev.Attempts, 200+i, d.At)
			}
		}
	})
}

// Ensure an idle sender writes nothing: with no event due it polls with a
// read (AnyDue) and claims only once an event is recorded, which it then
// delivers. Each poll used to be a write transaction.
func TestSender_IdleWritesNothing(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, okReply) }))
	t.Cleanup(srv.Close)
	e := newEnv(t, dbtest.SQLiteDSN(t), srv.URL+"/cb", nil, nil)
	e.start(callback.Options{Poll: 10 * time.Millisecond})
	time.Sleep(50 * time.Millisecond) // the first polls, and whatever the store ran at open
	before, _ := e.db.BatchStats()
	time.Sleep(200 * time.Millisecond) // about 20 polls
	if after, _ := e.db.BatchStats(); after != before {
		t.Errorf("an idle sender ran %d write transactions in 20 polls, want none", after-before)
	}
	e.create("idle-1", "alice")
	waitFor(t, 5*time.Second, "the event recorded after the idle polls delivered", func() bool {
		evs := e.eventsOf("idle-1")
		return len(evs) == 1 && evs[0].State == im.EventDelivered
	})
}
