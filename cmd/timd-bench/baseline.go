package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// The baseline is what any JSON-over-HTTP server on this machine must at
// least do: read the body, decode it, answer the envelope from memory. Its
// throughput is the ceiling timd's figures are divided by.
//
// It runs in a process of its own, as timd does, unless --baseline-in-process:
// a server sharing the load generator's process answers without a second Go
// runtime's scheduling and without waking another process for each request,
// and on two cores that made it about 1.6 times as fast as the same server
// in its own process. A do-nothing server in its own process then scored
// about 0.6 of it, so no server could have reached the targets' ratios
// (issue #22 defines the baseline as a handler in its own process, against
// which a do-nothing server scores about 0.95).

// baselineEnv, set to "serve", makes timd-bench the baseline server: it
// prints the URL it serves on its first line and serves until its standard
// input ends.
const baselineEnv = "TIMD_BENCH_BASELINE"

// baselineReply is the envelope every successful timd reply starts with.
var baselineReply = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)

// baselineHandler is the baseline's one handler.
func baselineHandler(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	var m map[string]any
	if err == nil {
		err = json.Unmarshal(body, &m)
	}
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(baselineReply)
}

// serveBaseline listens on a free loopback port and serves the baseline.
// It returns the URL and a function that stops it.
func serveBaseline() (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(baselineHandler)}
	done := make(chan struct{})
	// Serve returns at Close; should it fail before, the requests to the
	// baseline fail and the report counts them as transport errors.
	go func() { _ = srv.Serve(ln); close(done) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close(); <-done }, nil
}

// runBaselineChild is the baseline process's life: serve, say where,
// stop when the parent closes standard input (or goes away).
func runBaselineChild(stdin io.Reader, stdout io.Writer) int {
	base, stop, err := serveBaseline()
	if err != nil {
		fmt.Fprintln(os.Stderr, "timd-bench baseline:", err)
		return 1
	}
	fmt.Fprintln(stdout, base)
	_, _ = io.Copy(io.Discard, stdin)
	stop()
	return 0
}

// startBaseline starts the baseline: in a process of its own (this
// executable again, with baselineEnv set), or with inProcess in this one.
func startBaseline(inProcess bool) (base string, stop func(), err error) {
	if inProcess {
		return serveBaseline()
	}
	exe, err := os.Executable()
	if err != nil {
		return "", nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = append(os.Environ(), baselineEnv+"=serve")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop = func() {
		_ = in.Close() // the child sees end of input and stops; Wait reaps it either way
		_ = cmd.Wait()
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	base = strings.TrimSpace(line)
	if err != nil || !strings.HasPrefix(base, "http://") {
		stop()
		return "", nil, errors.Join(errors.New("the baseline process did not start"), err)
	}
	return base, stop, nil
}
