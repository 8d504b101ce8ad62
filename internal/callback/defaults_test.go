package callback

import (
	"slices"
	"testing"
	"time"

	"github.com/timd/timd/internal/im"
)

// Ensure the documented defaults: retries after 5 s, 5 min, 30 min, 2 h,
// 5 h, 10 h and 10 h (the first entry is the first attempt), a 60 s lease
// and 7 days of delivered events kept.
func TestSender_Defaults(t *testing.T) {
	want := []time.Duration{0, 5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour, 10 * time.Hour}
	if got := im.DefaultRetry(); !slices.Equal(got, want) {
		t.Errorf("DefaultRetry %v, want %v", got, want)
	}
	s := NewSender(Options{})
	if s.o.Lease != 60*time.Second || s.o.Retention != 7*24*time.Hour {
		t.Errorf("lease %v and retention %v, want 60s and 168h", s.o.Lease, s.o.Retention)
	}
}

// Ensure jitter moves a delay by at most 10% either way, and does use the
// room it has.
func TestJitter_TenPercent(t *testing.T) {
	const d = 10 * time.Second
	lo, hi := d, d
	for range 10000 {
		j := jitter(d)
		if j < d*9/10 || j > d*11/10 {
			t.Fatalf("jitter(%v) = %v, beyond 10%%", d, j)
		}
		lo, hi = min(lo, j), max(hi, j)
	}
	if lo > d*95/100 || hi < d*105/100 {
		t.Errorf("10,000 jitters spread only from %v to %v", lo, hi)
	}
	if j := jitter(0); j != 0 {
		t.Errorf("jitter(0) = %v", j)
	}
}
