package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/timd/timd/internal/config"
)

// runCmd runs the dispatcher with an empty environment.
func runCmd(args ...string) (stdout, stderr string, err error) {
	var o, e bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &o, &e)
	return o.String(), e.String(), err
}

// Ensure `timd version` and `timd --version` print the version, the commit
// and the Go version, and that every way to ask for help prints the same
// whole help to stdout.
func TestRun_VersionAndHelp(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-version"}} {
		out, _, err := runCmd(args...)
		if err != nil || !strings.HasPrefix(out, "timd "+Version()+"\n") || !strings.Contains(out, "\ncommit: ") ||
			!strings.Contains(out, runtime.Version()) {
			t.Errorf("%v: %q, %v", args, out, err)
		}
	}
	help, _, err := runCmd("help")
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"-h"}, {"--help"}, {"serve", "-h"}, {"serve", "--help"}} {
		out, stderr, err := runCmd(args...)
		if (err != nil && !errors.Is(err, flag.ErrHelp)) || out != help || stderr != "" {
			t.Errorf("%v: err %v, stderr %q, stdout differs from `timd help`:\n%s", args, err, stderr, out)
		}
	}
	// The load generator's flags are timd-bench's (cmd/timd-bench tests them).
	for _, want := range []string{"timd [serve] [flags]", "timd usersig", "timd bench", "timd-bench", "timd version", "timd help",
		"timd healthcheck", "timd completion bash|zsh|fish", "Flags of timd usersig:", "-identifier", "Flags of timd healthcheck:", "-timeout"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	checkHelpSettings(t, help)
	if got := len(config.Settings()); got != len(config.EnvNames()) {
		t.Errorf("%d settings in the help, %d TIMD_* variables read", got, len(config.EnvNames()))
	}
}

// checkHelpSettings checks help shows every setting of the table, with its
// variable and default.
func checkHelpSettings(t *testing.T, help string) {
	for _, s := range config.Settings() {
		if s.Default == "" || s.Default == "?" {
			t.Errorf("setting --%s has no default in the help", s.Flag)
		}
		if want := fmt.Sprintf("--%s", s.Flag); !strings.Contains(help, "  "+want+" ") {
			t.Errorf("help lacks %s", want)
		}
		if want := fmt.Sprintf("(%s, default %s)", s.Env, s.Default); !strings.Contains(help, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// Ensure `timd bench`, now a command of its own, answers where it went
// instead of serving or taking it for an unknown command.
func TestRun_BenchMoved(t *testing.T) {
	_, _, err := runCmd("bench", "--duration", "1s")
	if !errors.Is(err, errBenchMoved) || !strings.Contains(err.Error(), "go run ./cmd/timd-bench") {
		t.Errorf("timd bench: %v", err)
	}
}

// Ensure the version names the commit and uncommitted changes go build
// recorded.
func TestRun_FormatVersion(t *testing.T) {
	bi := &debug.BuildInfo{GoVersion: "go1.99", Settings: []debug.BuildSetting{
		{Key: "vcs.revision", Value: "0123456789abcdef"}, {Key: "vcs.modified", Value: "true"},
	}}
	got := formatVersion("v1.2.3", buildStamp{}, bi)
	for _, want := range []string{"timd v1.2.3\n", "commit: 0123456789abcdef (with uncommitted changes)\n", "go:     go1.99 "} {
		if !strings.Contains(got, want) {
			t.Errorf("version lacks %q:\n%s", want, got)
		}
	}
	if got := formatVersion("dev", buildStamp{}, nil); !strings.Contains(got, "commit: unknown\n") || strings.Contains(got, "uncommitted") ||
		strings.Contains(got, "built:") {
		t.Errorf("version without build info:\n%s", got)
	}
	// A release build's stamp wins over what go build recorded.
	got = formatVersion("v1.2.3", buildStamp{commit: "fedcba9", date: "2026-01-02T03:04:05Z"}, bi)
	for _, want := range []string{"commit: fedcba9\n", "built:  2026-01-02T03:04:05Z\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("stamped version lacks %q:\n%s", want, got)
		}
	}
}

// Ensure `timd usersig` prints a UserSig Tencent's library accepts, for the
// requested lifetime.
func TestRun_UserSig(t *testing.T) {
	out, _, err := runCmd("usersig", "--sdkappid", "1400000001", "--key", "k", "--identifier", "admin")
	if err != nil {
		t.Fatal(err)
	}
	sig := strings.TrimSpace(out)
	if err := tencentyun.VerifyUserSig(1400000001, "k", "admin", sig, time.Now()); err != nil {
		t.Fatalf("Tencent's library rejects %q: %v", sig, err)
	}
	// Valid 180 days by default, not much longer.
	if err := tencentyun.VerifyUserSig(1400000001, "k", "admin", sig, time.Now().Add(179*24*time.Hour)); err != nil {
		t.Errorf("default sig expires before 180 days: %v", err)
	}
	if err := tencentyun.VerifyUserSig(1400000001, "k", "admin", sig, time.Now().Add(181*24*time.Hour)); err == nil {
		t.Error("default sig still valid after 181 days")
	}

	out, _, err = runCmd("usersig", "--sdkappid", "1400000001", "--key", "k", "--identifier", "admin", "--expire", "60")
	if err != nil {
		t.Fatal(err)
	}
	sig = strings.TrimSpace(out)
	if err := tencentyun.VerifyUserSig(1400000001, "k", "admin", sig, time.Now().Add(2*time.Minute)); err == nil {
		t.Error("--expire 60 sig still valid after 2 minutes")
	}
}

// Ensure `timd usersig` names every missing or bad flag at once.
func TestRun_UserSigErrors(t *testing.T) {
	out, _, err := runCmd("usersig", "--expire", "0")
	if err == nil || out != "" {
		t.Fatalf("usersig without flags: out %q, err %v", out, err)
	}
	for _, want := range []string{"--sdkappid is required", "--key is required", "--identifier is required", "--expire must be positive"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q: %v", want, err)
		}
	}
	_, _, err = runCmd("usersig", "--key", "k", "--identifier", "a")
	if err == nil || !strings.Contains(err.Error(), "--sdkappid") || strings.Contains(err.Error(), "--key") {
		t.Errorf("usersig without --sdkappid: %v", err)
	}
	if _, stderr, err := runCmd("usersig", "-h"); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr, "-identifier") {
		t.Errorf("usersig -h: err %v, stderr %q", err, stderr)
	}
}

// Ensure an unknown subcommand is an error naming it and showing the usage.
func TestRun_UnknownCommand(t *testing.T) {
	_, _, err := runCmd("frobnicate", "--now")
	if err == nil || !strings.Contains(err.Error(), `unknown command "frobnicate"`) || !strings.Contains(err.Error(), "usage:") {
		t.Errorf("run(frobnicate) = %v", err)
	}
}

// Ensure the built binary works as a user runs it: the printed curl command
// succeeds, SIGTERM makes it exit 0 promptly, a bad configuration exits 1
// with every problem on stderr, and -h exits 0.
func TestMain_Process(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the timd binary")
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build timd with")
	}
	bin := filepath.Join(t.TempDir(), "timd")
	build := exec.Command(gobin, "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	t.Run("Serve", func(t *testing.T) { processServe(t, bin) })
	t.Run("InvalidConfig", func(t *testing.T) { processInvalidConfig(t, bin) })
	t.Run("Help", func(t *testing.T) {
		out, err := exec.Command(bin, "serve", "-h").CombinedOutput()
		if err != nil || !strings.Contains(string(out), "TIMD_SECRET_KEY") {
			t.Errorf("serve -h: %v\n%s", err, out)
		}
	})
}

// processServe runs bin, checks the curl command it prints succeeds, and
// that SIGTERM makes it exit 0 promptly, logging its shutdown.
func processServe(t *testing.T, bin string) {
	cmd := exec.Command(bin)
	cmd.Env = timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+t.TempDir())
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1) // receives Wait's result, then is closed
	go func() { done <- cmd.Wait(); close(done) }()
	defer func() {
		select {
		case <-done:
		default:
			cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
	}()

	w := waitWelcome(t, stdout, done)
	if r := Post(t, w.CurlURL, w.CurlBody); r.Raw != okReply {
		t.Fatalf("printed curl command answered %s", r.Raw)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("timd exited with %v after SIGTERM", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("timd still running 10s after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "timd stopped") {
		t.Errorf("no shutdown log line")
	}
}

// processInvalidConfig checks bin exits 1 on a bad configuration, with
// every problem in its output.
func processInvalidConfig(t *testing.T, bin string) {
	cmd := exec.Command(bin, "--rate-limit", "fast")
	cmd.Env = timdEnv("TIMD_EDITION=gold", "TIMD_DATA="+t.TempDir())
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, out)
	}
	for _, want := range []string{"timd: invalid configuration", `rate limit "fast"`, `edition "gold"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}
