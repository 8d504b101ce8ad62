// Command timd-bench measures timd: it drives timd over real HTTP and prints
// throughput and latency per scenario, each next to a bare net/http baseline
// measured the same way in the same run, with timd's memory from its
// /metrics. It starts the timds it measures as child processes (findTimd
// says which binary) or drives running instances given with --url.
//
// Usage:
//
//	timd-bench [flags]     (timd-bench -h lists them)
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// defaultGOGC is the collector's setting when GOGC is not in the
// environment: timd's own (cmd/timd), which the load generator ran with when
// it was a timd subcommand. Its heap is small and it allocates per request,
// so collecting a quarter as often leaves more of the CPU to the load.
const defaultGOGC = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGOGC)
	}
	if os.Getenv(baselineEnv) == "serve" {
		os.Exit(runBaselineChild(os.Stdin, os.Stdout))
	}
	// SIGINT and SIGTERM cancel ctx: the run stops and the timds it
	// started are shut down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := benchCmd(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "timd-bench:", err)
		os.Exit(1)
	}
}
