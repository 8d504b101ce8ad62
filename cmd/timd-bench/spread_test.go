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

// Ensure the server-side p99 comes from the histogram's growth since the
// previous snapshot, summed over every command's series.
func TestBenchHist_P99Since(t *testing.T) {
	snap := func(counts map[string][2]float64) *benchHist {
		h := &benchHist{}
		for le, c := range counts { // two commands' series per bound
			h.addBucket(le, c[0])
			h.addBucket(le, c[1])
		}
		return h
	}
	before := snap(map[string][2]float64{"0.005": {90, 0}, "0.025": {95, 0}, "0.1": {100, 0}, "+Inf": {100, 0}})
	// Since before: 200 more requests, 197 within 5 ms, the other 3 at 25-100 ms.
	after := snap(map[string][2]float64{"0.005": {190, 97}, "0.025": {195, 97}, "0.1": {200, 100}, "+Inf": {200, 100}})
	if got := after.p99Since(before); got != 100 {
		t.Errorf("p99 since %g ms, want the 100 ms bucket (3 of 200 above 25 ms)", got)
	}
	// Since the start: 300 requests, 5+3 above 5 ms, 3 above 25 ms.
	if got := after.p99Since(nil); got != 100 {
		t.Errorf("p99 since the start %g ms, want 100", got)
	}
	if got := after.p99Since(after); got != 0 {
		t.Errorf("p99 of no requests %g, want 0", got)
	}
	slow := snap(map[string][2]float64{"0.1": {0, 0}, "+Inf": {10, 0}})
	if got := slow.p99Since(nil); got != -1 {
		t.Errorf("p99 beyond the last bucket %g, want -1", got)
	}
	if got := intervalStats([]benchInterval{{ServerP99: []float64{5, 25}}, {ServerP99: []float64{10}}}).ServerP99; got == nil || got.Max != 25 || got.Min != 10 {
		t.Errorf("server spread %+v: want the largest instance per interval", got)
	}
	if got := intervalStats([]benchInterval{{ServerP99: []float64{5}}, {}}).ServerP99; got != nil {
		t.Errorf("server spread %+v with an interval without it", got)
	}
}
