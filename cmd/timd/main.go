// Command timd serves the Tencent Cloud Chat server REST API and delivers its
// third-party callbacks, on embedded SQLite or on PostgreSQL.
//
// Usage:
//
//	timd [serve] [flags]   run the server (the default)
//	timd usersig ...       print a UserSig made with Tencent's algorithm
//	timd healthcheck       exit 0 when a running timd is ready, 1 otherwise
//	timd completion SHELL  print a bash, zsh or fish completion script
//	timd export ...        write an app's whole state as one JSON document
//	timd import ...        replace an app's state by such a document
//	timd version           print the version, commit and Go version
//	timd help              list every command and flag
//
// The load generator is a command of its own, timd-bench (cmd/timd-bench).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/timd/timd/internal/server"
)

// defaultGOGC is the Go collector's setting when GOGC is not in the
// environment. timd's live heap is small (about 5 MB under load), so Go's
// default of 100 starts a collection every few MB allocated: about 18 a
// second under a few thousand requests a second. 400 collects a quarter as
// often for some 15 MB more heap; `timd-bench --scenario mix` runs 10-20%
// faster with it.
const defaultGOGC = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	// SIGINT and SIGTERM cancel ctx: Main then drains in-flight requests.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "timd:", err)
			os.Exit(1)
		}
	}
}

// run dispatches a subcommand.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && !isFlag(args[0]) {
		cmd, args = args[0], args[1:]
	}
	if cmd == "serve" && len(args) > 0 && (args[0] == "--version" || args[0] == "-version") {
		cmd = "version"
	}
	switch cmd {
	case "serve":
		return serve(ctx, args, getenv, stdout, stderr)
	case "usersig":
		return usersigCmd(args, stdout, stderr)
	case "healthcheck":
		return healthcheckCmd(ctx, args, getenv, stdout, stderr)
	case "completion":
		return completionCmd(args, stdout)
	case "export":
		return exportCmd(ctx, args, getenv, stdout, stderr)
	case "import":
		return importCmd(ctx, args, getenv, stderr)
	case "bench":
		return errBenchMoved
	case "version":
		_, err := io.WriteString(stdout, versionText())
		return err
	case "help":
		writeHelp(stdout)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

const usage = `usage: timd [serve|usersig|export|import|healthcheck|completion|version|help] [flags]   (timd --help lists every command and flag)`

// errBenchMoved answers `timd bench`, which was the load generator until it
// became a command of its own, so that the server binary carries only the
// server.
var errBenchMoved = errors.New("timd bench has moved to its own command, timd-bench: " +
	"go run ./cmd/timd-bench (or go install ./cmd/timd-bench) takes the same flags")

// Main is the server `timd serve` runs. It lives in internal/server so that
// timdtest can run it inside a test's process; the end-to-end tests here
// add their helpers to this type.
type Main struct{ *server.Server }

// NewMain returns a server with the default configuration that calls itself
// by this build's stamped version.
func NewMain() *Main {
	m := server.New()
	m.Version = Version()
	return &Main{m}
}

// serve runs the server until ctx is cancelled, then shuts it down gracefully.
func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	m := NewMain()
	m.Stdout, m.Stderr = stdout, stderr
	if err := m.ParseFlags(args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			writeHelp(stdout)
		}
		return err
	}
	if err := m.Run(ctx); err != nil {
		return errors.Join(err, m.Close())
	}
	return errors.Join(m.Wait(ctx), m.Close())
}
