package callback

import (
	"context"
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
)

// Successful deliveries are recorded in batches. A delivery hands its
// outcome to the mark queue and frees its slot at once; one goroutine
// records whatever the queue holds in one write, then the next batch. Each
// record used to be a write of its own that its delivery slot waited for,
// so a backlog went out at (slots ÷ commit latency) events a second
// however fast the receiver answered.
//
// Ordering is kept: an event stays claimed until its record commits, and a
// key's next event cannot be claimed before that (ClaimEvents), so a
// batch's wait delays only the next event of the keys it holds. A crash
// before the record commits sends those events again after their lease, as
// it did when each record was a write of its own (at-least-once, same
// webhook-id).

// maxMarkBatch bounds the records one write carries.
const maxMarkBatch = 256

// pendingMark is a delivery waiting to be recorded, with the time its event
// was claimed (retryMark's bound).
type pendingMark struct {
	im.Delivery
	claimed time.Time
	lane    *lane // whose held place the record frees
}

// markQueue holds deliveries waiting to be recorded.
type markQueue struct {
	mu      sync.Mutex
	pending []pendingMark
	wake    chan struct{} // capacity 1: the queue may hold marks
}

func newMarkQueue() *markQueue { return &markQueue{wake: make(chan struct{}, 1)} }

func (q *markQueue) add(m pendingMark) {
	q.mu.Lock()
	q.pending = append(q.pending, m)
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take removes and returns up to maxMarkBatch marks, oldest first.
func (q *markQueue) take() []pendingMark {
	q.mu.Lock()
	defer q.mu.Unlock()
	n := min(len(q.pending), maxMarkBatch)
	batch := make([]pendingMark, n)
	copy(batch, q.pending)
	rest := copy(q.pending, q.pending[n:])
	clear(q.pending[rest:])
	q.pending = q.pending[:rest]
	return batch
}

// recordMarks records queued deliveries until done is closed and the queue
// is empty; Run closes done once every delivery has finished.
func (s *Sender) recordMarks(done <-chan struct{}) {
	for {
		batch := s.marks.take()
		if len(batch) == 0 {
			select {
			case <-s.marks.wake:
				continue
			case <-done:
				if batch = s.marks.take(); len(batch) == 0 {
					return
				}
			}
		}
		s.recordBatch(batch)
	}
}

// recordBatch records batch in one write, retried for as long as the
// earliest claim's lease allows.
func (s *Sender) recordBatch(batch []pendingMark) {
	ds := make([]im.Delivery, len(batch))
	claimed := batch[0].claimed
	for i, m := range batch {
		ds[i] = m.Delivery
		if m.claimed.Before(claimed) {
			claimed = m.claimed
		}
	}
	err := s.retryMark(claimed, func() error {
		return s.o.Store.MarkDelivered(context.Background(), s.o.Instance, ds...)
	})
	if err != nil {
		s.o.Logger.Warn("record callback deliveries", "events", len(ds), "first_id", ds[0].ID, "err", err)
	}
	for _, m := range batch {
		m.lane.release()
	}
	s.Kick() // the keys' next events may now be due, and the lanes have room
}
