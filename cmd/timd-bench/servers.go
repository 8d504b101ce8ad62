package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
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
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintf(logw, "timd bench: %v\n", err)
		}
	}
	// The console off: with it on, the development app would capture
	// every callback, a load the figures have never included.
	env := []string{"TIMD_ADDR=127.0.0.1:0", "TIMD_DATA=" + data,
		"TIMD_RATE_LIMIT=off", "TIMD_LOG_LEVEL=error", "TIMD_CONSOLE=off"}
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
	go func() { _ = cmd.Wait(); close(s.done) }() // how it ended is in cmd.ProcessState
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
