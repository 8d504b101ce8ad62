package callback

import (
	"testing"
	"time"

	"github.com/timd/timd/internal/im"
)

func mark(id int64) pendingMark { return pendingMark{Delivery: im.Delivery{ID: id}} }

// Ensure a record waits for the marks of deliveries still under way, and
// only for those: with none under way it takes what is queued at once, and
// a delivery that ends without a mark stops the wait.
func TestFill_WaitsOnlyForDeliveriesUnderWay(t *testing.T) {
	s := &Sender{marks: newMarkQueue()}

	// Nothing under way: the one queued mark is recorded alone, at once.
	s.marks.start()
	s.marks.add(mark(1))
	batch, _ := s.marks.take(maxMarkBatch)
	if got := s.fill(batch); len(got) != 1 {
		t.Fatalf("fill with nothing under way = %d marks; want 1", len(got))
	}
	// It did not wait: the signal of the mark it took is still there.
	select {
	case <-s.marks.wake:
	default:
		t.Fatal("fill with nothing under way waited for a signal")
	}

	// Two under way when the first mark is taken: fill waits for the
	// second's mark, then stops when the third ends without one.
	for range 3 {
		s.marks.start()
	}
	s.marks.add(mark(2))
	batch, _ = s.marks.take(maxMarkBatch)
	done := make(chan []pendingMark)
	go func() { done <- s.fill(batch) }()
	s.marks.add(mark(3))
	s.marks.finish()
	got := <-done
	if len(got) != 2 || got[0].ID != 2 || got[1].ID != 3 {
		t.Fatalf("fill = %v; want marks 2 and 3", got)
	}

	// One under way that never ends: fill gives up after markFill.
	s.marks.start()
	s.marks.add(mark(4))
	s.marks.start()
	batch, _ = s.marks.take(maxMarkBatch)
	start := time.Now()
	if got := s.fill(batch); len(got) != 1 || time.Since(start) < markFill {
		t.Fatalf("fill with a delivery that never ends = %d marks after %v; want 1 after %v", len(got), time.Since(start), markFill)
	}
}
