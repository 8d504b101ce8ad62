package main

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

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
