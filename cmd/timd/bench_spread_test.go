package main

import "testing"

func TestIntervalStats(t *testing.T) {
	if intervalStats([]benchInterval{{PerSec: 1, P99: 1}}) != nil {
		t.Error("one interval has no spread")
	}
	ivs := []benchInterval{
		{PerSec: 100, P99: 10}, {PerSec: 90, P99: 30}, {PerSec: 95, P99: 20},
		{PerSec: 80, P99: 90}, {PerSec: 85, P99: 40},
	}
	s := intervalStats(ivs)
	if s.Intervals != 5 {
		t.Errorf("intervals %d", s.Intervals)
	}
	// Halves: the first two and the last two; the middle one in neither.
	want := benchSpread{Min: 80, Median: 90, Max: 100, FirstHalf: 95, SecondHalf: 82.5}
	if s.PerSec != want {
		t.Errorf("req/s %+v, want %+v", s.PerSec, want)
	}
	want = benchSpread{Min: 10, Median: 30, Max: 90, FirstHalf: 20, SecondHalf: 65}
	if s.P99 != want {
		t.Errorf("p99 %+v, want %+v", s.P99, want)
	}
	if ivs[0].P99 != 10 || ivs[3].P99 != 90 {
		t.Error("the intervals were reordered")
	}
}
