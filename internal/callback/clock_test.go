package callback_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// failingMarks is a store whose first fails delivery records fail.
type failingMarks struct {
	im.Outbox
	fails int64
	marks atomic.Int64
}

func (o *failingMarks) MarkDelivered(ctx context.Context, instance string, ds ...im.Delivery) ([]im.Event, error) {
	if o.marks.Add(1) <= o.fails {
		return nil, fmt.Errorf("database unreachable")
	}
	return o.Outbox.MarkDelivered(ctx, instance, ds...)
}

// Ensure a sender retries recording an outcome for as long as the lease
// lasts by its own clock, the one the lease was claimed with, and not by the
// wall clock. The clock stands still (at the start, or 5 s ahead): by it the
// 1 s lease does not end, so recording is retried while the next pause ends
// within 9/10 of it, and a store that fails to record the delivery five
// times, over 750 ms of real pauses, is asked a sixth time, which records
// it: delivered once. By the wall clock the sender would give up after the
// fifth failure (750 ms + a pause of 800 ms is past 900 ms), and the event
// would stay pending under a lease that by the store's reckoning ends only
// as claims move the sender's clock on, a millisecond each; a claim made at
// wall-clock time 5 s behind the clock would end its lease at once.
func TestSender_RetryMarkFollowsClock(t *testing.T) {
	t.Parallel() // mostly waiting for pauses
	for _, ahead := range []time.Duration{0, 5 * time.Second} {
		t.Run(fmt.Sprint("ahead ", ahead), func(t *testing.T) {
			dbtest.ForEach(t, func(t *testing.T, dsn string) {
				rc := newReceiver(t, nil)
				e := newEnv(t, dsn, rc.URL(), nil, nil)
				e.create("clock-1", "alice")
				now := time.Now().Add(ahead) // the event is due by it
				store := &failingMarks{Outbox: e.db, fails: 5}
				e.start(callback.Options{Store: store, Lease: time.Second, Now: func() time.Time { return now }})
				evs := e.waitSettled(10 * time.Second)
				if len(evs) != 1 || evs[0].State != im.EventDelivered || evs[0].Attempts != 1 {
					t.Fatalf("events %+v, want one delivered at the first attempt", evs)
				}
				if n := store.marks.Load(); n != 6 {
					t.Errorf("%d delivery records, want 6 (5 failed)", n)
				}
				if hits := rc.hitsOf("clock-1"); len(hits) != 1 {
					t.Errorf("%d deliveries, want 1", len(hits))
				}
			})
		})
	}
}

// Ensure an app's events come due on its own time under time control: an
// attempt that failed waits an hour by the schedule, and moving the app's
// clock past that hour delivers it at once, with no real hour passing; another
// app's offset does not move it.
func TestSender_RetryDueOnAppClock(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		var fails atomic.Int64
		fails.Store(1)
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if fails.Add(-1) >= 0 {
				w.WriteHeader(http.StatusInternalServerError)
				return
			}
			io.WriteString(w, okReply)
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) { c.Retry = []time.Duration{0, time.Hour} })
		clocks := &im.Clocks{}
		e.start(callback.Options{Clocks: clocks})
		e.create("later-1", "alice")
		// The failed attempt is recorded (due an hour on by the app's
		// clock) after the receiver answers: moving the clock before that
		// would schedule the retry from the moved clock.
		waitFor(t, 10*time.Second, "the first attempt recorded", func() bool {
			evs := e.events()
			return len(evs) == 1 && evs[0].LastStatus == http.StatusInternalServerError
		})
		clocks.SetOffset(testApp+1, 2*time.Hour) // another app's clock
		time.Sleep(100 * time.Millisecond)
		if n := len(rc.hitsOf("later-1")); n != 1 {
			t.Fatalf("%d attempts before the app's clock moved, want 1", n)
		}
		clocks.SetOffset(testApp, time.Hour+7*time.Minute) // past the hour's ±10% jitter
		evs := e.waitSettled(10 * time.Second)
		if len(evs) != 1 || evs[0].State != im.EventDelivered || evs[0].Attempts != 2 {
			t.Fatalf("events %+v, want one delivered at the second attempt", evs)
		}
		if d := time.Until(evs[0].DeliveredAt); d < time.Hour {
			t.Errorf("delivered at %v, %v from the real time: want the app's time, an hour on", evs[0].DeliveredAt, d)
		}
	})
}
