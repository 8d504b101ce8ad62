package callback_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
)

// latencyReceiver answers 200 at once and notes, for each delivery, the time
// since the EventTime in its body: commit to delivery, give or take the
// millisecond EventTime is rounded down to.
type latencyReceiver struct {
	mu      sync.Mutex
	lat     []time.Duration
	want    int
	allDone chan struct{}
}

func (lr *latencyReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := time.Now()
	var body struct{ EventTime int64 }
	raw, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(raw, &body); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	lr.mu.Lock()
	lr.lat = append(lr.lat, now.Sub(time.UnixMilli(body.EventTime)))
	if len(lr.lat) == lr.want {
		close(lr.allDone)
	}
	lr.mu.Unlock()
	io.WriteString(w, okReply)
}

// percentile of sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	return float64(sorted[int(p*float64(len(sorted)-1))]) / float64(time.Millisecond)
}

// BenchmarkSender_Throughput measures, on SQLite with a receiver that
// answers at once and the default poll and concurrency (16):
//
//   - backlog: b.N events (each a new group, so every event has a key of its
//     own) recorded before the sender starts; the time until all are
//     delivered. Latency here is mostly time spent waiting in the backlog.
//   - backlog-16keys: the same with the events spread over 16 groups, so that
//     per-key ordering bounds the parallelism.
//   - backlog-1key: the same on one group, whose events go out one at a
//     time.
//   - live: b.N events committed one after the other while the sender runs,
//     woken by each commit; latency is commit to delivery.
func BenchmarkSender_Throughput(b *testing.B) {
	for _, mode := range []string{"backlog", "backlog-16keys", "backlog-1key", "live"} {
		b.Run(mode, func(b *testing.B) {
			lr := &latencyReceiver{want: b.N, allDone: make(chan struct{})}
			srv := httptest.NewServer(lr)
			b.Cleanup(srv.Close)
			e := newEnv(b, dbtest.SQLiteDSN(b), srv.URL+"/cb", nil, nil)
			e.app.Callback.Concurrency = 0 // the default
			record := func(i int) {
				switch {
				case mode == "backlog-1key" && i > 0:
					if i%2 == 1 {
						e.add("bench-0", "u00")
					} else {
						e.del("bench-0", "u00")
					}
				case mode == "backlog-16keys" && i >= 16:
					// Rounds of the 16 groups: add a member, remove it again.
					round, group := i/16, fmt.Sprintf("bench-%d", i%16)
					if user := fmt.Sprintf("u%02d", (round-1)/2%20); round%2 == 1 {
						e.add(group, user)
					} else {
						e.del(group, user)
					}
				default:
					e.create(fmt.Sprintf("bench-%d", i), "alice")
				}
			}
			if mode != "live" {
				for i := range b.N {
					record(i)
				}
				if n := len(e.events()); n != b.N {
					b.Fatalf("%d events recorded, want %d", n, b.N)
				}
			}
			b.ResetTimer()
			cpu0, start := processCPU(), time.Now()
			e.start(callback.Options{Poll: 250 * time.Millisecond})
			if mode == "live" {
				for i := range b.N {
					record(i)
				}
			}
			select {
			case <-lr.allDone:
			case <-time.After(time.Minute):
				lr.mu.Lock()
				n := len(lr.lat)
				lr.mu.Unlock()
				b.Fatalf("only %d of %d events delivered", n, b.N)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			reportCPU(b, processCPU()-cpu0, elapsed)

			lr.mu.Lock()
			lat := slices.Clone(lr.lat)
			lr.mu.Unlock()
			slices.Sort(lat)
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
			b.ReportMetric(percentile(lat, 0.5), "p50-ms")
			b.ReportMetric(percentile(lat, 0.99), "p99-ms")
		})
	}
}

// BenchmarkBaseline_Post is the floor the sender is compared with: the same
// bodies POSTed to the same receiver by 16 goroutines straight from memory,
// with no store, no claims and no bookkeeping.
func BenchmarkBaseline_Post(b *testing.B) {
	lr := &latencyReceiver{want: b.N, allDone: make(chan struct{})}
	srv := httptest.NewServer(lr)
	b.Cleanup(srv.Close)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	cpu0 := processCPU()
	work := make(chan int)
	var wg sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				body := fmt.Sprintf(`{"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"g","EventTime":%d}`, time.Now().UnixMilli())
				resp, err := client.Post(srv.URL+"/cb", "application/json", strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	for i := range b.N {
		work <- i
	}
	close(work)
	wg.Wait()
	<-lr.allDone
	elapsed := time.Since(start)
	reportCPU(b, processCPU()-cpu0, elapsed)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "events/s")
}

// reportCPU reports the process's CPU time per event (receiver, sender
// and store together) and the cores it kept busy: delivery on two cores is
// CPU-bound, so the ratio to Baseline_Post is about the inverse ratio of
// cpu-us/ev (docs/benchmarks.md, eighth round). Nothing where the process's
// CPU time is not measured.
func reportCPU(b *testing.B, cpu, elapsed time.Duration) {
	if cpu <= 0 {
		return
	}
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-us/ev")
	b.ReportMetric(cpu.Seconds()/elapsed.Seconds(), "cores")
}
