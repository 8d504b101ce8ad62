package main

import "slices"

// benchSpread is how one figure of a run's --interval lines spread: the
// lowest, the median and the highest, and the median of the first half of
// the intervals against that of the second. A long run is steady when the
// halves agree (no drift) and the highest is not far from the median.
type benchSpread struct {
	Min        float64 `json:"min"`
	Median     float64 `json:"median"`
	Max        float64 `json:"max"`
	FirstHalf  float64 `json:"first_half_median"`
	SecondHalf float64 `json:"second_half_median"`
}

// benchIntervalStats sums up a run's intervals. In a closed loop, the median
// interval's req/s is the throughput the run sustained, a capacity that a
// short burst on an empty database overstates.
type benchIntervalStats struct {
	Intervals int         `json:"intervals"`
	PerSec    benchSpread `json:"req_per_sec"`
	P99       benchSpread `json:"p99_ms"`
	// ServerP99: the same of timd's own p99 (benchInterval.ServerP99, the
	// largest over the instances), when every interval has it.
	ServerP99 *benchSpread `json:"server_p99_ms,omitempty"`
}

// intervalStats sums up ivs; nil for fewer than two intervals. With an odd
// count, the middle interval belongs to neither half.
func intervalStats(ivs []benchInterval) *benchIntervalStats {
	if len(ivs) < 2 {
		return nil
	}
	perSec := make([]float64, len(ivs))
	p99 := make([]float64, len(ivs))
	for i, iv := range ivs {
		perSec[i], p99[i] = iv.PerSec, iv.P99
	}
	st := &benchIntervalStats{Intervals: len(ivs), PerSec: spread(perSec), P99: spread(p99)}
	server := make([]float64, 0, len(ivs))
	for _, iv := range ivs {
		if len(iv.ServerP99) == 0 || slices.Min(iv.ServerP99) < 0 {
			return st // missing, or beyond the histogram: no spread to give
		}
		server = append(server, slices.Max(iv.ServerP99))
	}
	sp := spread(server)
	st.ServerP99 = &sp
	return st
}

func spread(v []float64) benchSpread {
	half := len(v) / 2
	sorted := slices.Sorted(slices.Values(v))
	return benchSpread{Min: sorted[0], Median: median(v), Max: sorted[len(sorted)-1],
		FirstHalf: median(v[:half]), SecondHalf: median(v[len(v)-half:])}
}

// median of v (the mean of the middle two for an even count); v is not
// changed.
func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
