package api

import (
	"fmt"
	"testing"
	"time"
)

// Ensure the per-group limiter forgets the groups idle for a second once
// it holds many, so that writing to many groups does not grow it for
// good, and that a group it forgot starts again with a full second's
// writes, as it would have had anyway.
func TestGroupWriteLimiter_DropsIdleGroups(t *testing.T) {
	l := newGroupWriteLimiter(RateTencent)
	t0 := time.Now()
	for i := range groupBucketsSwept {
		if !l.allow(1, fmt.Sprint("g", i), t0) {
			t.Fatalf("group %d refused its first write", i)
		}
	}
	for range 4 {
		l.allow(1, "g0", t0)
	}
	if l.allow(1, "g0", t0) {
		t.Fatal("g0 took a sixth write in one second")
	}
	if n := len(l.buckets); n != groupBucketsSwept {
		t.Fatalf("%d buckets, want %d", n, groupBucketsSwept)
	}
	l.allow(1, "busy", t0.Add(500*time.Millisecond))
	if n := len(l.buckets); n != groupBucketsSwept+1 {
		t.Fatalf("swept groups idle for less than a second: %d buckets left", n)
	}
	// A sweep walks every bucket, so there is at most one a second: new
	// groups within the second of the last sweep are added without one.
	l.allow(1, "soon", t0.Add(1400*time.Millisecond))
	if n := len(l.buckets); n != groupBucketsSwept+2 {
		t.Fatalf("swept again within a second of a sweep: %d buckets left", n)
	}
	t1 := t0.Add(1500 * time.Millisecond)
	l.allow(1, "new", t1)
	if n := len(l.buckets); n != 2 { // soon and new
		t.Fatalf("%d buckets after a sweep, want 2", n)
	}
	for i := range 5 {
		if !l.allow(1, "g0", t1) {
			t.Fatalf("forgotten g0 refused write %d of a new second", i+1)
		}
	}
}
