package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// writeReport prints the reports: as JSON with --json, else as tables.
func writeReport(stdout io.Writer, f *benchFlags, reports []benchReport) error {
	if f.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	if f.interval > 0 {
		fmt.Fprintln(stdout)
	}
	printBench(stdout, reports, f.rate > 0, !f.skipBase)
	return nil
}

// benchCol is one column of the report: its header and its cell of a row.
type benchCol struct {
	head string
	cell func(r benchReport) string
}

func printBench(w io.Writer, reports []benchReport, open, withBaseline bool) {
	ms := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	cols := []benchCol{
		{"scenario", func(r benchReport) string { return r.Scenario }},
		{"req/s", func(r benchReport) string { return fmt.Sprintf("%.0f", r.Timd.PerSec) }},
		{"p50 ms", func(r benchReport) string { return ms(r.Timd.P50) }},
		{"p99 ms", func(r benchReport) string { return ms(r.Timd.P99) }},
		{"p99.9 ms", func(r benchReport) string { return ms(r.Timd.P999) }},
	}
	if withBaseline {
		cols = append(cols, benchCol{"baseline req/s", func(r benchReport) string { return fmt.Sprintf("%.0f", r.Baseline.PerSec) }})
		if open {
			// At a fixed rate both serve the same req/s; the latencies compare.
			cols = append(cols,
				benchCol{"baseline p50", func(r benchReport) string { return ms(r.Baseline.P50) }},
				benchCol{"baseline p99", func(r benchReport) string { return ms(r.Baseline.P99) }},
				benchCol{"baseline p99.9", func(r benchReport) string { return ms(r.Baseline.P999) }})
		} else {
			cols = append(cols, benchCol{"ratio", func(r benchReport) string { return fmt.Sprintf("%.3f", r.Ratio) }})
		}
	}
	cols = append(cols, benchCol{"errors", func(r benchReport) string {
		errs := fmtErrors(r.Timd.Errors)
		if r.Timd.Exhausted {
			errs += fmt.Sprintf(" (pool of %d ran out)", r.Setup)
		}
		if len(r.Baseline.Errors) > 0 {
			errs += " baseline: " + fmtErrors(r.Baseline.Errors)
		}
		return errs
	}})
	printCols(w, cols, reports)

	// Memory, one row per scenario and instance.
	var rows []benchReport
	intervals := false
	for _, r := range reports {
		intervals = intervals || len(r.Timd.Intervals) > 0
		for _, m := range r.Memory {
			rows = append(rows, benchReport{Scenario: r.Scenario, Memory: []benchMemory{m}, P99First: r.P99First, P99Last: r.P99Last})
		}
	}
	if len(rows) == 0 {
		return
	}
	mb := func(v float64) string {
		if v == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f", v)
	}
	mcols := []benchCol{
		{"scenario", func(r benchReport) string { return r.Scenario }},
		{"instance", func(r benchReport) string { return strings.TrimPrefix(r.Memory[0].URL, "http://") }},
		{"rss start", func(r benchReport) string { return mb(r.Memory[0].RSSStartMB) }},
		{"rss end", func(r benchReport) string { return mb(r.Memory[0].RSSEndMB) }},
		{"rss max", func(r benchReport) string { return mb(r.Memory[0].RSSMaxMB) }},
		{"heap start", func(r benchReport) string { return mb(r.Memory[0].HeapStartMB) }},
		{"heap end", func(r benchReport) string { return mb(r.Memory[0].HeapEndMB) }},
		{"heap max", func(r benchReport) string { return mb(r.Memory[0].HeapMaxMB) }},
	}
	if intervals {
		mcols = append(mcols,
			benchCol{"p99 first interval ms", func(r benchReport) string { return ms(r.P99First) }},
			benchCol{"p99 last interval ms", func(r benchReport) string { return ms(r.P99Last) }})
	}
	fmt.Fprintln(w, "\ntimd memory in MB (process_resident_memory_bytes and go_memstats_heap_inuse_bytes of its /metrics; max of one sample a second):")
	fmt.Fprintln(w)
	printCols(w, mcols, rows)
	printIntervalStats(w, reports)
}

// printIntervalStats prints, for the runs with two intervals or more, how
// req/s and p99 spread over the intervals.
func printIntervalStats(w io.Writer, reports []benchReport) {
	var rows []benchReport
	for _, r := range reports {
		if r.IntervalStats != nil {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	f := func(v float64) string { return fmt.Sprintf("%.2f", v) }
	server := false
	for _, r := range rows {
		server = server || r.IntervalStats.ServerP99 != nil
	}
	cols := []benchCol{{"scenario", func(r benchReport) string { return r.Scenario }},
		{"intervals", func(r benchReport) string { return strconv.Itoa(r.IntervalStats.Intervals) }}}
	type figure struct {
		name string
		get  func(r benchReport) benchSpread
	}
	figures := []figure{
		{"req/s", func(r benchReport) benchSpread { return r.IntervalStats.PerSec }},
		{"p99 ms", func(r benchReport) benchSpread { return r.IntervalStats.P99 }},
	}
	if server {
		figures = append(figures, figure{"in timd p99 ms", func(r benchReport) benchSpread {
			if r.IntervalStats.ServerP99 == nil {
				return benchSpread{}
			}
			return *r.IntervalStats.ServerP99
		}})
	}
	for _, c := range figures {
		cols = append(cols,
			benchCol{c.name + " min", func(r benchReport) string { return f(c.get(r).Min) }},
			benchCol{"median", func(r benchReport) string { return f(c.get(r).Median) }},
			benchCol{"max", func(r benchReport) string { return f(c.get(r).Max) }},
			benchCol{"1st half", func(r benchReport) string { return f(c.get(r).FirstHalf) }},
			benchCol{"2nd half", func(r benchReport) string { return f(c.get(r).SecondHalf) }})
	}
	fmt.Fprintln(w, "\nper interval (medians of the first and second half of the run: a drift shows as a difference):")
	fmt.Fprintln(w)
	printCols(w, cols, rows)
}

func printCols(w io.Writer, cols []benchCol, rows []benchReport) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, c := range cols {
		fmt.Fprint(tw, c.head, "\t")
	}
	fmt.Fprintln(tw)
	for _, r := range rows {
		for _, c := range cols {
			fmt.Fprint(tw, c.cell(r), "\t")
		}
		fmt.Fprintln(tw)
	}
	_ = tw.Flush() // a table for people, as the fmt.Fprint* in .ci/errcheck_excludes.txt
}

// fmtInterval is the line --interval prints.
func fmtInterval(scenario string, iv *benchInterval) string {
	at := time.Duration(iv.At * float64(time.Second)).Round(time.Millisecond)
	s := fmt.Sprintf("%s %8s  %6.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %d", scenario, at, iv.PerSec, iv.P50, iv.P99, iv.Errors)
	if iv.SendLag > 0 {
		s += fmt.Sprintf("  send lag %.0f ms", iv.SendLag)
	}
	if len(iv.ServerP99) > 0 {
		parts := make([]string, len(iv.ServerP99))
		for i, v := range iv.ServerP99 {
			parts[i] = fmt.Sprintf("≤%g", v)
			if v < 0 {
				parts[i] = ">2500"
			}
		}
		s += "  in timd p99 " + strings.Join(parts, "/") + " ms"
	}
	if len(iv.RSSMB) > 0 {
		s += "  rss " + joinMB(iv.RSSMB) + " MB  heap " + joinMB(iv.HeapMB) + " MB"
	}
	return s
}

// joinMB joins one figure per instance with "/".
func joinMB(v []float64) string {
	parts := make([]string, len(v))
	for i, x := range v {
		parts[i] = fmt.Sprintf("%.1f", x)
	}
	return strings.Join(parts, "/")
}
