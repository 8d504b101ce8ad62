package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"
)

// benchTarget is one server the load is driven against: timd or the
// baseline, both reached with the same client and the same query string.
type benchTarget struct {
	client *http.Client
	base   string // http://host:port
	query  string // encoded sdkappid, identifier, usersig, random, contenttype
}

// benchOp is one request: service, command and JSON body.
type benchOp struct {
	svc, cmd string
	body     []byte
}

// opFunc returns worker w's i-th request; ok false means the scenario has no
// more work for w (a destroy pool that ran out).
type opFunc func(w, i int) (op benchOp, ok bool)

// benchResult is what one scenario measured against one server.
type benchResult struct {
	Requests  int            `json:"requests"`
	Seconds   float64        `json:"seconds"`
	PerSec    float64        `json:"req_per_sec"`
	P50       float64        `json:"p50_ms"`
	P99       float64        `json:"p99_ms"`
	P999      float64        `json:"p999_ms"`
	Errors    map[string]int `json:"errors,omitempty"` // by ErrorCode, "http 500" or "transport"
	Exhausted bool           `json:"exhausted,omitempty"`
}

// call posts one request and returns the reply's ErrorCode; err is a
// transport or envelope failure, reported as "transport"/"http N".
func (t *benchTarget) call(ctx context.Context, op benchOp) (code int, errKey string) {
	u := t.base + "/v4/" + op.svc + "/" + op.cmd + "?" + t.query
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(op.body))
	if err != nil {
		return 0, "transport"
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return 0, "transport"
	}
	// Read to the end so the keep-alive connection is reused.
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, "transport"
	}
	if resp.StatusCode != http.StatusOK {
		return 0, "http " + strconv.Itoa(resp.StatusCode)
	}
	var env struct{ ErrorCode int }
	if err := json.Unmarshal(body, &env); err != nil {
		return 0, "bad reply"
	}
	if env.ErrorCode != 0 {
		return env.ErrorCode, strconv.Itoa(env.ErrorCode)
	}
	return 0, ""
}

// drive runs concurrency workers issuing ops until the duration is over.
// With pair set a worker only stops after an even number of requests, so an
// add is always followed by its delete and a rerun starts from a clean state.
// Latency is measured per request, client side, including the round trip.
func drive(ctx context.Context, t *benchTarget, ops opFunc, concurrency int, d time.Duration, cycle int) benchResult {
	if cycle < 1 {
		cycle = 1
	}
	lat := make([][]time.Duration, concurrency)
	errs := make([]map[string]int, concurrency)
	exhausted := make([]bool, concurrency)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range concurrency {
		errs[w] = map[string]int{}
		wg.Go(func() {
			for i := 0; ; i++ {
				if i%cycle == 0 && (time.Now().After(deadline) || ctx.Err() != nil) {
					return
				}
				op, ok := ops(w, i)
				if !ok {
					exhausted[w] = true
					return
				}
				t0 := time.Now()
				_, key := t.call(ctx, op)
				lat[w] = append(lat[w], time.Since(t0))
				if key != "" {
					errs[w][key]++
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	var all []time.Duration
	r := benchResult{Errors: map[string]int{}, Seconds: elapsed.Seconds()}
	for w := range concurrency {
		all = append(all, lat[w]...)
		for k, n := range errs[w] {
			r.Errors[k] += n
		}
		r.Exhausted = r.Exhausted || exhausted[w]
	}
	slices.Sort(all)
	r.Requests = len(all)
	r.PerSec = float64(len(all)) / elapsed.Seconds()
	r.P50, r.P99, r.P999 = quantileMs(all, 0.50), quantileMs(all, 0.99), quantileMs(all, 0.999)
	if len(r.Errors) == 0 {
		r.Errors = nil
	}
	return r
}

// quantileMs is the nearest-rank quantile of sorted latencies, in ms.
func quantileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return float64(sorted[i]) / float64(time.Millisecond)
}

// baselineReply is the envelope every successful timd reply starts with.
var baselineReply = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)

// startBaseline serves what any JSON-over-HTTP server on this machine must
// at least do: read the body, decode it, answer the envelope from memory. Its
// throughput is the ceiling timd's figures are divided by.
func startBaseline() (base string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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
		}),
	}
	done := make(chan struct{})
	go func() { srv.Serve(ln); close(done) }()
	return "http://" + ln.Addr().String(), func() { srv.Close(); <-done }, nil
}

// newBenchClient shares keep-alive connections between the workers: one
// idle connection per worker, so no request pays for a TCP handshake.
func newBenchClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0 // no overall limit
	tr.MaxIdleConnsPerHost = concurrency
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}

func fmtErrors(m map[string]int) string {
	if len(m) == 0 {
		return "-"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b bytes.Buffer
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s×%d", k, m[k])
	}
	return b.String()
}
