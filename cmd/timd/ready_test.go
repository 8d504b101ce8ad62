package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/timd/timd/internal/ready"
)

// Ensure TIMD_READY_FILE gets, once timd serves, what the welcome shows (the
// development app's key included) and timd's pid, and that Close removes it;
// and that a configured app's key stays out of it.
func TestReady_File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ready.json")
	m := MustRunMain(t, map[string]string{"TIMD_READY_FILE": path})
	info, err := ready.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	w := m.DevWelcome(t)
	want := ready.Info{URL: m.URL(), SDKAppID: w.SDKAppID, Admin: w.Admin, SecretKey: w.SecretKey, PID: os.Getpid(), Data: m.DataPlace()}
	if info != want || w.SecretKey == "" {
		t.Errorf("ready file %+v, want %+v", info, want)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ready file left after Close: %v", err)
	}

	path = filepath.Join(t.TempDir(), "ready.json")
	m = MustRunMain(t, map[string]string{"TIMD_READY_FILE": path, "TIMD_SDKAPPID": "1400000077", "TIMD_SECRET_KEY": "configured-key"})
	info, err = ready.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.SDKAppID != 1400000077 || info.Admin != "administrator" || info.SecretKey != "" || info.URL != m.URL() {
		t.Errorf("ready file of a configured app: %+v", info)
	}
}

// Ensure a ready file timd cannot write fails the start.
func TestReady_Unwritable(t *testing.T) {
	m := NewMain()
	m.Stdout, m.Stderr = &syncBuffer{}, &syncBuffer{}
	env := map[string]string{"TIMD_DATA": ":memory:", "TIMD_READY_FILE": filepath.Join(t.TempDir(), "missing", "ready.json")}
	if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	err := m.Run(context.Background())
	_ = m.Close() // Run's error is the one under test
	if err == nil {
		t.Fatal("Run wrote no ready file and did not fail")
	}
}

// withReadyFile returns env with TIMD_READY_FILE set to a new path, and the
// path: the process-level tests learn a started timd's URL from it.
func withReadyFile(t *testing.T, env []string) ([]string, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ready.json")
	return append(env[:len(env):len(env)], "TIMD_READY_FILE="+path), path
}

// awaitReady waits up to timeout for the ready file at path of a timd
// process; exited (may be nil) is closed when the process has exited. It
// returns the error for the test to report with the process's output.
func awaitReady(path string, exited <-chan struct{}, timeout time.Duration) (ready.Info, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	return ready.Wait(ctx, path, exited)
}
