package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// benchTarget is one server the load is driven against: timd or the
// baseline, both reached with the same client and the same query string.
// With several bases (timd instances sharing one database) the requests go
// round-robin over them.
type benchTarget struct {
	client *http.Client
	bases  []string // http://host:port, one per instance
	query  string   // encoded sdkappid, identifier, usersig, random, contenttype
	next   atomic.Uint64
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
	Requests   int             `json:"requests"`
	Seconds    float64         `json:"seconds"`
	PerSec     float64         `json:"req_per_sec"`
	TargetRate float64         `json:"target_rate,omitempty"` // --rate; 0: closed loop
	P50        float64         `json:"p50_ms"`
	P99        float64         `json:"p99_ms"`
	P999       float64         `json:"p999_ms"`
	Errors     map[string]int  `json:"errors,omitempty"` // by ErrorCode, "http 500", "transport" or "missed"
	Exhausted  bool            `json:"exhausted,omitempty"`
	Intervals  []benchInterval `json:"intervals,omitempty"` // with --interval, timd only
	// SendLag (open loop): the most bench's schedule woke after a request's
	// time. Large values mean bench itself fell behind (its CPU, its
	// scheduler), which a reader of the latencies should know. Waiting for a
	// free worker is not lag: it counts in the request's latency.
	SendLag float64 `json:"send_lag_ms,omitempty"`
}

// benchInterval is one --interval of a scenario's run against timd: the
// requests completed in it and, when the server's /metrics has them, its
// memory at the interval's end (one figure per instance).
type benchInterval struct {
	At       float64 `json:"at_s"` // end of the interval, seconds since the start
	Requests int     `json:"requests"`
	PerSec   float64 `json:"req_per_sec"`
	P50      float64 `json:"p50_ms"`
	P99      float64 `json:"p99_ms"`
	Errors   int     `json:"errors"`
	SendLag  float64 `json:"send_lag_ms,omitempty"` // open loop: see benchResult.SendLag
	// ServerP99 (per instance): the upper bound of the bucket of timd's own
	// request-duration histogram that holds the interval's 99th percentile
	// (-1: beyond 2.5 s). Beside P99 it tells timd's time from the time a
	// request spent in the network, the kernel or the load generator.
	ServerP99 []float64 `json:"server_p99_ms,omitempty"`
	RSSMB     []float64 `json:"rss_mb,omitempty"`
	HeapMB    []float64 `json:"heap_mb,omitempty"`
}

// driveOpts says how drive loads a target.
type driveOpts struct {
	concurrency int           // workers; with rate, the cap on requests in flight
	duration    time.Duration // measured time
	cycle       int           // requests a worker always completes together
	rate        float64       // requests per second over all workers; 0: closed loop
	interval    time.Duration // 0: no intervals
	onInterval  func(*benchInterval)
	grace       time.Duration // open loop: how long after the schedule requests due may still be sent; 0: drainGrace
}

// benchClientTimeout bounds one request of bench's client.
const benchClientTimeout = 30 * time.Second

// drainGrace is how long, after an open loop's schedule ends, the requests
// due before its end and still waiting for a worker are sent: the client's
// timeout, the most a request in flight can keep its worker.
const drainGrace = benchClientTimeout

// missedKey counts, with --rate, the requests never sent: still waiting for
// one of the --concurrency workers drainGrace after the schedule ended.
const missedKey = "missed"

// call posts one request and returns the reply's ErrorCode; err is a
// transport or envelope failure, reported as "transport"/"http N".
func (t *benchTarget) call(ctx context.Context, op benchOp) (code int, errKey string) {
	_, code, errKey = t.post(ctx, op)
	return code, errKey
}

// post is call that also returns the reply.
func (t *benchTarget) post(ctx context.Context, op benchOp) (reply []byte, code int, errKey string) {
	base := t.bases[0]
	if len(t.bases) > 1 {
		base = t.bases[(t.next.Add(1)-1)%uint64(len(t.bases))]
	}
	u := base + "/v4/" + op.svc + "/" + op.cmd + "?" + t.query
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(op.body))
	if err != nil {
		return nil, 0, "transport"
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return nil, 0, "transport"
	}
	// Read to the end so the keep-alive connection is reused.
	body, err := readBody(resp)
	resp.Body.Close()
	if err != nil {
		return nil, 0, "transport"
	}
	if resp.StatusCode != http.StatusOK {
		return body, 0, "http " + strconv.Itoa(resp.StatusCode)
	}
	if succeeded(body) {
		return body, 0, ""
	}
	var env struct{ ErrorCode int }
	if err := json.Unmarshal(body, &env); err != nil {
		return body, 0, "bad reply"
	}
	if env.ErrorCode != 0 {
		return body, env.ErrorCode, strconv.Itoa(env.ErrorCode)
	}
	return body, 0, ""
}

// okEnvelope is how a successful reply begins: Tencent's envelope comes
// first, in this order, and timd and the baseline write it so.
var okEnvelope = baselineReply[:len(baselineReply)-1]

// succeeded reports whether reply begins with the envelope of a success,
// which is then all the load generator needs of it. Decoding a whole reply
// to find its ErrorCode cost the bench's client about 100 µs for a page of
// admin_getroammsg (5.8 KB), on the cores timd shares with it, where
// the baseline's 51 bytes cost it next to nothing: a measure of the load
// generator, charged to timd. Any other reply is decoded.
func succeeded(reply []byte) bool {
	n := len(okEnvelope)
	return len(reply) > n && bytes.Equal(reply[:n], okEnvelope) && (reply[n] == ',' || reply[n] == '}')
}

// readBody reads a reply whole, into a buffer of its length when known.
func readBody(resp *http.Response) ([]byte, error) {
	if n := resp.ContentLength; n > 0 && n <= 64<<20 {
		body := make([]byte, n)
		_, err := io.ReadFull(resp.Body, body)
		return body, err
	}
	return io.ReadAll(resp.Body)
}

// benchRec collects latencies and errors, for the whole run and for the
// current interval.
type benchRec struct {
	mu      sync.Mutex
	all     []time.Duration
	cur     []time.Duration
	curErrs int
	errs    map[string]int
	last    time.Time     // when the last measured request completed
	lag     time.Duration // the interval's largest send lag
	maxLag  time.Duration // the run's
}

// sent records how late (open loop) a request was handed to a worker.
func (r *benchRec) sent(lag time.Duration) {
	r.mu.Lock()
	r.lag = max(r.lag, lag)
	r.maxLag = max(r.maxLag, lag)
	r.mu.Unlock()
}

// add records one request: its latency (negative: never sent) and its error
// key ("" for success).
func (r *benchRec) add(lat time.Duration, key string) {
	now := time.Now()
	r.mu.Lock()
	if lat >= 0 {
		r.all = append(r.all, lat)
		r.cur = append(r.cur, lat)
		r.last = now
	}
	if key != "" {
		r.errs[key]++
		r.curErrs++
	}
	r.mu.Unlock()
}

// cut returns the current interval's latencies, errors and largest send lag
// and starts a new one.
func (r *benchRec) cut() ([]time.Duration, int, time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lat, errs, lag := r.cur, r.curErrs, r.lag
	r.cur, r.curErrs, r.lag = nil, 0, 0
	return lat, errs, lag
}

// drive loads t for o.duration. Closed loop (o.rate 0): o.concurrency
// workers each issue their next request as soon as the previous one
// answered; latency is each request's round trip. Open loop (o.rate > 0):
// requests are scheduled every 1/rate seconds whatever the server does, each
// goes to the next idle worker, and latency runs from its scheduled time, so
// a server (or client) falling behind shows in the percentiles instead of
// slowing the load down (no coordinated omission). A request whose time comes
// while o.concurrency are in flight waits, in order, for a worker; its wait
// counts in its latency. Every request due before the schedule's end is sent,
// however late; only those still waiting o.grace (drainGrace) after the end,
// when the server cannot keep up at all, are not, and count as "missed".
//
// Waiting rather than opening more connections is what a client's
// connection pool does, and keeps the load generator's own goroutines and
// connections bounded: with one per request due, a stall of the server
// multiplied them, and on a shared machine the load generator's own work
// then deepened the stall it was measuring.
//
// A worker's requests stay in order and a worker only stops after a whole
// cycle, so an add is always followed by its delete and a rerun starts from
// a clean state (in the open loop the cycle is completed after the duration,
// unmeasured).
func drive(ctx context.Context, t *benchTarget, ops opFunc, o driveOpts) benchResult {
	if o.cycle < 1 {
		o.cycle = 1
	}
	rec := &benchRec{errs: map[string]int{}}
	var exhausted atomic.Bool
	start := time.Now()
	deadline := start.Add(o.duration)
	ivs := &benchIntervals{rec: rec, start: start, lastCut: start, onInterval: o.onInterval}
	stopTicks := ivs.tick(o.interval, deadline)
	if o.rate > 0 {
		driveOpen(ctx, t, ops, o, rec, &exhausted, start, deadline)
	} else {
		driveClosed(ctx, t, ops, o, rec, &exhausted, deadline)
	}
	stopTicks()

	end := time.Now()
	if o.rate > 0 {
		// The schedule spans the duration; the cycles completed after it are
		// not measured.
		end = deadline
		if ctx.Err() != nil || exhausted.Load() {
			end = start.Add(time.Millisecond)
		}
		if rec.last.After(end) {
			end = rec.last
		}
	}
	if o.interval > 0 {
		ivs.emit(end)
	}
	r := rec.result(end.Sub(start), o.rate)
	r.Exhausted, r.Intervals = exhausted.Load(), ivs.list
	return r
}

// result sums up the run, elapsed long.
func (r *benchRec) result(elapsed time.Duration, rate float64) benchResult {
	res := benchResult{Errors: r.errs, Seconds: elapsed.Seconds(), TargetRate: rate, SendLag: durMs(r.maxLag)}
	all := r.all
	slices.Sort(all)
	res.Requests = len(all)
	res.PerSec = float64(len(all)) / elapsed.Seconds()
	res.P50, res.P99, res.P999 = quantileMs(all, 0.50), quantileMs(all, 0.99), quantileMs(all, 0.999)
	if len(res.Errors) == 0 {
		res.Errors = nil
	}
	return res
}

// benchIntervals cuts a run's --interval figures from its benchRec.
type benchIntervals struct {
	rec            *benchRec
	start, lastCut time.Time
	onInterval     func(*benchInterval)
	list           []benchInterval
}

// emit cuts the interval ending at end.
func (c *benchIntervals) emit(end time.Time) {
	lat, errs, lag := c.rec.cut()
	slices.Sort(lat)
	iv := benchInterval{At: end.Sub(c.start).Seconds(), Requests: len(lat), Errors: errs,
		P50: quantileMs(lat, 0.50), P99: quantileMs(lat, 0.99), SendLag: durMs(lag)}
	if s := end.Sub(c.lastCut).Seconds(); s > 0 {
		iv.PerSec = float64(len(lat)) / s
	}
	c.lastCut = end
	if c.onInterval != nil {
		c.onInterval(&iv)
	}
	c.list = append(c.list, iv)
}

// tick cuts, in the background, every interval (of length every; none when
// 0) that ends before deadline; the last one, which also holds the requests
// completing after it, is the caller's to cut. The returned function stops
// it and waits for it.
func (c *benchIntervals) tick(every time.Duration, deadline time.Time) (stop func()) {
	stopTicks, ticksDone := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(ticksDone)
		if every <= 0 {
			return
		}
		stopped := false
		for k := 1; c.start.Add(time.Duration(k) * every).Before(deadline); k++ {
			end := c.start.Add(time.Duration(k) * every)
			if !stopped {
				select {
				case <-time.After(time.Until(end)):
				case <-stopTicks:
					stopped = true
				}
			}
			// Stopped (the run is over): only the intervals already due,
			// late by a slow wake-up, are still cut.
			if stopped && time.Now().Before(end) {
				return
			}
			c.emit(end)
		}
	}()
	return func() {
		close(stopTicks)
		<-ticksDone
	}
}

func driveClosed(ctx context.Context, t *benchTarget, ops opFunc, o driveOpts, rec *benchRec, exhausted *atomic.Bool, deadline time.Time) {
	var wg sync.WaitGroup
	for w := range o.concurrency {
		wg.Go(func() {
			for i := 0; ; i++ {
				if i%o.cycle == 0 && (time.Now().After(deadline) || ctx.Err() != nil) {
					return
				}
				op, ok := ops(w, i)
				if !ok {
					exhausted.Store(true)
					return
				}
				t0 := time.Now()
				_, key := t.call(ctx, op)
				rec.add(time.Since(t0), key)
			}
		})
	}
	wg.Wait()
}

// quantileMs is the nearest-rank quantile of sorted latencies, in ms.
func quantileMs(sorted []time.Duration, q float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted))+0.999999) - 1
	i = max(0, min(i, len(sorted)-1))
	return durMs(sorted[i])
}

// durMs is d in milliseconds.
func durMs(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// newBenchClient shares keep-alive connections between the workers: one
// idle connection per worker, so no request pays for a TCP handshake.
func newBenchClient(concurrency int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = 0 // no overall limit
	tr.MaxIdleConnsPerHost = concurrency
	return &http.Client{Transport: tr, Timeout: benchClientTimeout}
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
