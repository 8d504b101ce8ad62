package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/timd/timd/internal/sqlstore"
	"github.com/timd/timd/internal/usersig"
)

// benchReport is one scenario's figures against timd and the baseline.
type benchReport struct {
	Scenario    string  `json:"scenario"`
	Database    string  `json:"database"`  // what the timds bench started use, or "as configured" with --url
	Instances   int     `json:"instances"` // timd instances the requests were spread over
	Concurrency int     `json:"concurrency"`
	Rate        float64 `json:"rate,omitempty"`  // --rate; 0: closed loop
	Setup       int     `json:"setup,omitempty"` // objects created before timing
	// Preloaded groups in the store (--preload), and how long the timds
	// bench started took from exec to serving, in ms.
	Preloaded int           `json:"preloaded_groups,omitempty"`
	StartupMs []float64     `json:"startup_ms,omitempty"`
	Timd      benchResult   `json:"timd"`
	Baseline  benchResult   `json:"baseline,omitzero"` // absent with --skip-baseline
	Ratio     float64       `json:"ratio,omitempty"`   // timd req/s ÷ baseline req/s
	Memory    []benchMemory `json:"memory,omitempty"`  // per instance, from its /metrics
	// With --interval, the p99 of the first and the last interval: a
	// latency that grows over a long run shows here.
	P99First float64 `json:"p99_first_interval_ms,omitempty"`
	P99Last  float64 `json:"p99_last_interval_ms,omitempty"`
	// With two intervals or more: how throughput and p99 spread over them.
	IntervalStats *benchIntervalStats `json:"interval_stats,omitempty"`
}

// benchCmd drives timd (given, or started here) over real HTTP and prints
// throughput and latency per scenario, each next to a bare net/http baseline
// measured the same way in the same run.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("timd-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "running timd instance(s), comma-separated; empty starts timd (see --data, --instances)")
	appID := fs.Uint64("sdkappid", 0, "SDKAppID (required with --url)")
	key := fs.String("key", "", "the app's secret key (required with --url)")
	ident := fs.String("identifier", "administrator", "an app admin (with --url)")
	data := fs.String("data", "", "database of the timds bench starts: a SQLite file or a postgres:// URL (empty: a temporary SQLite file)")
	instances := fs.Int("instances", 1, "timd instances bench starts on --data, requests spread round-robin (more than 1 needs postgres://)")
	scen := fs.String("scenario", "all", "comma-separated scenarios, or all: "+strings.Join(benchNames(), ", "))
	conc := fs.Int("concurrency", 32, "requests in flight (with --rate: at most)")
	rate := fs.Float64("rate", 0, "open loop: requests per second, scheduled at fixed intervals, latency from the scheduled time (0: closed loop)")
	dur := fs.Duration("duration", 5*time.Second, "measured time per scenario and server")
	interval := fs.Duration("interval", 0, "print throughput, latency and timd's memory every interval while a scenario runs (0: off)")
	skipBase := fs.Bool("skip-baseline", false, "do not measure the baseline (for long runs)")
	setup := fs.Int("setup", 0, "groups pre-created for destroy_group (0: as many as can be created in 4×duration, or with --rate rate×duration)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	preload := fs.Int("preload", 0, "groups written into the database before the timds bench starts start, for scale figures (e.g. 1000000)")
	preloadMembers := fs.Int("preload-members", 5, "members of each --preload group")
	timdPath := fs.String("timd", "", "timd binary bench starts (empty: timd next to timd-bench, else one built from the module timd-bench runs in, else timd on PATH)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	scens, err := pickScenarios(*scen)
	if err != nil {
		return err
	}
	if *conc < 1 || *dur <= 0 || *setup < 0 || *rate < 0 || *interval < 0 || *instances < 1 || *preload < 0 || *preloadMembers < 1 {
		return errors.New("--concurrency, --duration, --instances and --preload-members must be positive, --setup, --rate, --interval and --preload not negative")
	}

	var bases []string
	var startup []float64 // ms, per timd bench started
	database, who := "as configured at --url", ""
	if *base == "" {
		if *instances > 1 && !sqlstore.IsPostgres(*data) {
			return errors.New("--instances above 1 needs --data postgres://...: only one timd may use a SQLite file")
		}
		if *preload > 0 && sqlstore.IsMemory(*data) {
			// bench preloads in its own process; the timd it starts would
			// get a database of its own, empty.
			return errors.New("--preload needs --data on a file or postgres://: an in-memory database lives in one process")
		}
		var pre *benchPreload
		if *preload > 0 {
			pre = newBenchPreload(*preload, *preloadMembers)
		}
		bin, cleanup, err := findTimd(ctx, *timdPath, stderr)
		if err != nil {
			return err
		}
		defer cleanup()
		servers, app, stop, err := benchStartTimds(ctx, bin, *data, *instances, pre, stderr)
		if err != nil {
			return err
		}
		defer stop()
		for _, s := range servers {
			bases = append(bases, s.url)
			startup = append(startup, float64(s.startup.Microseconds())/1000)
		}
		*appID, *key, *ident = app.appID, app.key, app.admin
		database = benchDatabase(*data)
		who = fmt.Sprintf("%d timd started by bench on %s", len(bases), database)
		if len(bases) > 1 {
			who = fmt.Sprintf("%d timd instances started by bench on %s, requests round-robin", len(bases), database)
		}
		if *preload > 0 {
			who += fmt.Sprintf(" preloaded with %d groups of %d members", *preload, *preloadMembers)
		}
		who += fmt.Sprintf(" (start-up %.0f ms)", slices.Max(startup))
	} else {
		if *data != "" || *instances != 1 {
			return errors.New("--data and --instances are for the timds bench starts; with --url list every instance, comma-separated")
		}
		if *timdPath != "" {
			return errors.New("--timd is the binary bench starts; with --url it starts none")
		}
		if *appID == 0 || *key == "" || *ident == "" {
			return errors.New("--url needs --sdkappid, --key and --identifier")
		}
		for _, b := range strings.Split(*base, ",") {
			if b = strings.TrimRight(strings.TrimSpace(b), "/"); b != "" {
				bases = append(bases, b)
			}
		}
		who = "timd at " + strings.Join(bases, ", ")
	}

	// One UserSig for the whole run: the server verifies it once and then
	// hits its cache, as with a real client that keeps its ticket.
	sig, err := usersig.Gen(*appID, *key, *ident, usersig.DefaultExpire, time.Now())
	if err != nil {
		return err
	}
	q := url.Values{}
	q.Set("sdkappid", strconv.FormatUint(*appID, 10))
	q.Set("identifier", *ident)
	q.Set("usersig", sig)
	q.Set("random", "99")
	q.Set("contenttype", "json")
	client := newBenchClient(*conc)
	timd := &benchTarget{client: client, bases: bases, query: q.Encode()}
	baseURL, stopBaseline, err := startBaseline()
	if err != nil {
		return err
	}
	defer stopBaseline()
	baseline := &benchTarget{client: client, bases: []string{baseURL}, query: timd.query}

	var pre [3]byte
	rand.Read(pre[:])
	e := &benchEnv{timd: timd, prefix: "b" + hex.EncodeToString(pre[:]), concurrency: *conc, duration: *dur, setup: *setup, rate: *rate}
	if err := benchAccounts(ctx, e); err != nil {
		return err
	}
	mem := newBenchMemWatch(ctx, bases) // nil: no memory figures at /metrics
	lines := stdout                     // the --interval lines
	if *asJSON {
		lines = stderr
	} else {
		load := fmt.Sprintf("closed loop, concurrency %d", *conc)
		if *rate > 0 {
			load = fmt.Sprintf("open loop at %g req/s, at most %d in flight", *rate, *conc)
		}
		per := " per scenario and server"
		if *skipBase {
			per = " per scenario, no baseline"
		}
		fmt.Fprintf(stdout, "timd bench: %s; %s; %s%s\n\n", who, load, *dur, per)
	}
	width := 0 // of the scenario names, to align the --interval lines
	for _, s := range scens {
		width = max(width, len(s.name))
	}

	var reports []benchReport
	for _, s := range scens {
		r := benchReport{Scenario: s.name, Database: database, Instances: len(bases), Concurrency: *conc, Rate: *rate,
			Preloaded: *preload, StartupMs: startup}
		o := driveOpts{concurrency: *conc, duration: *dur, cycle: s.cycle, rate: *rate}
		if !*skipBase {
			bops, _, err := s.ops(ctx, e, true)
			if err != nil {
				return err
			}
			r.Baseline = drive(ctx, baseline, bops, o)
		}
		tops, n, err := s.ops(ctx, e, false)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		o.interval = *interval
		var prev []benchMem // the previous interval's figures, for the histogram's deltas
		o.onInterval = func(iv *benchInterval) {
			if mem != nil {
				cur := mem.sample(ctx)
				for i, m := range cur {
					iv.RSSMB, iv.HeapMB = append(iv.RSSMB, m.RSS), append(iv.HeapMB, m.Heap)
					if m.Hist != nil && i < len(prev) {
						iv.ServerP99 = append(iv.ServerP99, m.Hist.p99Since(prev[i].Hist))
					}
				}
				prev = cur
			}
			fmt.Fprintln(lines, fmtInterval(fmt.Sprintf("%-*s", width, s.name), iv))
		}
		if mem != nil {
			prev = mem.begin(ctx)
		}
		r.Setup, r.Timd = n, drive(ctx, timd, tops, o)
		if mem != nil {
			r.Memory = mem.end(ctx)
		}
		if ivs := r.Timd.Intervals; len(ivs) > 0 {
			r.P99First, r.P99Last = ivs[0].P99, ivs[len(ivs)-1].P99
			r.IntervalStats = intervalStats(ivs)
		}
		if r.Baseline.PerSec > 0 {
			r.Ratio = r.Timd.PerSec / r.Baseline.PerSec
		}
		reports = append(reports, r)
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(reports)
	}
	if *interval > 0 {
		fmt.Fprintln(stdout)
	}
	printBench(stdout, reports, *rate > 0, !*skipBase)
	return nil
}

func benchNames() []string {
	var names []string
	for _, s := range benchScenarios {
		names = append(names, s.name)
	}
	return names
}

func pickScenarios(list string) ([]benchScenario, error) {
	if list == "all" {
		return benchScenarios, nil
	}
	var out []benchScenario
	for _, name := range strings.Split(list, ",") {
		i := slices.IndexFunc(benchScenarios, func(s benchScenario) bool { return s.name == strings.TrimSpace(name) })
		if i < 0 {
			return nil, fmt.Errorf("unknown scenario %q; want all or some of: %s", name, strings.Join(benchNames(), ", "))
		}
		out = append(out, benchScenarios[i])
	}
	return out, nil
}

// benchAccounts imports the accounts the scenarios name, 100 per request.
func benchAccounts(ctx context.Context, e *benchEnv) error {
	ids := []string{benchOwner, benchMember1, benchMember2}
	for w := range e.concurrency {
		ids = append(ids, benchUser(w))
	}
	for chunk := range slices.Chunk(ids, 100) {
		list, _ := json.Marshal(chunk)
		op := benchOp{"im_open_login_svc", "multiaccount_import", []byte(`{"Accounts":` + string(list) + `}`)}
		if code, key := e.timd.call(ctx, op); key != "" {
			return fmt.Errorf("import bench accounts: %s (code %d)", key, code)
		}
	}
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
	tw.Flush()
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
