package callback

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
)

// Successful deliveries are recorded in batches. A delivery hands its
// outcome to the mark queue and frees its slot at once; one goroutine
// records what the queue holds in one write (waiting briefly for the marks
// of deliveries still under way: fill), then the next batch. Each
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
//
// The record also claims each key's next event (sqlstore's MarkDelivered),
// or where a key has none another of the app's events (Delivery.Refill),
// which takes the delivered event's place in its lane and is started by
// Run: a backlog costs one write per round of deliveries, not a record and
// then a claim. An event so leased that is never started (the sender
// stopped, the app was removed, the record's outcome was lost with the
// connection) waits for its lease to end, as a claimed event does.

// maxMarkBatch bounds the records one write carries.
const maxMarkBatch = 256

// pendingMark is a delivery waiting to be recorded, with the time its event
// was claimed (retryMark's bound).
type pendingMark struct {
	im.Delivery
	claimed time.Time
	app     uint64
	lane    *lane // whose held place the record frees, or hands to the next event
}

// nextEvent is an event a record leased, holding a delivered event's place
// in lane.
type nextEvent struct {
	ev      im.Event
	lane    *lane
	claimed time.Time
}

// nextQueue holds leased events until Run starts them: only Run starts
// deliveries, so that none starts after it has waited for them to end.
type nextQueue struct {
	mu  sync.Mutex
	evs []nextEvent
}

func (q *nextQueue) add(evs []nextEvent) {
	q.mu.Lock()
	q.evs = append(q.evs, evs...)
	q.mu.Unlock()
}

func (q *nextQueue) take() []nextEvent {
	q.mu.Lock()
	defer q.mu.Unlock()
	evs := q.evs
	q.evs = nil
	return evs
}

// startNext starts the deliveries of the events records leased, in id
// order; an app no longer configured gives its places back and leaves its
// events to their leases.
func (s *Sender) startNext() {
	evs := s.next.take()
	sort.Slice(evs, func(i, j int) bool { return evs[i].ev.ID < evs[j].ev.ID })
	for _, n := range evs {
		a := s.app(n.ev.AppID)
		if a == nil {
			n.lane.release()
			continue
		}
		s.wg.Add(1)
		go s.runDelivery(a, n.lane, n.ev, n.claimed)
	}
}

// markQueue holds deliveries waiting to be recorded, and counts the
// deliveries under way that may yet add one.
type markQueue struct {
	mu      sync.Mutex
	pending []pendingMark
	out     int           // deliveries started and not yet queued or finished
	wake    chan struct{} // capacity 1: the queue may hold marks, or out fell
}

func newMarkQueue() *markQueue { return &markQueue{wake: make(chan struct{}, 1)} }

// start counts a delivery under way; add or finish ends it.
func (q *markQueue) start() {
	q.mu.Lock()
	q.out++
	q.mu.Unlock()
}

// add queues a successful delivery's mark and ends its count.
func (q *markQueue) add(m pendingMark) {
	q.mu.Lock()
	q.pending = append(q.pending, m)
	q.out--
	q.mu.Unlock()
	q.signal()
}

// finish ends the count of a delivery that queued no mark.
func (q *markQueue) finish() {
	q.mu.Lock()
	q.out--
	q.mu.Unlock()
	q.signal()
}

func (q *markQueue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// take removes and returns up to n marks, oldest first, and how many
// deliveries are still under way.
func (q *markQueue) take(n int) ([]pendingMark, int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(len(q.pending), n)
	batch := make([]pendingMark, n)
	copy(batch, q.pending)
	rest := copy(q.pending, q.pending[n:])
	clear(q.pending[rest:])
	q.pending = q.pending[:rest]
	return batch, q.out
}

// A record waits up to markFill for a batch of markFillTo marks while
// deliveries are still under way. Recording whatever had finished while the
// previous record committed gave batches of about 8 under a backlog (16
// deliveries in flight), and each record's transaction, commit and
// statement cost about as much again as its rows; the wait is only for
// marks that are coming, so one delivery at a time (a busy key) is
// recorded at once, as before.
const (
	markFill   = time.Millisecond
	markFillTo = 16
)

// recordMarks records queued deliveries until done is closed and the queue
// is empty; Run closes done once every delivery has finished.
func (s *Sender) recordMarks(done <-chan struct{}) {
	for {
		batch, _ := s.marks.take(maxMarkBatch)
		if len(batch) == 0 {
			select {
			case <-s.marks.wake:
				continue
			case <-done:
				if batch, _ = s.marks.take(maxMarkBatch); len(batch) == 0 {
					return
				}
			}
		}
		s.recordBatch(s.fill(batch))
	}
}

// fill adds to batch the marks that deliveries still under way queue within
// markFill, until it holds markFillTo or none is under way.
func (s *Sender) fill(batch []pendingMark) []pendingMark {
	var timeout <-chan time.Time
	for len(batch) < markFillTo {
		more, out := s.marks.take(markFillTo - len(batch))
		batch = append(batch, more...)
		if out == 0 || len(batch) >= markFillTo {
			break
		}
		if timeout == nil {
			t := time.NewTimer(markFill)
			defer t.Stop()
			timeout = t.C
		}
		select {
		case <-s.marks.wake:
		case <-timeout:
			return batch
		}
	}
	return batch
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
	stopping := s.stopping()
	var (
		next      []im.Event
		nextClaim time.Time
		lost      []failedClaim
	)
	err := s.retryMark(claimed, func() error {
		// Each attempt leases the keys' next events under a lease end of
		// its own: an attempt that reports failure may have committed
		// all the same (the connection broke at COMMIT), and its leases,
		// which nothing will deliver, are then released by that end
		// (settleClaims) without touching a later attempt's.
		nextClaim = s.claimTime()
		for i, m := range batch {
			if stopping {
				break // no next events: nothing would deliver them
			}
			at := nextClaim.Add(s.o.Clocks.Offset(m.app))
			ds[i].NextAt, ds[i].NextUntil, ds[i].Refill = at, at.Add(s.o.Lease), true
		}
		var err error
		next, err = s.o.Store.MarkDelivered(context.Background(), s.o.Instance, ds...)
		if err != nil && !stopping {
			lost = appendLeases(lost, batch, ds)
		}
		return err
	})
	if err != nil {
		s.o.Logger.Warn("record callback deliveries", "events", len(ds), "first_id", ds[0].ID, "err", err)
	}
	s.settleLater(lost)
	// Each next event takes the place of a delivered event of its app; the
	// places left over are freed.
	places := map[uint64][]*lane{}
	for _, m := range batch {
		places[m.app] = append(places[m.app], m.lane)
	}
	handed := make([]nextEvent, 0, len(next))
	for _, ev := range next {
		lns := places[ev.AppID]
		if len(lns) == 0 {
			continue // not one of this batch's apps: cannot happen, and its lease ends
		}
		places[ev.AppID] = lns[1:]
		handed = append(handed, nextEvent{ev, lns[0], nextClaim})
	}
	for _, lns := range places {
		for _, ln := range lns {
			ln.release()
		}
	}
	s.next.add(handed)
	s.Kick() // the next events wait for Run, other keys' may be due, and the lanes have room
}

// appendLeases appends, once per app of batch, the next-event lease end
// ds asked for.
func appendLeases(lost []failedClaim, batch []pendingMark, ds []im.Delivery) []failedClaim {
	for i, m := range batch {
		c := failedClaim{m.app, ds[i].NextUntil}
		if !slices.Contains(lost, c) {
			lost = append(lost, c)
		}
	}
	return lost
}

// stopping reports whether Run's context has ended.
func (s *Sender) stopping() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}
