package callback_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure a key whose head waits for its retry does not starve the keys
// behind its later events. A claim first looks at a window of the first
// candidates in due order (4 × 32 + 64 = 192 for the harness's lane of
// 4 × 8); here that window holds only the hot group's events, each behind
// the failed head that waits an hour, so the cold group's event is found only by the unbounded
// claim the sender makes when the window had nothing and it holds nothing.
func TestSender_WindowOfBlockedEventsDoesNotStarve(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if h.GroupID == "hot" {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			w.Write([]byte(okReply))
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) {
			c.Retry = []time.Duration{0, time.Hour}
		})
		e.create("hot", "alice")
		for round := range 400 { // an event each: more behind the head than the window
			if round%2 == 0 {
				e.add("hot", "u00")
			} else {
				e.del("hot", "u00")
			}
		}
		e.create("cold", "alice")
		e.start(callback.Options{})
		waitFor(t, 10*time.Second, "the cold group's event delivered", func() bool {
			evs := e.eventsOf("cold")
			return len(evs) == 1 && evs[0].State == im.EventDelivered
		})
		hot := e.eventsOf("hot")
		if hot[0].State != im.EventPending || hot[0].Attempts != 1 {
			t.Errorf("hot head %s after %d attempts, want pending after 1", hot[0].State, hot[0].Attempts)
		}
		for _, ev := range hot[1:] {
			if ev.Attempts != 0 {
				t.Fatalf("hot event %d attempted %d times before its head was delivered", ev.ID, ev.Attempts)
			}
		}
	})
}

// Ensure one busy key's backlog goes out in order, every event once. Its
// head is the only claimable event, and each claim looks at a window of
// candidates rather than the whole backlog.
func TestSender_OneKeyBacklogInOrder(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, nil)
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		e.create("busy", "alice")
		for round := range 300 {
			if round%2 == 0 {
				e.add("busy", "u01")
			} else {
				e.del("busy", "u01")
			}
		}
		e.start(callback.Options{})
		evs := e.waitSettled(30 * time.Second)
		hits := rc.hitsOf("busy")
		if len(hits) != len(evs) {
			t.Fatalf("%d deliveries of %d events", len(hits), len(evs))
		}
		for i, h := range hits {
			if h.EventID != evs[i].ID {
				t.Fatalf("delivery %d is event %d, want %d (commit order)", i, h.EventID, evs[i].ID)
			}
		}
		if _, perKey := rc.maxInFlight(); perKey != 1 {
			t.Errorf("%d deliveries of the key in flight at once, want 1", perKey)
		}
	})
}
