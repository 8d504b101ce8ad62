package callback_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// A failure mode of the test receiver.
type failure string

const (
	fail500     failure = "500"     // HTTP 500
	failHijack  failure = "hijack"  // connection closed without an answer
	failTimeout failure = "timeout" // no answer before the sender's timeout
)

// fail answers a request the failing way.
func fail(t testing.TB, f failure, w http.ResponseWriter, r *http.Request) {
	switch f {
	case fail500:
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"ActionStatus":"FAIL","ErrorCode":1}`)
	case failHijack:
		hijackClose(t, w)
	case failTimeout:
		hang(r)
	}
}

// Ensure a receiver that fails N times (HTTP 500, a dropped connection, no
// answer within Callback.Timeout, or each of those in turn) and then answers
// gets the event N+1 times under one webhook-id, and that the store then
// shows it delivered after N+1 attempts.
func TestSender_Retries(t *testing.T) {
	t.Parallel() // mostly waiting for retries and timeouts
	plans := map[string][]failure{
		"r-500":     {fail500, fail500},
		"r-hijack":  {failHijack, failHijack},
		"r-timeout": {failTimeout, failTimeout},
		"r-mixed":   {fail500, failHijack, failTimeout},
	}
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		// Each group's events fail the way its plan says, then succeed.
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if plan := plans[h.GroupID]; h.N <= len(plan) {
				fail(t, plan[h.N-1], w, r)
			}
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) {
			c.Timeout = 250 * time.Millisecond
			c.Retry = []time.Duration{0, 20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond}
		})
		for g := range plans {
			e.create(g, "alice")
		}
		e.start(callback.Options{})
		e.waitSettled(15 * time.Second)

		for g, plan := range plans {
			t.Run(g, func(t *testing.T) {
				evs := e.eventsOf(g)
				if len(evs) != 1 {
					t.Fatalf("%d events", len(evs))
				}
				ev := evs[0]
				if ev.State != im.EventDelivered || ev.Attempts != len(plan)+1 || ev.LastStatus != 200 || ev.LastError != "" {
					t.Errorf("event: state %s, attempts %d, last status %d, last error %q; want delivered after %d attempts",
						ev.State, ev.Attempts, ev.LastStatus, ev.LastError, len(plan)+1)
				}
				hits := rc.hitsOf(g)
				if len(hits) != len(plan)+1 {
					t.Fatalf("receiver got %d requests, want %d", len(hits), len(plan)+1)
				}
				for _, h := range hits {
					if h.ID != hits[0].ID || h.EventID != ev.ID {
						t.Errorf("webhook-ids %s and %s for event %d", hits[0].ID, h.ID, ev.ID)
					}
				}
			})
		}
	})
}

// Ensure a Retry-After (in seconds or as an HTTP date) puts the next attempt
// off for at least that long, though the schedule says 20 ms.
func TestSender_RetryAfter(t *testing.T) {
	t.Parallel() // mostly waiting for retries and timeouts
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if h.N > 1 {
				return
			}
			switch h.GroupID {
			case "ra-seconds":
				w.Header().Set("Retry-After", "1")
			case "ra-date":
				// An HTTP date has whole seconds: 2 s from now is 1 to 2 s off.
				w.Header().Set("Retry-After", time.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			}
			w.WriteHeader(http.StatusTooManyRequests)
		})
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		e.create("ra-seconds", "alice")
		e.create("ra-date", "alice")
		e.start(callback.Options{})
		e.waitSettled(10 * time.Second)

		for _, g := range []string{"ra-seconds", "ra-date"} {
			hits := rc.hitsOf(g)
			if len(hits) != 2 {
				t.Fatalf("%s: %d requests, want 2", g, len(hits))
			}
			// The next attempt is scheduled after the 429 arrived, i.e. after
			// the first request; stored times have millisecond precision.
			if gap := hits[1].At.Sub(hits[0].At); gap < 990*time.Millisecond || gap > 5*time.Second {
				t.Errorf("%s: second attempt %v after the first, want about 1 s or more", g, gap)
			}
			if ev := e.eventsOf(g)[0]; ev.State != im.EventDelivered || ev.Attempts != 2 {
				t.Errorf("%s: state %s after %d attempts", g, ev.State, ev.Attempts)
			}
		}
	})
}

// Ensure an event whose receiver always fails is dead after exactly as many
// attempts as the schedule has entries, with the last status and error kept,
// and that ReplayEvent and ReplayDead deliver dead events again once the
// receiver is fixed, each with a fresh attempt count.
func TestSender_DeadAndReplay(t *testing.T) {
	t.Parallel() // mostly waiting for retries and timeouts
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		var broken atomic.Bool
		broken.Store(true)
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if broken.Load() {
				w.WriteHeader(http.StatusInternalServerError)
				io.WriteString(w, "{\"ActionStatus\":\"FAIL\",\n\"ErrorInfo\":\"db down\"}"+strings.Repeat(" pad", 100))
			}
		})
		e := newEnv(t, dsn, rc.URL(), nil, nil) // 3-entry schedule
		e.create("dead-1", "alice")
		e.start(callback.Options{})
		deadThenReplayed(t, e, rc, &broken)
		severalDeadReplayed(t, e, &broken)
	})
}

// deadThenReplayed checks dead-1's event dies after the 3 attempts of the
// schedule, keeping the last status and error, gets no fourth, and that
// ReplayEvent delivers it, with the same webhook id, once the receiver is
// fixed.
func deadThenReplayed(t *testing.T, e *env, rc *receiver, broken *atomic.Bool) {
	evs := e.waitSettled(10 * time.Second)
	ev := evs[0]
	// The error keeps the start of what the receiver answered, on one line.
	if len(evs) != 1 || ev.State != im.EventDead || ev.Attempts != 3 || ev.LastStatus != 500 ||
		!strings.HasPrefix(ev.LastError, `HTTP 500: {"ActionStatus":"FAIL", "ErrorInfo":"db down"} pad pad`) || len(ev.LastError) > len("HTTP 500: ")+200 {
		t.Fatalf("event: state %s, attempts %d, last status %d, last error %q; want dead after 3 attempts, 500 and the reply's start",
			ev.State, ev.Attempts, ev.LastStatus, ev.LastError)
	}
	// Dead is final: several poll intervals bring no fourth attempt.
	time.Sleep(100 * time.Millisecond)
	if n := len(rc.hitsOf("dead-1")); n != 3 {
		t.Fatalf("receiver got %d requests, want 3", n)
	}

	broken.Store(false)
	if err := e.db.ReplayEvent(t.Context(), testApp, ev.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the replayed event delivered", func() bool { return e.event(ev.ID).State == im.EventDelivered })
	if got := e.event(ev.ID); got.Attempts != 1 || got.LastStatus != 200 || got.LastError != "" {
		t.Errorf("replayed event: attempts %d, last status %d, last error %q", got.Attempts, got.LastStatus, got.LastError)
	}
	hits := rc.hitsOf("dead-1")
	if len(hits) != 4 || hits[3].ID != hits[0].ID {
		t.Errorf("replay: %d requests (ids %s, %s)", len(hits), hits[0].ID, hits[len(hits)-1].ID)
	}
	if err := e.db.ReplayEvent(t.Context(), testApp, ev.ID+1000); im.ErrorCode(err) != im.CodeMgmtEventNotFound {
		t.Errorf("replay of an unknown event: %v, want %d", err, im.CodeMgmtEventNotFound)
	}
}

// severalDeadReplayed makes three dead events, one of them a later event
// of dead-1's key, and checks ReplayDead delivers the three, each with a
// fresh attempt count, then finds none.
func severalDeadReplayed(t *testing.T, e *env, broken *atomic.Bool) {
	broken.Store(true)
	e.create("dead-2", "alice")
	e.create("dead-3", "alice")
	e.add("dead-1", "bob")
	evs := e.waitSettled(10 * time.Second)
	dead := 0
	for _, ev := range evs {
		if ev.State == im.EventDead {
			dead++
			if ev.Attempts != 3 {
				t.Errorf("event %d dead after %d attempts", ev.ID, ev.Attempts)
			}
		}
	}
	if dead != 3 {
		t.Fatalf("%d dead events, want 3", dead)
	}
	broken.Store(false)
	n, err := e.db.ReplayDead(t.Context(), testApp)
	if err != nil || n != 3 {
		t.Fatalf("ReplayDead: %d, %v; want 3", n, err)
	}
	for _, ev := range e.waitSettled(10 * time.Second) {
		if ev.State != im.EventDelivered || ev.Attempts != 1 {
			t.Errorf("event %d: %s after %d attempts", ev.ID, ev.State, ev.Attempts)
		}
	}
	if n, err := e.db.ReplayDead(t.Context(), testApp); err != nil || n != 0 {
		t.Errorf("ReplayDead with none dead: %d, %v", n, err)
	}
}

// Ensure any 2xx reply is a delivery whatever its body says, and any other
// status (3xx, even with a Location to follow, 4xx, 5xx) a failed attempt.
func TestSender_StatusCodes(t *testing.T) {
	ok := []int{200, 201, 202, 204, 299}
	failed := []int{300, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 409, 410, 429, 500, 502, 503, 504}
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if r.URL.Path == "/elsewhere" { // where redirects point
				io.WriteString(w, okReply)
				return
			}
			code, _ := strconv.Atoi(strings.TrimPrefix(h.GroupID, "status-"))
			if code >= 300 && code < 400 {
				w.Header().Set("Location", "/elsewhere")
			}
			w.WriteHeader(code)
			if code != 204 && code != 304 {
				// The body must not matter, even a refusal in Tencent's words.
				io.WriteString(w, `{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":1}`)
			}
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) {
			c.Retry = []time.Duration{0} // one attempt: a failure is dead at once
		})
		for _, code := range append(ok, failed...) {
			e.create(fmt.Sprintf("status-%d", code), "alice")
		}
		e.start(callback.Options{})
		e.waitSettled(10 * time.Second)
		for _, code := range ok {
			ev := e.eventsOf(fmt.Sprintf("status-%d", code))[0]
			if ev.State != im.EventDelivered || ev.Attempts != 1 || ev.LastStatus != code {
				t.Errorf("HTTP %d: %s after %d attempts, last status %d; want delivered", code, ev.State, ev.Attempts, ev.LastStatus)
			}
		}
		for _, code := range failed {
			ev := e.eventsOf(fmt.Sprintf("status-%d", code))[0]
			if ev.State != im.EventDead || ev.Attempts != 1 || ev.LastStatus != code || !strings.Contains(ev.LastError, strconv.Itoa(code)) {
				t.Errorf("HTTP %d: %s after %d attempts, last status %d, last error %q; want a failure", code, ev.State, ev.Attempts, ev.LastStatus, ev.LastError)
			}
		}
		for _, h := range rc.Hits() {
			if h.Path != "/cb" {
				t.Errorf("sender followed a redirect to %s", h.Path)
			}
		}
	})
}

// Ensure the sender counts its attempts by outcome and observes the latency
// of each delivery.
func TestSender_Metrics(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			switch {
			case h.GroupID == "m-dead", h.GroupID == "m-retry" && h.N == 1:
				w.WriteHeader(http.StatusInternalServerError)
			}
		})
		e := newEnv(t, dsn, rc.URL(), nil, func(c *im.CallbackConfig) {
			c.Retry = []time.Duration{0, 20 * time.Millisecond}
		})
		e.create("m-ok", "alice")
		e.create("m-retry", "alice")
		e.create("m-dead", "alice")
		reg := prometheus.NewRegistry()
		e.start(callback.Options{Metrics: callback.NewMetrics(reg)})
		e.waitSettled(10 * time.Second)
		e.stop() // the last outcome is counted after it is stored

		families, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		attempts := map[string]float64{}
		var latencyCount uint64
		names := map[string]bool{}
		for _, mf := range families {
			names[mf.GetName()] = true
			for _, m := range mf.GetMetric() {
				switch mf.GetName() {
				case "timd_callback_attempts_total":
					for _, l := range m.GetLabel() {
						if l.GetName() == "outcome" {
							attempts[l.GetValue()] = m.GetCounter().GetValue()
						}
					}
				case "timd_callback_delivery_latency_seconds":
					latencyCount = m.GetHistogram().GetSampleCount()
				}
			}
		}
		// m-ok: delivered; m-retry: retry, delivered; m-dead: retry, dead.
		if attempts["delivered"] != 2 || attempts["retry"] != 2 || attempts["dead"] != 1 {
			t.Errorf("timd_callback_attempts_total = %v, want delivered 2, retry 2, dead 1", attempts)
		}
		if latencyCount != 2 {
			t.Errorf("delivery latency observed %d times, want 2", latencyCount)
		}
		for _, n := range []string{"timd_callback_queue_depth", "timd_callback_oldest_pending_age_seconds"} {
			if !names[n] {
				t.Errorf("%s not gathered", n)
			}
		}
	})
}

// Ensure stopping the sender lets a delivery in flight finish and be
// recorded, so that it is not sent again after a restart.
func TestSender_StopFinishesInFlight(t *testing.T) {
	t.Parallel() // mostly waiting for retries and timeouts
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		arrived := make(chan struct{}, 1)
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			arrived <- struct{}{}
			time.Sleep(200 * time.Millisecond)
		})
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		e.create("stop-1", "alice")
		s := callback.NewSender(callback.Options{Store: e.db, Apps: []*im.App{e.app}, Poll: 10 * time.Millisecond})
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan struct{})
		go func() { s.Run(ctx); close(done) }()
		select {
		case <-arrived:
		case <-time.After(10 * time.Second):
			t.Fatal("no delivery")
		}
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return")
		}
		if ev := e.eventsOf("stop-1")[0]; ev.State != im.EventDelivered || ev.Attempts != 1 {
			t.Fatalf("after Run returned: %s after %d attempts, want delivered", ev.State, ev.Attempts)
		}
	})
}

// downOutbox is a store whose outcome records fail while down is set, as
// when the database is unreachable just after a delivery.
type downOutbox struct {
	im.Outbox
	down  atomic.Bool
	fails atomic.Int64
}

func (o *downOutbox) MarkDelivered(ctx context.Context, instance string, ds ...im.Delivery) ([]im.Event, error) {
	if o.down.Load() {
		o.fails.Add(1)
		return nil, fmt.Errorf("database unreachable")
	}
	return o.Outbox.MarkDelivered(ctx, instance, ds...)
}

func (o *downOutbox) MarkFailed(ctx context.Context, id int64, instance string, a im.Attempt) error {
	if o.down.Load() {
		o.fails.Add(1)
		return fmt.Errorf("database unreachable")
	}
	return o.Outbox.MarkFailed(ctx, id, instance, a)
}

// Ensure an outcome that cannot be recorded at once is recorded as soon as
// the store answers again, within the lease: the event is not sent twice,
// and its key's next event goes out then, not when the lease ends.
func TestSender_OutcomeRecordedAfterStoreRecovers(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, nil)
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		store := &downOutbox{Outbox: e.db}
		store.down.Store(true)
		e.start(callback.Options{Store: store, Lease: time.Minute})
		e.create("rec-1", "alice")
		waitFor(t, 10*time.Second, "the first delivery", func() bool { return len(rc.hitsOf("rec-1")) == 1 })
		e.add("rec-1", "bob")
		waitFor(t, 10*time.Second, "a failed record", func() bool { return store.fails.Load() > 0 })
		time.Sleep(300 * time.Millisecond) // a few more failed tries
		store.down.Store(false)
		start := time.Now()
		waitFor(t, 10*time.Second, "both events delivered", func() bool {
			evs := e.eventsOf("rec-1")
			return len(evs) == 2 && evs[0].State == im.EventDelivered && evs[1].State == im.EventDelivered
		})
		if hits := rc.hitsOf("rec-1"); len(hits) != 2 {
			t.Fatalf("%d deliveries of 2 events", len(hits))
		}
		t.Logf("%d failed records; settled %v after the store came back", store.fails.Load(), time.Since(start))
	})
}

// lostClaimOutbox commits one claim and reports it failed, as a database
// restarted mid-commit can.
type lostClaimOutbox struct {
	im.Outbox
	lose atomic.Bool
}

func (o *lostClaimOutbox) ClaimEvents(ctx context.Context, instance string, app uint64, now time.Time, lease time.Duration, n, window int) ([]im.Event, error) {
	evs, err := o.Outbox.ClaimEvents(ctx, instance, app, now, lease, n, window)
	if err == nil && len(evs) > 0 && o.lose.CompareAndSwap(true, false) {
		return nil, fmt.Errorf("read: connection reset by peer")
	}
	return evs, err
}

// Ensure events whose claim was committed while the sender was told it
// failed are released and delivered at once, not when the lease ends.
func TestSender_ClaimCommittedButReportedFailed(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, nil)
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		store := &lostClaimOutbox{Outbox: e.db}
		store.lose.Store(true)
		e.start(callback.Options{Store: store, Lease: time.Minute})
		start := time.Now()
		e.create("lost-1", "alice")
		waitFor(t, 10*time.Second, "the delivery", func() bool { return len(rc.hitsOf("lost-1")) == 1 })
		if store.lose.Load() {
			t.Fatal("no claim was lost: the test proves nothing")
		}
		t.Logf("delivered %v after a lost claim (lease 1 min)", time.Since(start))
	})
}

// lostMarkOutbox commits one delivery record that leased a next event, and
// reports it failed, as a database restarted mid-commit can.
type lostMarkOutbox struct {
	im.Outbox
	lose atomic.Bool
}

func (o *lostMarkOutbox) MarkDelivered(ctx context.Context, instance string, ds ...im.Delivery) ([]im.Event, error) {
	next, err := o.Outbox.MarkDelivered(ctx, instance, ds...)
	if err == nil && len(next) > 0 && o.lose.CompareAndSwap(true, false) {
		return nil, fmt.Errorf("read: connection reset by peer")
	}
	return next, err
}

// Ensure a key's next event leased by a delivery record that committed
// while the sender was told it failed is released and delivered at once,
// not when the lease ends; the retried record, finding its event already
// delivered, leases nothing.
func TestSender_RecordCommittedButReportedFailed(t *testing.T) {
	t.Parallel()
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		// Slow answers: the second event is recorded while the first is in
		// flight, so the first's record leases it.
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			time.Sleep(200 * time.Millisecond)
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, okReply)
		})
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		store := &lostMarkOutbox{Outbox: e.db}
		store.lose.Store(true)
		e.start(callback.Options{Store: store, Lease: time.Minute})
		start := time.Now()
		e.create("lostmark-1", "alice")
		e.add("lostmark-1", "bob")
		waitFor(t, 10*time.Second, "both events delivered", func() bool {
			evs := e.eventsOf("lostmark-1")
			return len(evs) == 2 && evs[0].State == im.EventDelivered && evs[1].State == im.EventDelivered
		})
		if store.lose.Load() {
			t.Fatal("no record was lost: the test proves nothing")
		}
		if hits := rc.hitsOf("lostmark-1"); len(hits) != 2 {
			t.Fatalf("%d deliveries of 2 events", len(hits))
		}
		t.Logf("delivered %v after a lost record (lease 1 min)", time.Since(start))
	})
}

// Ensure a Retry-After asking for more than 24 hours puts the next attempt
// off by 24 hours, no more.
func TestSender_RetryAfterCappedAt24h(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
		w.Header().Set("Retry-After", "172800") // two days
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	e := newEnv(t, dbtest.SQLiteDSN(t), rc.URL(), nil, nil)
	e.create("ra-long", "alice")
	start := time.Now()
	e.start(callback.Options{})
	deadline := time.Now().Add(10 * time.Second)
	for e.eventsOf("ra-long")[0].Attempts == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no attempt within 10 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	ev := e.eventsOf("ra-long")[0]
	if next := ev.NextAttemptAt.Sub(start); ev.State != im.EventPending || next < 24*time.Hour-time.Minute || next > 24*time.Hour+time.Minute {
		t.Fatalf("state %s, next attempt %v on, want pending and 24h", ev.State, next)
	}
}

// Ensure delivered events are purged once they are older than Retention, by
// the sender's clock, and not before.
func TestSender_PurgesDeliveredAfterRetention(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {})
		// The sender's clock runs with real time, which the store's events
		// are stamped with (a clock stopped at the start would find the
		// event not yet due), moved on by offset.
		var offset atomic.Int64
		o := callback.Options{Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }, Retention: time.Hour}
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		e.create("kept-an-hour", "alice")
		e.start(o)
		e.waitSettled(10 * time.Second)
		e.stop()
		offset.Add(int64(59 * time.Minute)) // a sender starting purges at once
		e.start(o)
		time.Sleep(300 * time.Millisecond)
		e.stop()
		if n := len(e.events()); n != 1 {
			t.Fatalf("%d events 59 min after delivery, want 1", n)
		}
		offset.Add(int64(2 * time.Minute))
		e.start(o)
		deadline := time.Now().Add(5 * time.Second)
		for len(e.events()) > 0 {
			if time.Now().After(deadline) {
				t.Fatal("the delivered event was not purged 61 min after delivery")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
