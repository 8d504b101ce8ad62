package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/config"
	"github.com/timd/timd/internal/dbtest"
)

// testTimd is the timd binary the tests start, built once from this module
// by findTimd's own rule.
var testTimd struct {
	once    sync.Once
	path    string
	cleanup func()
	err     error
}

func TestMain(m *testing.M) {
	if os.Getenv(baselineEnv) == "serve" { // startBaseline runs the test binary
		os.Exit(runBaselineChild(os.Stdin, os.Stdout))
	}
	code := m.Run()
	if testTimd.cleanup != nil {
		testTimd.cleanup()
	}
	os.Exit(code)
}

// timdBinary returns the timd binary the tests start.
func timdBinary(t *testing.T) string {
	t.Helper()
	testTimd.once.Do(func() {
		testTimd.path, testTimd.cleanup, testTimd.err = findTimd(context.Background(), "", io.Discard)
	})
	if testTimd.err != nil {
		t.Fatal(testTimd.err)
	}
	return testTimd.path
}

// runBench runs timd-bench with args and --json and returns its reports.
func runBench(t *testing.T, args ...string) []benchReport {
	t.Helper()
	var out, errOut bytes.Buffer
	args = append([]string{"--json", "--timd", timdBinary(t)}, args...)
	if err := benchCmd(context.Background(), args, &out, &errOut); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	var reports []benchReport
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	return reports
}

// Ensure timd bench, starting timd itself, measures every scenario against
// timd and the baseline with a non-zero throughput and no error: every
// destroy_group hits a distinct existing group, and the add/delete pairs
// leave each worker's user as they found it.
func TestBench_AllScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("drives load for a few seconds")
	}
	reports := runBench(t, "--duration", "100ms", "--concurrency", "4", "--scenario", "all")
	seen := map[string]bool{}
	for _, r := range reports {
		seen[r.Scenario] = true
		if r.Instances != 1 || r.Database != "SQLite (temporary file)" || r.Rate != 0 {
			t.Errorf("%s: instances %d, database %q, rate %g", r.Scenario, r.Instances, r.Database, r.Rate)
		}
		for name, res := range map[string]benchResult{"timd": r.Timd, "baseline": r.Baseline} {
			if res.PerSec <= 0 || res.Requests == 0 {
				t.Errorf("%s %s: no throughput: %+v", r.Scenario, name, res)
			}
			if len(res.Errors) > 0 {
				t.Errorf("%s %s: errors %v", r.Scenario, name, res.Errors)
			}
		}
		if r.Scenario == "destroy_group" && r.Timd.Exhausted {
			t.Logf("destroy_group: the pool of %d groups ran out (a slow setup)", r.Setup)
		}
	}
	for _, name := range benchNames() {
		if !seen[name] {
			t.Errorf("scenario %s missing from the report", name)
		}
	}
}

// Ensure --rate schedules rate×duration requests against timd and the
// baseline, each sent or counted as missed, and --interval reports the
// intervals with the memory of the timd bench started (its own process), and
// the first and last interval's p99.
func TestBench_RateAndInterval(t *testing.T) {
	if testing.Short() {
		t.Skip("drives load")
	}
	reports := runBench(t, "--rate", "400", "--duration", "150ms", "--interval", "50ms", "--concurrency", "4",
		"--scenario", "get_group_info,sns_group_add+delete")
	if len(reports) != 2 {
		t.Fatalf("%d reports, want 2", len(reports))
	}
	for _, r := range reports {
		checkScheduled(t, r)
		checkIntervals(t, r)
		checkIntervalSummary(t, r)
	}
}

// checkScheduled checks a report of TestBench_RateAndInterval ran at 400
// requests a second, every scheduled request sent or counted as missed.
func checkScheduled(t *testing.T, r benchReport) {
	if r.Rate != 400 || r.Timd.TargetRate != 400 {
		t.Errorf("%s: rate %g, target %g", r.Scenario, r.Rate, r.Timd.TargetRate)
	}
	for name, res := range map[string]benchResult{"timd": r.Timd, "baseline": r.Baseline} {
		// 60 scheduled: at 0, 2.5, ..., 147.5 ms.
		if got := res.Requests + res.Errors[missedKey]; got != 60 {
			t.Errorf("%s %s: %d sent + %d missed, want 60 scheduled", r.Scenario, name, res.Requests, res.Errors[missedKey])
		}
		for k := range res.Errors {
			if k != missedKey {
				t.Errorf("%s %s: errors %v", r.Scenario, name, res.Errors)
			}
		}
	}
}

// checkIntervals checks the intervals of a report of
// TestBench_RateAndInterval: three of them, timd's only, each with timd's
// heap and p99, together holding the run's requests and largest send lag.
func checkIntervals(t *testing.T, r benchReport) {
	if n := len(r.Timd.Intervals); n != 3 {
		t.Errorf("%s: %d intervals, want 3: %+v", r.Scenario, n, r.Timd.Intervals)
	}
	if len(r.Baseline.Intervals) != 0 {
		t.Errorf("%s: the baseline has intervals", r.Scenario)
	}
	sum, lag, withP99 := 0, 0.0, 0
	for _, iv := range r.Timd.Intervals {
		sum += iv.Requests
		lag = max(lag, iv.SendLag)
		if len(iv.HeapMB) != 1 || iv.HeapMB[0] <= 0 {
			t.Errorf("%s: interval without timd's heap: %+v", r.Scenario, iv)
		}
		if len(iv.ServerP99) != 1 || iv.ServerP99[0] < 0 {
			t.Errorf("%s: interval without timd's own p99: %+v", r.Scenario, iv)
		} else if iv.ServerP99[0] > 0 {
			withP99++
		}
	}
	// Requests on loopback at 400/s: timd's own p99 is in a finite bucket
	// of its histogram. Not necessarily in every interval: a scrape of
	// /metrics that fails stands in with the last figures (sample in
	// memwatch.go), whose histogram gives that interval no delta. Seen
	// once in CI on a loaded machine: an interval of 20 requests at a p50
	// of 68 ms with a p99 of 0.
	if withP99 == 0 {
		t.Errorf("%s: no interval with timd's own p99: %+v", r.Scenario, r.Timd.Intervals)
	}
	if sum != r.Timd.Requests {
		t.Errorf("%s: intervals hold %d requests, the run %d", r.Scenario, sum, r.Timd.Requests)
	}
	// Every request is sent at or after its time; the run's largest lag
	// is that of one of its intervals.
	if lag <= 0 || r.Timd.SendLag != lag {
		t.Errorf("%s: send lag %g ms, intervals' largest %g ms", r.Scenario, r.Timd.SendLag, lag)
	}
}

// checkIntervalSummary checks a report of TestBench_RateAndInterval takes
// its p99s and interval stats from its intervals, and has timd's memory.
func checkIntervalSummary(t *testing.T, r benchReport) {
	ivs := r.Timd.Intervals
	if len(ivs) > 0 && (r.P99First != ivs[0].P99 || r.P99Last != ivs[len(ivs)-1].P99) {
		t.Errorf("%s: p99 first %g last %g, intervals %+v", r.Scenario, r.P99First, r.P99Last, ivs)
	}
	if st := r.IntervalStats; st == nil || st.Intervals != len(ivs) || st.P99.FirstHalf != ivs[0].P99 ||
		st.P99.SecondHalf != ivs[len(ivs)-1].P99 || st.P99.Max < st.P99.Median {
		t.Errorf("%s: interval stats %+v, intervals %+v", r.Scenario, st, ivs)
	}
	if len(r.Memory) != 1 || r.Memory[0].HeapMaxMB <= 0 || r.Memory[0].HeapMaxMB < r.Memory[0].HeapEndMB {
		t.Errorf("%s: memory %+v", r.Scenario, r.Memory)
	}
}

// Ensure the open loop measures latency from the scheduled time and never
// has more than --concurrency requests in flight: the requests due while the
// workers are busy wait, in order, with their wait in their latency; they
// are all sent after the schedule's end, unless still waiting when the grace
// after it is over (then missed); and each worker completes its cycles.
func TestBench_OpenLoopQueues(t *testing.T) {
	for _, tc := range []struct {
		name  string
		grace time.Duration
	}{{"all sent", 0}, {"grace over", 100 * time.Millisecond}} {
		t.Run(tc.name, func(t *testing.T) {
			var mu sync.Mutex
			inFlight, maxInFlight := 0, 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				inFlight++
				maxInFlight = max(maxInFlight, inFlight)
				mu.Unlock()
				time.Sleep(20 * time.Millisecond)
				mu.Lock()
				inFlight--
				mu.Unlock()
				io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
			}))
			defer srv.Close()
			const conc = 2
			var opsMu sync.Mutex
			count := make([]int, conc)
			ops := func(w, i int) (benchOp, bool) {
				opsMu.Lock()
				count[w]++
				opsMu.Unlock()
				return benchOp{"svc", "cmd", []byte(`{}`)}, true
			}
			tg := &benchTarget{client: newBenchClient(conc), bases: []string{srv.URL}}
			// 100 due in 200 ms; 2 in flight for 20 ms each send 100 a second.
			r := drive(context.Background(), tg, ops, driveOpts{concurrency: conc, duration: 200 * time.Millisecond,
				cycle: 2, rate: 500, grace: tc.grace})
			if got := r.Requests + r.Errors[missedKey]; got != 100 {
				t.Errorf("%d sent + %d missed, want 100 scheduled", r.Requests, r.Errors[missedKey])
			}
			if tc.grace == 0 {
				// All sent, the last due at 198 ms and sent about 1 s in.
				if r.Requests != 100 || r.P99 < 500 {
					t.Errorf("sent %d, p99 %.2f ms: want all sent, the last after waiting for a worker", r.Requests, r.P99)
				}
			} else if r.Requests > 45 || r.Errors[missedKey] < 55 {
				// About 30 sent in the 300 ms to the grace's end.
				t.Errorf("sent %d, missed %d: want most missed", r.Requests, r.Errors[missedKey])
			}
			if maxInFlight > conc {
				t.Errorf("%d requests in flight, cap %d", maxInFlight, conc)
			}
			if want := waitBoundP50(r.Requests); r.P50 < want {
				t.Errorf("p50 %.2f ms of %d sent, at least %.2f if the wait for a worker is in the latency", r.P50, r.Requests, want)
			}
			if r.PerSec > 110 {
				t.Errorf("achieved %.0f req/s, but the server takes 20 ms with 2 in flight", r.PerSec)
			}
			for w, n := range count {
				if n%2 != 0 {
					t.Errorf("worker %d stopped after %d requests, in the middle of a cycle", w, n)
				}
			}
		})
	}
}

// waitBoundP50 is the least p50 of TestBench_OpenLoopQueues's first n
// requests if their wait for a worker counts: with 2 workers taking 20 ms
// a request, at most 2(T/20+1) are sent by T ms, so the k-th (due at 2k ms)
// is sent at 10k-10 ms or later and its latency is at least 8k+10 ms, and
// 20 whatever it waited. A loaded machine sends fewer in a grace, not
// sooner, so the bound follows the number sent (a fixed 100 ms failed
// once when 20 were sent, the 10th at 97 ms). 2 ms for timer slop.
func waitBoundP50(n int) float64 {
	if n == 0 {
		return 0
	}
	bounds := make([]time.Duration, n)
	for k := range n {
		bounds[k] = time.Duration(max(20, 8*k+10)) * time.Millisecond
	}
	slices.Sort(bounds)
	return quantileMs(bounds, 0.50) - 2
}

// Ensure --instances 2 on PostgreSQL starts two timds on one database,
// spreads the requests over both and reports each one's memory.
func TestBench_TwoInstancesPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("drives load")
	}
	dsn := dbtest.PostgresDSN(t)
	reports := runBench(t, "--data", dsn, "--instances", "2", "--duration", "100ms", "--concurrency", "4",
		"--skip-baseline", "--scenario", "get_group_info,mix")
	for _, r := range reports {
		if r.Instances != 2 || !strings.HasPrefix(r.Database, "PostgreSQL ") {
			t.Errorf("%s: instances %d, database %q", r.Scenario, r.Instances, r.Database)
		}
		if r.Timd.Requests == 0 || len(r.Timd.Errors) > 0 {
			t.Errorf("%s: %+v", r.Scenario, r.Timd)
		}
		if r.Baseline.Requests != 0 {
			t.Errorf("%s: a baseline with --skip-baseline", r.Scenario)
		}
		if len(r.Memory) != 2 || r.Memory[0].URL == r.Memory[1].URL {
			t.Errorf("%s: memory %+v, want one per instance", r.Scenario, r.Memory)
		}
	}
}

// Ensure settings that cannot work are refused before anything starts.
func TestBench_Refused(t *testing.T) {
	for _, args := range [][]string{
		{"--scenario", "nope"},
		{"--instances", "2"},
		{"--instances", "2", "--data", "/tmp/x.db"},
		{"--url", "http://127.0.0.1:1", "--sdkappid", "1", "--key", "k", "--data", "/tmp/x.db"},
		{"--rate", "-1"},
		{"--interval", "-1s"},
		{"--url", "http://127.0.0.1:1", "--sdkappid", "1", "--key", "k", "--timd", "/bin/true"},
	} {
		err := benchCmd(context.Background(), args, io.Discard, io.Discard)
		if err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

// Ensure --preload fills the store before timd starts and the scenarios run
// against that app, with the start-up time reported.
func TestBench_Preload(t *testing.T) {
	if testing.Short() {
		t.Skip("starts timd processes")
	}
	reports := runBench(t, "--preload", "300", "--preload-members", "3", "--duration", "100ms", "--concurrency", "4",
		"--scenario", "get_group_info,destroy_group", "--skip-baseline")
	if len(reports) != 2 {
		t.Fatalf("%d reports", len(reports))
	}
	for _, r := range reports {
		if r.Preloaded != 300 || len(r.StartupMs) != 1 || r.StartupMs[0] <= 0 {
			t.Errorf("%s: preloaded %d, start-up %v", r.Scenario, r.Preloaded, r.StartupMs)
		}
		if r.Timd.Requests == 0 || len(r.Timd.Errors) > 0 {
			t.Errorf("%s: %d requests, errors %v", r.Scenario, r.Timd.Requests, r.Timd.Errors)
		}
	}
}

// Ensure bench says which TIMD_* settings of its environment the timds it
// starts do not read, and says nothing when there are none.
func TestBench_SaysWhatChildrenIgnore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts timd")
	}
	for _, name := range config.EnvNames() {
		t.Setenv(name, "") // as if unset: the shell running the tests may export some
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, ""},
		{map[string]string{"TIMD_MAX_CONNS": "4", "TIMD_CALLBACK_URL": "http://127.0.0.1:9/"},
			"timd bench: the timds bench starts do not read TIMD_CALLBACK_URL, TIMD_MAX_CONNS from this environment; " +
				"to measure a timd with its own settings, start it yourself and pass --url\n"},
	} {
		for k, v := range tc.env {
			t.Setenv(k, v)
		}
		var logw bytes.Buffer
		_, _, stop, err := benchStartTimds(t.Context(), timdBinary(t), "", 1, nil, &logw)
		if err != nil {
			t.Fatal(err)
		}
		stop()
		if logw.String() != tc.want {
			t.Errorf("env %v: said %q\nwant %q", tc.env, logw.String(), tc.want)
		}
	}
}

// Ensure bench refuses to preload an in-memory database, which the timd it
// starts could never see.
func TestBench_PreloadMemory(t *testing.T) {
	err := benchCmd(context.Background(), []string{"--data", ":memory:", "--preload", "10", "--duration", "1ms",
		"--scenario", "account_import", "--skip-baseline"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--preload needs --data on a file") {
		t.Errorf("bench --data :memory: --preload: %v", err)
	}
}

// Ensure -h lists the flags, --timd among them, and is no error to report.
func TestBench_Help(t *testing.T) {
	var errOut bytes.Buffer
	err := benchCmd(context.Background(), []string{"-h"}, io.Discard, &errOut)
	if !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
	for _, want := range []string{"Usage of timd-bench:", "-concurrency", "-preload-members", "-timd", "-scenario"} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("help lacks %q:\n%s", want, errOut.String())
		}
	}
}

// Ensure --timd wins, and that without it a timd next to the executable, one
// built from the module, or one on PATH is found: here, inside the module,
// one is built, and removed by the cleanup.
func TestFindTimd(t *testing.T) {
	if p, cleanup, err := findTimd(t.Context(), "/opt/timd/bin/timd", io.Discard); err != nil || p != "/opt/timd/bin/timd" {
		t.Errorf("--timd: %q, %v", p, err)
	} else {
		cleanup()
	}
	if testing.Short() {
		return
	}
	p := timdBinary(t)
	out, err := exec.Command(p, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "timd ") {
		t.Errorf("%s version: %q, %v", p, out, err)
	}
}
