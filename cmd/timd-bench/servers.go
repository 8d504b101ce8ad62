package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/timd/timd/internal/config"
	"github.com/timd/timd/internal/ready"
	"github.com/timd/timd/internal/sqlstore"
)

// benchServer is one timd process started by bench.
type benchServer struct {
	url     string
	startup time.Duration // from exec to serving
	cmd     *exec.Cmd
	stderr  *benchTail
	done    chan struct{} // closed when the process has exited
}

// benchApp is what bench needs from the started timd's handshake.
type benchApp struct {
	appID      uint64
	key, admin string
}

// benchStartTimds starts n processes of the timd binary at timd (`serve`) on
// 127.0.0.1:0, one after the other, on data (a SQLite file, or with n > 1 a
// postgres:// URL; empty: a new SQLite file in a temporary directory), with
// the rate limit off and only errors logged, none of the environment's
// TIMD_* settings. Separate processes make the /metrics memory figures
// timd's own, without the load generator's. Each tells its URL and app in
// its ready file (TIMD_READY_FILE, package ready). stop shuts them down
// (SIGTERM, then SIGKILL after 15 s) and removes the temporary directory.
//
// With preload, data is first filled with synthetic groups (sqlstore.Seed)
// for an app of bench's own, which the timds then serve.
func benchStartTimds(ctx context.Context, timd, data string, n int, preload *benchPreload, logw io.Writer) (servers []*benchServer, app benchApp, stop func(), err error) {
	dir, err := os.MkdirTemp("", "timd-bench-")
	if err != nil {
		return nil, app, nil, err
	}
	if data == "" {
		data = filepath.Join(dir, "timd.db")
	}
	stop = func() {
		var wg sync.WaitGroup
		for _, s := range servers {
			wg.Go(s.stop)
		}
		wg.Wait()
		os.RemoveAll(dir)
	}
	env := []string{"TIMD_ADDR=127.0.0.1:0", "TIMD_DATA=" + data,
		"TIMD_RATE_LIMIT=off", "TIMD_LOG_LEVEL=error"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TIMD_") {
			env = append(env, kv)
		}
	}
	// The settings are left out so that a figure never depends on what the
	// shell happened to export; say so, as a setting set on purpose (to
	// compare pool sizes, say) would otherwise be measured as the default.
	var ignored []string
	for _, name := range config.EnvNames() {
		if os.Getenv(name) != "" {
			ignored = append(ignored, name)
		}
	}
	if len(ignored) > 0 {
		fmt.Fprintf(logw, "timd bench: the timds bench starts do not read %s from this environment; "+
			"to measure a timd with its own settings, start it yourself and pass --url\n", strings.Join(ignored, ", "))
	}
	key := ""
	if preload != nil {
		if err := preload.run(ctx, data, logw); err != nil {
			stop()
			return nil, app, nil, err
		}
		env = append(env, "TIMD_SDKAPPID="+strconv.FormatUint(preload.appID, 10), "TIMD_SECRET_KEY="+preload.key)
		key = preload.key
	}
	for i := range n {
		readyFile := filepath.Join(dir, fmt.Sprintf("ready-%d.json", i+1))
		s, a, err := benchStartTimd(ctx, timd, append(env[:len(env):len(env)], "TIMD_READY_FILE="+readyFile), readyFile, key)
		if err != nil {
			stop()
			return nil, app, nil, fmt.Errorf("start timd %d of %d: %w", i+1, n, err)
		}
		servers = append(servers, s)
		if i > 0 && a != app {
			stop()
			return nil, app, nil, fmt.Errorf("timd %d serves app %d, timd 1 app %d", i+1, a.appID, app.appID)
		}
		app = a
	}
	return servers, app, stop, nil
}

// benchStartTimd starts one timd and waits for its ready file; key is the
// app's secret key when bench set it itself (the ready file then does not
// hold it), else "".
func benchStartTimd(ctx context.Context, timd string, env []string, readyFile, key string) (*benchServer, benchApp, error) {
	cmd := exec.Command(timd, "serve")
	cmd.Env = env
	s := &benchServer{cmd: cmd, stderr: &benchTail{}, done: make(chan struct{})}
	cmd.Stderr = s.stderr // stdout, the welcome, is not needed
	cmd.SysProcAttr = benchSysProcAttr()
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, benchApp{}, err
	}
	go func() { cmd.Wait(); close(s.done) }()
	waitCtx, cancel := context.WithTimeoutCause(ctx, 60*time.Second, errors.New("timd did not start within 60 s"))
	defer cancel()
	info, err := ready.Wait(waitCtx, readyFile, s.done)
	if err != nil {
		select {
		case <-s.done:
			return nil, benchApp{}, fmt.Errorf("timd exited: %s\n%s", cmd.ProcessState, s.stderr)
		default:
		}
		s.stop()
		if ctx.Err() != nil {
			return nil, benchApp{}, ctx.Err()
		}
		return nil, benchApp{}, fmt.Errorf("%w\n%s", err, s.stderr)
	}
	s.startup = time.Since(started)
	if key == "" {
		key = info.SecretKey
	}
	if info.URL == "" || info.SDKAppID == 0 || info.Admin == "" || key == "" {
		s.stop()
		return nil, benchApp{}, fmt.Errorf("no URL, SDKAppID, admin and secret key in timd's ready file: %+v", info)
	}
	s.url = info.URL
	return s, benchApp{appID: info.SDKAppID, key: key, admin: info.Admin}, nil
}

func (s *benchServer) stop() {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.cmd.Process.Kill()
	}
	select {
	case <-s.done:
	case <-time.After(15 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// benchTail keeps the last 8 KiB written to it: a child's stderr, shown if
// it fails to start.
type benchTail struct {
	mu  sync.Mutex
	buf []byte
}

func (t *benchTail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - 8<<10; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *benchTail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// benchDatabase describes data for the report, without a password.
func benchDatabase(data string) string {
	switch {
	case data == "":
		return "SQLite (temporary file)"
	case sqlstore.IsPostgres(data):
		if u, err := url.Parse(data); err == nil {
			return "PostgreSQL " + u.Redacted()
		}
		return "PostgreSQL"
	}
	return "SQLite " + data
}

// benchMem is a server's memory, in MB, as its /metrics reports it:
// process_resident_memory_bytes (0 where the process collector has none, as
// off Linux and Windows) and go_memstats_heap_inuse_bytes.
type benchMem struct {
	RSS, Heap float64
	// Hist is timd_request_duration_seconds summed over every command: the
	// time timd itself spent on requests, from handler entry to the reply
	// written. nil when /metrics has none.
	Hist *benchHist
}

// benchHist is a cumulative Prometheus histogram: counts[i] requests took at
// most bounds[i] seconds; the last bound is +Inf.
type benchHist struct {
	bounds, counts []float64
}

// p99Since is the upper bound, in ms, of the bucket holding the 99th
// percentile of the requests observed since prev (nil: since the start);
// 0 without requests, -1 when it lies beyond the last finite bound.
func (h *benchHist) p99Since(prev *benchHist) float64 {
	if h == nil || len(h.counts) == 0 {
		return 0
	}
	delta := func(i int) float64 {
		if prev != nil && len(prev.counts) == len(h.counts) {
			return h.counts[i] - prev.counts[i]
		}
		return h.counts[i]
	}
	total := delta(len(h.counts) - 1)
	if total <= 0 {
		return 0
	}
	for i, b := range h.bounds {
		if delta(i) >= 0.99*total {
			if math.IsInf(b, 1) {
				return -1
			}
			return b * 1000
		}
	}
	return -1
}

// addBucket adds one series' bucket line (le and count) to h.
func (h *benchHist) addBucket(le string, v float64) {
	b, err := strconv.ParseFloat(le, 64) // "+Inf" parses as +Inf
	if err != nil {
		return
	}
	i, found := slices.BinarySearch(h.bounds, b)
	if !found {
		h.bounds = slices.Insert(h.bounds, i, b)
		h.counts = slices.Insert(h.counts, i, 0)
	}
	h.counts[i] += v
}

// benchMemory summarises one instance's memory over a scenario's run against
// timd: before, after, and the largest of one sample a second in between.
type benchMemory struct {
	URL         string  `json:"url"`
	RSSStartMB  float64 `json:"rss_start_mb"`
	RSSEndMB    float64 `json:"rss_end_mb"`
	RSSMaxMB    float64 `json:"rss_max_mb"`
	HeapStartMB float64 `json:"heap_start_mb"`
	HeapEndMB   float64 `json:"heap_end_mb"`
	HeapMaxMB   float64 `json:"heap_max_mb"`
}

// benchMemWatch samples the memory of every instance: once a second in the
// background, and on demand.
type benchMemWatch struct {
	client *http.Client
	bases  []string

	mu     sync.Mutex
	latest []benchMem
	mems   []benchMemory
	stop   chan struct{}
	done   chan struct{}
}

// newBenchMemWatch returns nil when the first instance's /metrics does not
// answer with both figures (memory is then not reported).
func newBenchMemWatch(ctx context.Context, bases []string) *benchMemWatch {
	w := &benchMemWatch{client: &http.Client{Timeout: 5 * time.Second}, bases: bases}
	if m, err := w.fetch(ctx, bases[0]); err != nil || m.Heap == 0 {
		return nil
	}
	return w
}

func (w *benchMemWatch) fetch(ctx context.Context, base string) (benchMem, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	if err != nil {
		return benchMem{}, err
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return benchMem{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return benchMem{}, fmt.Errorf("GET %s/metrics: %s", base, resp.Status)
	}
	var m benchMem
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if series, ok := strings.CutPrefix(line, "timd_request_duration_seconds_bucket{"); ok {
			_, after, _ := strings.Cut(series, `le="`)
			le, rest, _ := strings.Cut(after, `"`)
			_, count, _ := strings.Cut(rest, " ")
			count, _, _ = strings.Cut(count, " ")
			if v, err := strconv.ParseFloat(count, 64); err == nil {
				if m.Hist == nil {
					m.Hist = &benchHist{}
				}
				m.Hist.addBucket(le, v)
			}
			continue
		}
		name, rest, _ := strings.Cut(line, " ")
		var dst *float64
		switch name {
		case "process_resident_memory_bytes":
			dst = &m.RSS
		case "go_memstats_heap_inuse_bytes":
			dst = &m.Heap
		default:
			continue
		}
		value, _, _ := strings.Cut(rest, " ") // a timestamp may follow
		if v, err := strconv.ParseFloat(value, 64); err == nil {
			*dst = v / 1e6
		}
	}
	return m, sc.Err()
}

// sample reads every instance now; an instance that does not answer keeps
// its previous figures.
func (w *benchMemWatch) sample(ctx context.Context) []benchMem {
	got := make([]benchMem, len(w.bases))
	var wg sync.WaitGroup
	for i, b := range w.bases {
		wg.Go(func() {
			if m, err := w.fetch(ctx, b); err == nil {
				got[i] = m
			}
		})
	}
	wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, m := range got {
		if m == (benchMem{}) && w.latest != nil {
			got[i] = w.latest[i]
			continue
		}
		if w.mems != nil {
			w.mems[i].RSSMaxMB = max(w.mems[i].RSSMaxMB, m.RSS)
			w.mems[i].HeapMaxMB = max(w.mems[i].HeapMaxMB, m.Heap)
		}
	}
	w.latest = got
	return slices.Clone(got)
}

// begin takes the start figures of a scenario, returns them and samples
// once a second until end.
func (w *benchMemWatch) begin(ctx context.Context) []benchMem {
	w.mu.Lock()
	w.mems = make([]benchMemory, len(w.bases))
	for i, b := range w.bases {
		w.mems[i].URL = b
	}
	w.mu.Unlock()
	start := w.sample(ctx)
	w.mu.Lock()
	for i, m := range start {
		w.mems[i].RSSStartMB, w.mems[i].HeapStartMB = m.RSS, m.Heap
	}
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	w.mu.Unlock()
	go func() {
		defer close(w.done)
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				w.sample(ctx)
			case <-w.stop:
				return
			}
		}
	}()
	return start
}

// end stops the sampling, takes the end figures and returns the summary.
func (w *benchMemWatch) end(ctx context.Context) []benchMemory {
	close(w.stop)
	<-w.done
	last := w.sample(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, m := range last {
		w.mems[i].RSSEndMB, w.mems[i].HeapEndMB = m.RSS, m.Heap
	}
	mems := w.mems
	w.mems = nil
	return mems
}
