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
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/timd/timd/internal/usersig"
)

// benchReport is one scenario's figures against timd and the baseline.
type benchReport struct {
	Scenario string      `json:"scenario"`
	Setup    int         `json:"setup,omitempty"` // objects created before timing
	Timd     benchResult `json:"timd"`
	Baseline benchResult `json:"baseline"`
	Ratio    float64     `json:"ratio"` // timd req/s ÷ baseline req/s
}

// benchCmd drives a timd (given, or started here on a temporary SQLite file)
// over real HTTP and prints throughput and latency per scenario, each next to
// a bare net/http baseline measured the same way in the same run.
func benchCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("timd bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("url", "", "a running timd; empty starts one in-process on a temporary SQLite file")
	appID := fs.Uint64("sdkappid", 0, "SDKAppID (required with --url)")
	key := fs.String("key", "", "the app's secret key (required with --url)")
	ident := fs.String("identifier", "administrator", "an app admin")
	scen := fs.String("scenario", "all", "comma-separated scenarios, or all: "+strings.Join(benchNames(), ", "))
	conc := fs.Int("concurrency", 32, "requests in flight")
	dur := fs.Duration("duration", 5*time.Second, "measured time per scenario and server")
	setup := fs.Int("setup", 0, "groups pre-created for destroy_group (0: as many as can be created in 4×duration)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := fs.Parse(args); err != nil {
		return err
	}
	scens, err := pickScenarios(*scen)
	if err != nil {
		return err
	}
	if *conc < 1 || *dur <= 0 || *setup < 0 {
		return errors.New("--concurrency and --duration must be positive, --setup not negative")
	}

	if *base == "" {
		m, cleanup, err := benchStartTimd(ctx)
		if err != nil {
			return err
		}
		defer cleanup()
		app := m.Apps[0]
		*base, *appID, *key, *ident = m.URL(), app.SDKAppID, app.SecretKey, app.Admins[0]
	} else if *appID == 0 || *key == "" || *ident == "" {
		return errors.New("--url needs --sdkappid, --key and --identifier")
	}

	// One UserSig for the whole run: the server verifies it once and then
	// hits its cache, as with a real client that keeps its ticket.
	sig, err := usersig.Gen(*appID, *key, *ident, DefaultSigExpire, time.Now())
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
	timd := &benchTarget{client: client, base: strings.TrimRight(*base, "/"), query: q.Encode()}
	baseURL, stopBaseline, err := startBaseline()
	if err != nil {
		return err
	}
	defer stopBaseline()
	baseline := &benchTarget{client: client, base: baseURL, query: timd.query}

	var pre [3]byte
	rand.Read(pre[:])
	e := &benchEnv{timd: timd, prefix: "b" + hex.EncodeToString(pre[:]), concurrency: *conc, duration: *dur, setup: *setup}
	if err := benchAccounts(ctx, e); err != nil {
		return err
	}

	var reports []benchReport
	for _, s := range scens {
		bops, _, err := s.ops(ctx, e, true)
		if err != nil {
			return err
		}
		r := benchReport{Scenario: s.name, Baseline: drive(ctx, baseline, bops, *conc, *dur, s.cycle)}
		tops, n, err := s.ops(ctx, e, false)
		if err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.Setup, r.Timd = n, drive(ctx, timd, tops, *conc, *dur, s.cycle)
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
	printBench(stdout, reports, *conc, *dur)
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

// benchStartTimd starts timd on 127.0.0.1:0 with a fresh SQLite file in a
// temporary directory and no rate limit (the point is to find the ceiling),
// logging only errors so logging does not compete for the CPU.
func benchStartTimd(ctx context.Context) (*Main, func(), error) {
	dir, err := os.MkdirTemp("", "timd-bench-")
	if err != nil {
		return nil, nil, err
	}
	env := map[string]string{
		"TIMD_DATA":       filepath.Join(dir, "timd.db"),
		"TIMD_RATE_LIMIT": "off",
		"TIMD_LOG_LEVEL":  "error",
	}
	m := NewMain()
	m.Stdout, m.Stderr = io.Discard, io.Discard
	cleanup := func() { m.Close(); os.RemoveAll(dir) }
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }); err != nil {
		os.RemoveAll(dir)
		return nil, nil, err
	}
	if err := m.Run(ctx); err != nil {
		cleanup()
		return nil, nil, err
	}
	return m, cleanup, nil
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

func printBench(w io.Writer, reports []benchReport, conc int, dur time.Duration) {
	fmt.Fprintf(w, "timd bench: concurrency %d, %s per scenario and server\n\n", conc, dur)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\treq/s\tp50 ms\tp99 ms\tp99.9 ms\tbaseline req/s\tratio\terrors\t")
	for _, r := range reports {
		errs := fmtErrors(r.Timd.Errors)
		if r.Timd.Exhausted {
			errs += fmt.Sprintf(" (pool of %d ran out)", r.Setup)
		}
		if len(r.Baseline.Errors) > 0 {
			errs += " baseline: " + fmtErrors(r.Baseline.Errors)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%.0f\t%.3f\t%s\t\n", r.Scenario, r.Timd.PerSec,
			r.Timd.P50, r.Timd.P99, r.Timd.P999, r.Baseline.PerSec, r.Ratio, errs)
	}
	tw.Flush()
}
