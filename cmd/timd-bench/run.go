package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"time"

	"github.com/timd/timd/internal/usersig"
)

// benchRun is what the scenarios of one run share.
type benchRun struct {
	f        *benchFlags
	srv      *benchServers
	e        *benchEnv    // e.timd is timd's target
	baseline *benchTarget // the bare net/http server, same client and query
	mem      *benchMemWatch
	lines    io.Writer // the --interval lines
	width    int       // of the scenario names, to align the --interval lines
}

// runScenarios measures every scenario of f against srv and the baseline,
// printing the report's first line (without --json) and the --interval lines
// as it goes.
func runScenarios(ctx context.Context, f *benchFlags, srv *benchServers, stdout, stderr io.Writer) ([]benchReport, error) {
	// One UserSig for the whole run: the server verifies it once and then
	// hits its cache, as with a real client that keeps its ticket.
	sig, err := usersig.Gen(srv.appID, srv.key, srv.ident, usersig.DefaultExpire, time.Now())
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("sdkappid", strconv.FormatUint(srv.appID, 10))
	q.Set("identifier", srv.ident)
	q.Set("usersig", sig)
	q.Set("random", "99")
	q.Set("contenttype", "json")
	client := newBenchClient(f.conc)
	timd := &benchTarget{client: client, bases: srv.bases, query: q.Encode()}
	baseURL, stopBaseline, err := startBaseline(f.baseInProcess)
	if err != nil {
		return nil, err
	}
	defer stopBaseline()

	var pre [3]byte
	rand.Read(pre[:])
	run := &benchRun{f: f, srv: srv, lines: stdout,
		e:        &benchEnv{timd: timd, prefix: "b" + hex.EncodeToString(pre[:]), concurrency: f.conc, duration: f.dur, setup: f.setup, rate: f.rate},
		baseline: &benchTarget{client: client, bases: []string{baseURL}, query: timd.query}}
	if err := benchAccounts(ctx, run.e); err != nil {
		return nil, err
	}
	run.mem = newBenchMemWatch(ctx, srv.bases) // nil: no memory figures at /metrics
	if f.asJSON {
		run.lines = stderr
	} else {
		printHeader(stdout, f, srv.who)
	}
	for _, s := range f.scens {
		run.width = max(run.width, len(s.name))
	}
	var reports []benchReport
	for _, s := range f.scens {
		r, err := run.scenario(ctx, s)
		if err != nil {
			return nil, err
		}
		reports = append(reports, r)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return reports, nil
}

// printHeader prints the report's first line: what was measured, and how.
func printHeader(w io.Writer, f *benchFlags, who string) {
	load := fmt.Sprintf("closed loop, concurrency %d", f.conc)
	if f.rate > 0 {
		load = fmt.Sprintf("open loop at %g req/s, at most %d in flight", f.rate, f.conc)
	}
	per := " per scenario and server"
	if f.skipBase {
		per = " per scenario, no baseline"
	}
	fmt.Fprintf(w, "timd bench: %s; %s; %s%s\n\n", who, load, f.dur, per)
}

// scenario measures s against the baseline (unless --skip-baseline), then
// against timd with timd's memory around it.
func (run *benchRun) scenario(ctx context.Context, s benchScenario) (benchReport, error) {
	f := run.f
	r := benchReport{Scenario: s.name, Database: run.srv.database, Instances: len(run.srv.bases), Concurrency: f.conc, Rate: f.rate,
		Preloaded: f.preload, StartupMs: run.srv.startup}
	o := driveOpts{concurrency: f.conc, duration: f.dur, cycle: s.cycle, rate: f.rate}
	if !f.skipBase {
		bops, _, err := s.ops(ctx, run.e, true)
		if err != nil {
			return r, err
		}
		r.Baseline = drive(ctx, run.baseline, bops, o)
	}
	tops, n, err := s.ops(ctx, run.e, false)
	if err != nil {
		return r, fmt.Errorf("%s: %w", s.name, err)
	}
	o.interval = f.interval
	o.onInterval = run.intervalLine(ctx, s.name)
	r.Setup, r.Timd = n, drive(ctx, run.e.timd, tops, o)
	if run.mem != nil {
		r.Memory = run.mem.end(ctx)
	}
	if ivs := r.Timd.Intervals; len(ivs) > 0 {
		r.P99First, r.P99Last = ivs[0].P99, ivs[len(ivs)-1].P99
		r.IntervalStats = intervalStats(ivs)
	}
	if r.Baseline.PerSec > 0 {
		r.Ratio = r.Timd.PerSec / r.Baseline.PerSec
	}
	return r, nil
}

// intervalLine starts the memory watch of a scenario's run against timd (if
// any) and returns what each --interval does: add timd's memory and own p99
// to the interval, and print its line.
func (run *benchRun) intervalLine(ctx context.Context, name string) func(*benchInterval) {
	var prev []benchMem // the previous interval's figures, for the histogram's deltas
	if run.mem != nil {
		prev = run.mem.begin(ctx)
	}
	return func(iv *benchInterval) {
		if run.mem != nil {
			cur := run.mem.sample(ctx)
			for i, m := range cur {
				iv.RSSMB, iv.HeapMB = append(iv.RSSMB, m.RSS), append(iv.HeapMB, m.Heap)
				if m.Hist != nil && i < len(prev) {
					iv.ServerP99 = append(iv.ServerP99, m.Hist.p99Since(prev[i].Hist))
				}
			}
			prev = cur
		}
		fmt.Fprintln(run.lines, fmtInterval(fmt.Sprintf("%-*s", run.width, name), iv))
	}
}
