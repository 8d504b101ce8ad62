package callback_test

import (
	"context"
	"fmt"
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

func (o *failingMarks) MarkDelivered(ctx context.Context, id int64, instance string, status int, at time.Time) error {
	if o.marks.Add(1) <= o.fails {
		return fmt.Errorf("database unreachable")
	}
	return o.Outbox.MarkDelivered(ctx, id, instance, status, at)
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
