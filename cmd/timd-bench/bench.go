package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/timd/timd/internal/sqlstore"
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
	f, err := parseBenchFlags(args, stderr)
	if err != nil {
		return err
	}
	var srv *benchServers
	if f.url == "" {
		srv, err = startOwnTimds(ctx, f, stderr)
	} else {
		srv, err = givenTimds(f)
	}
	if err != nil {
		return err
	}
	defer srv.stop()
	reports, err := runScenarios(ctx, f, srv, stdout, stderr)
	if err != nil {
		return err
	}
	return writeReport(stdout, f, reports)
}

// benchFlags are timd-bench's flags.
type benchFlags struct {
	url, key, ident, data, timd string
	appID                       uint64
	instances, conc, setup      int
	preload, preloadMembers     int
	rate                        float64
	dur, interval               time.Duration
	skipBase, asJSON            bool
	baseInProcess               bool
	scens                       []benchScenario // --scenario
}

// parseBenchFlags parses args and checks what does not depend on the mode
// (timds started here, or --url).
func parseBenchFlags(args []string, stderr io.Writer) (*benchFlags, error) {
	f := &benchFlags{}
	fs := flag.NewFlagSet("timd-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.url, "url", "", "running timd instance(s), comma-separated; empty starts timd (see --data, --instances)")
	fs.Uint64Var(&f.appID, "sdkappid", 0, "SDKAppID (required with --url)")
	fs.StringVar(&f.key, "key", "", "the app's secret key (required with --url)")
	fs.StringVar(&f.ident, "identifier", "administrator", "an app admin (with --url)")
	fs.StringVar(&f.data, "data", "", "database of the timds bench starts: a SQLite file or a postgres:// URL (empty: a temporary SQLite file)")
	fs.IntVar(&f.instances, "instances", 1, "timd instances bench starts on --data, requests spread round-robin (more than 1 needs postgres://)")
	scen := fs.String("scenario", "all", "comma-separated scenarios, or all: "+strings.Join(benchNames(), ", "))
	fs.IntVar(&f.conc, "concurrency", 32, "requests in flight (with --rate: at most)")
	fs.Float64Var(&f.rate, "rate", 0, "open loop: requests per second, scheduled at fixed intervals, latency from the scheduled time (0: closed loop)")
	fs.DurationVar(&f.dur, "duration", 5*time.Second, "measured time per scenario and server")
	fs.DurationVar(&f.interval, "interval", 0, "print throughput, latency and timd's memory every interval while a scenario runs (0: off)")
	fs.BoolVar(&f.skipBase, "skip-baseline", false, "do not measure the baseline (for long runs)")
	fs.BoolVar(&f.baseInProcess, "baseline-in-process", false, "serve the baseline from timd-bench's own process, as figures in docs/benchmarks.md before 2026-12-06 (night) did (default: a process of its own, as timd is)")
	fs.IntVar(&f.setup, "setup", 0, "groups pre-created for destroy_group (0: as many as can be created in 4×duration, or with --rate rate×duration)")
	fs.BoolVar(&f.asJSON, "json", false, "print the report as JSON")
	fs.IntVar(&f.preload, "preload", 0, "groups written into the database before the timds bench starts start, for scale figures (e.g. 1000000)")
	fs.IntVar(&f.preloadMembers, "preload-members", 5, "members of each --preload group")
	fs.StringVar(&f.timd, "timd", "", "timd binary bench starts (empty: timd next to timd-bench, else one built from the module timd-bench runs in, else timd on PATH)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	var err error
	if f.scens, err = pickScenarios(*scen); err != nil {
		return nil, err
	}
	if f.conc < 1 || f.dur <= 0 || f.setup < 0 || f.rate < 0 || f.interval < 0 || f.instances < 1 || f.preload < 0 || f.preloadMembers < 1 {
		return nil, errors.New("--concurrency, --duration, --instances and --preload-members must be positive, --setup, --rate, --interval and --preload not negative")
	}
	return f, nil
}

// benchServers are the timd instances a run drives, and their app.
type benchServers struct {
	bases    []string
	startup  []float64 // ms, per timd bench started
	database string    // for the report
	who      string    // for the report's first line
	appID    uint64
	key      string
	ident    string
	stop     func()
}

// startOwnTimds is the mode without --url: bench starts f.instances timds
// on f.data, preloaded with f.preload groups.
func startOwnTimds(ctx context.Context, f *benchFlags, stderr io.Writer) (*benchServers, error) {
	if f.instances > 1 && !sqlstore.IsPostgres(f.data) {
		return nil, errors.New("--instances above 1 needs --data postgres://...: only one timd may use a SQLite file")
	}
	if f.preload > 0 && sqlstore.IsMemory(f.data) {
		// bench preloads in its own process; the timd it starts would
		// get a database of its own, empty.
		return nil, errors.New("--preload needs --data on a file or postgres://: an in-memory database lives in one process")
	}
	var pre *benchPreload
	if f.preload > 0 {
		pre = newBenchPreload(f.preload, f.preloadMembers)
	}
	bin, cleanup, err := findTimd(ctx, f.timd, stderr)
	if err != nil {
		return nil, err
	}
	servers, app, stop, err := benchStartTimds(ctx, bin, f.data, f.instances, pre, stderr)
	if err != nil {
		cleanup()
		return nil, err
	}
	srv := &benchServers{appID: app.appID, key: app.key, ident: app.admin, database: benchDatabase(f.data),
		stop: func() { stop(); cleanup() }}
	for _, s := range servers {
		srv.bases = append(srv.bases, s.url)
		srv.startup = append(srv.startup, float64(s.startup.Microseconds())/1000)
	}
	srv.who = fmt.Sprintf("%d timd started by bench on %s", len(srv.bases), srv.database)
	if len(srv.bases) > 1 {
		srv.who = fmt.Sprintf("%d timd instances started by bench on %s, requests round-robin", len(srv.bases), srv.database)
	}
	if f.preload > 0 {
		srv.who += fmt.Sprintf(" preloaded with %d groups of %d members", f.preload, f.preloadMembers)
	}
	srv.who += fmt.Sprintf(" (start-up %.0f ms)", slices.Max(srv.startup))
	return srv, nil
}

// givenTimds is the mode with --url: the instances listed, already running.
func givenTimds(f *benchFlags) (*benchServers, error) {
	if f.data != "" || f.instances != 1 {
		return nil, errors.New("--data and --instances are for the timds bench starts; with --url list every instance, comma-separated")
	}
	if f.timd != "" {
		return nil, errors.New("--timd is the binary bench starts; with --url it starts none")
	}
	if f.appID == 0 || f.key == "" || f.ident == "" {
		return nil, errors.New("--url needs --sdkappid, --key and --identifier")
	}
	srv := &benchServers{database: "as configured at --url", appID: f.appID, key: f.key, ident: f.ident, stop: func() {}}
	for _, b := range strings.Split(f.url, ",") {
		if b = strings.TrimRight(strings.TrimSpace(b), "/"); b != "" {
			srv.bases = append(srv.bases, b)
		}
	}
	srv.who = "timd at " + strings.Join(srv.bases, ", ")
	return srv, nil
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
