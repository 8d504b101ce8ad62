package callback

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/timd/timd/internal/fault"
	"github.com/timd/timd/internal/im"
)

// outbox is what the sender may touch: the delivery half of im.Outbox,
// whose methods and codes these are. Listing, replaying and purging by hand
// is the REST layer's (timd_callback).
type outbox interface {
	ClaimEvents(ctx context.Context, instance string, app uint64, now time.Time, lease time.Duration, n, window int) ([]im.Event, error)
	AnyDue(ctx context.Context, app uint64, now time.Time) (bool, error)
	ReleaseClaim(ctx context.Context, instance string, app uint64, until time.Time) (int, error)
	MarkDelivered(ctx context.Context, instance string, ds ...im.Delivery) ([]im.Event, error)
	MarkFailed(ctx context.Context, id int64, instance string, a im.Attempt) error
	PurgeDelivered(ctx context.Context, app uint64, before time.Time) (int, error) // the retention sweep, app 0
	PurgeCaptured(ctx context.Context, before time.Time) (int, error)              // the retention sweep
	OutboxStats(ctx context.Context) (pending int, oldest time.Time, err error)
	Nonce() string
}

// Options configure a Sender.
type Options struct {
	Store  outbox // the one database's outbox (*sqlstore.DB)
	Apps   []*im.App
	Logger *slog.Logger
	// Client sends the callbacks; nil means a client with keep-alive
	// connections and no overall timeout (each attempt has its app's).
	// Redirects are never followed, whatever Client's CheckRedirect: a 3xx
	// reply is a failed attempt.
	Client *http.Client
	// Instance names this process in delivery leases; "" draws one.
	Instance string
	// Lease is how long a claimed event belongs to this instance before
	// another may take it over (default 60 s; longer than any timeout).
	Lease time.Duration
	// Poll is how often the sender looks for due events when nothing woke
	// it (retries come due, other instances' commits): default 250 ms.
	Poll time.Duration
	// Retention is how long delivered events and captured callbacks are
	// kept (default 7 days).
	Retention time.Duration
	Metrics   *Metrics // nil: none
	// Now is the sender's clock (nil: time.Now). Every time it reads is
	// read from it: the leases and retry times it gives the store, which
	// compares them with the times it is given, are of one clock. Pauses
	// and timeouts are durations of real time.
	Now func() time.Time
	// Clocks are the apps' offsets under time control (nil: none): an
	// app's events come due, and are marked, on its own time.
	Clocks *im.Clocks
	// Capture stores the callbacks of apps whose URL is internal
	// (im.CaptureURL) instead of sending them; nil fails their attempts.
	Capture DeliveryCapturer
	// Faults injects delivery faults (timd_fault/set_callback); nil: none.
	Faults *fault.Injector
}

// Sender delivers recorded after-callback events: it claims due events
// (each the oldest pending event of its key), POSTs them concurrently up to
// each app's bound, and records the outcome: delivered, retried later on the
// app's schedule, or dead after the last attempt.
type Sender struct {
	o Options
	// mu guards apps, order and lanes: AddApp and RemoveApp change them
	// while Run delivers.
	mu     sync.RWMutex
	apps   map[uint64]*im.App
	order  []uint64         // the apps, claimed in this order
	lanes  map[uint64]*lane // per-app deliveries claimed and in flight
	wake   chan struct{}
	marks  *markQueue // successful deliveries waiting to be recorded (marks.go)
	next   nextQueue  // events their records leased, waiting for Run to start them (marks.go)
	wg     sync.WaitGroup
	client *http.Client
	nonce  string // the store's, for webhook ids
	// stop is Run's ctx.Done(): recording an outcome stops retrying then.
	stop <-chan struct{}
	// The last claim's time (Unix ms), under claimMu: Run claims, and so do
	// the records of deliveries (marks.go).
	claimMu   sync.Mutex
	lastClaim int64
	// Owned by Run's goroutine: the claims that failed and may still hold
	// events (see settleClaims).
	unsettled []failedClaim
	// Failed delivery records' next-event leases, handed from the record
	// goroutine to Run's (settleLater), under lostMu.
	lostMu sync.Mutex
	lost   []failedClaim
}

// lane bounds an app's deliveries. Up to cap(flight) are in flight, and up
// to three times as many again claimed ahead of them, so that the next
// deliveries start as slots free instead of after another claim
// transaction, whose commit a backlog otherwise waited for every half lane
// (4× measured about 15% faster than 2× on a backlog). held counts the
// app's events from their claim until their outcome is recorded.
type lane struct {
	held   chan struct{} // claimed, outcome not recorded: 4 × the app's bound
	flight chan struct{} // in flight: the app's bound
}

// release frees one held place; the caller kicks the sender if it was
// full.
func (ln *lane) release() (wasFull bool) {
	wasFull = len(ln.held) == cap(ln.held)
	<-ln.held
	return wasFull
}

func newLane(n int) *lane {
	return &lane{held: make(chan struct{}, 4*n), flight: make(chan struct{}, n)}
}

// failedClaim names a ClaimEvents call that returned an error: the app and
// the lease end it asked for.
type failedClaim struct {
	app   uint64
	until time.Time
}

// NewSender builds a Sender; Run starts it.
func NewSender(o Options) *Sender {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Instance == "" {
		o.Instance = instanceName()
	}
	if o.Lease <= 0 {
		o.Lease = 60 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.Retention <= 0 {
		o.Retention = 7 * 24 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &Sender{o: o, apps: map[uint64]*im.App{}, lanes: map[uint64]*lane{}, wake: make(chan struct{}, 1),
		marks: newMarkQueue()}
	if o.Client != nil {
		s.client = withoutRedirects(o.Client)
	}
	if o.Store != nil {
		s.nonce = o.Store.Nonce()
	}
	total := 0
	for _, a := range o.Apps {
		total += s.addApp(a)
	}
	if s.client == nil {
		s.client = &http.Client{Transport: &http.Transport{
			MaxIdleConnsPerHost: max(total, 2), IdleConnTimeout: 90 * time.Second,
		}, CheckRedirect: noRedirects}
	}
	return s
}

// addApp starts serving a's events and returns its delivery bound; the
// caller holds mu or owns s alone.
func (s *Sender) addApp(a *im.App) int {
	n := a.Callback.WithDefaults().Concurrency
	if _, ok := s.apps[a.SDKAppID]; !ok {
		s.order = append(s.order, a.SDKAppID)
	}
	s.apps[a.SDKAppID], s.lanes[a.SDKAppID] = a, newLane(n)
	return n
}

// AddApp delivers the events of an app created while timd runs, or of an
// app whose settings changed, from the next claim on.
func (s *Sender) AddApp(a *im.App) {
	s.mu.Lock()
	s.addApp(a)
	s.mu.Unlock()
	s.Kick()
}

// RemoveApp stops claiming the events of a deleted app. Deliveries in
// flight finish; their outcome finds no event to record.
func (s *Sender) RemoveApp(sdkappid uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.apps, sdkappid)
	delete(s.lanes, sdkappid)
	s.order = slices.DeleteFunc(s.order, func(id uint64) bool { return id == sdkappid })
}

// app returns a served app, nil if it was removed.
func (s *Sender) app(sdkappid uint64) *im.App {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.apps[sdkappid]
}

// appLane returns a served app and its delivery lane; nil if removed.
func (s *Sender) appLane(sdkappid uint64) (*im.App, *lane) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.apps[sdkappid], s.lanes[sdkappid]
}

// noRedirects makes a client return a 3xx reply as it is: a failed attempt.
// Following it would POST elsewhere or, for 301 to 303, turn the POST into a
// GET without the body, and take that reply for a delivery.
func noRedirects(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// withoutRedirects is a copy of c that follows no redirect. A caller's
// client (a plain &http.Client{} follows up to ten) must not decide that:
// a receiver's 302 would turn a before-callback into a GET elsewhere whose
// reply allows the operation, or count an after-callback as delivered.
func withoutRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = noRedirects
	return &cp
}

// instanceName is host-pid-random: unique per process, readable in logs.
func instanceName() string {
	host, _ := os.Hostname()
	var b [4]byte
	crand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Kick tells the sender that events were committed, without waiting.
func (s *Sender) Kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends, then waits for deliveries in flight (each
// bounded by its timeout) before returning.
func (s *Sender) Run(ctx context.Context) {
	s.stop = ctx.Done() // before any delivery starts
	marksDone, recorded := make(chan struct{}), make(chan struct{})
	go func() { s.recordMarks(marksDone); close(recorded) }()
	defer func() {
		s.wg.Wait() // every delivery has queued its mark
		close(marksDone)
		<-recorded
	}()
	s.wg.Add(1)
	go s.housekeeping(ctx)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
		s.claimAndDeliver(ctx)
		timer.Reset(s.o.Poll)
	}
}

// claimAndDeliver claims, app by app, as many due events as the app's lane
// holds and starts their deliveries. An app whose receiver is slow fills
// only its own lane. Events of an app that is no longer configured stay
// pending until it is configured again.
func (s *Sender) claimAndDeliver(ctx context.Context) {
	s.startNext()
	if !s.settleClaims(ctx) {
		return // the store is still away: claiming would fail too
	}
	s.mu.RLock()
	order := slices.Clone(s.order)
	s.mu.RUnlock()
	for _, app := range order {
		a, ln := s.appLane(app)
		for ln != nil && ctx.Err() == nil {
			// Claim when at least half the lane is free, or nothing is held:
			// each claim is a write transaction, and claiming for one freed
			// slot at a time made a backlog cost a claim per event. An idle
			// app claims at once, so a live event is not delayed.
			free := cap(ln.held) - len(ln.held)
			if free == 0 || (free < (cap(ln.held)+1)/2 && len(ln.held) > 0) {
				break
			}
			// Due times and leases are in the app's time (time control);
			// claimed, the real time, bounds retryMark.
			claimed := s.claimTime()
			appClaimed := claimed.Add(s.o.Clocks.Offset(app))
			events, err := s.claim(ctx, ln, app, appClaimed, free)
			if err != nil {
				if ctx.Err() == nil {
					s.o.Logger.Warn("claim callback events", "sdkappid", app, "err", err)
					s.unsettled = append(s.unsettled, failedClaim{app, appClaimed.Add(s.o.Lease)})
				}
				return
			}
			if len(events) == 0 {
				break
			}
			sort.Slice(events, func(i, j int) bool { return events[i].ID < events[j].ID })
			for _, ev := range events {
				ln.held <- struct{}{} // free was counted above: never blocks
				s.wg.Add(1)
				go s.runDelivery(a, ln, ev, claimed)
			}
			if len(events) < free {
				break // nothing more is claimable now: the next mark or commit kicks
			}
		}
	}
}

// claim claims up to n of app's events, looking first at the first
// candidates only (sqlstore's ClaimEvents says why), and at all of them if
// that found nothing while the lane is empty: with events held, a claim
// that finds nothing is usually waiting for their outcome, and the record
// of it claims again.
//
// A lane that holds nothing first asks, in a read, whether anything is due:
// the sender comes here for every app at each poll (four times a second),
// and an idle app's claims were write transactions that found nothing. A
// busy lane claims at once; an event committed after the look wakes the
// sender, which looks again.
func (s *Sender) claim(ctx context.Context, ln *lane, app uint64, at time.Time, n int) ([]im.Event, error) {
	if len(ln.held) == 0 {
		if due, err := s.o.Store.AnyDue(ctx, app, at); err != nil || !due {
			return nil, err
		}
	}
	events, err := s.o.Store.ClaimEvents(ctx, s.o.Instance, app, at, s.o.Lease, n, 4*n+64)
	if err == nil && len(events) == 0 && len(ln.held) == 0 {
		events, err = s.o.Store.ClaimEvents(ctx, s.o.Instance, app, at, s.o.Lease, n, 0)
	}
	return events, err
}

// runDelivery waits for a slot of the lane, in claim order, and delivers
// ev. An event still waiting when the sender stops is not started: it
// stays claimed until its lease ends (a restarted SQLite timd releases
// every claim at once). Nor is one that waited for half its lease, so that
// no attempt can outlast the lease and race another instance's.
func (s *Sender) runDelivery(a *im.App, ln *lane, ev im.Event, claimed time.Time) {
	queued := false // the mark queue releases the held place
	defer func() {
		s.wg.Done()
		if !queued && ln.release() {
			s.Kick()
		}
	}()
	select {
	case ln.flight <- struct{}{}:
	case <-s.stop:
		return
	}
	defer func() { <-ln.flight }()
	if s.o.Now().Sub(claimed) > s.o.Lease/2 {
		s.o.Logger.Info("callback event waited past half its lease; left for its lease to end", "id", ev.ID)
		return
	}
	s.marks.start()
	if queued = s.deliver(a, ln, ev, claimed); !queued {
		s.marks.finish()
	}
}

// appNow is app's time: the real time, moved by its offset under time
// control (EventTime, due times and leases of its events are in it).
func (s *Sender) appNow(app uint64) time.Time { return s.o.Now().Add(s.o.Clocks.Offset(app)) }

// claimTime is the time a claim is made at: now, or if this sender already
// claimed in the current millisecond, the next one. Each claim then asks
// for a lease end of its own, which names it for ReleaseClaim.
func (s *Sender) claimTime() time.Time {
	s.claimMu.Lock()
	defer s.claimMu.Unlock()
	now := s.o.Now()
	if now.UnixMilli() <= s.lastClaim {
		now = time.UnixMilli(s.lastClaim + 1)
	}
	s.lastClaim = now.UnixMilli()
	return now
}

// settleLater queues leases that a failed delivery record may have taken
// (recordBatch) for settleClaims, and wakes Run to release them.
func (s *Sender) settleLater(lost []failedClaim) {
	if len(lost) == 0 {
		return
	}
	s.lostMu.Lock()
	s.lost = append(s.lost, lost...)
	s.lostMu.Unlock()
	s.Kick()
}

// settleClaims releases what failed claims may hold. A claim that failed as
// the connection to the database broke may have been committed all the
// same (PostgreSQL restarted mid-commit): its events are then leased to
// this instance, which never started them, and without this they would
// wait for the lease (60 s by default) to end. It reports whether every
// failed claim is settled.
func (s *Sender) settleClaims(ctx context.Context) bool {
	s.lostMu.Lock()
	s.unsettled, s.lost = append(s.unsettled, s.lost...), nil
	s.lostMu.Unlock()
	for len(s.unsettled) > 0 {
		c := s.unsettled[0]
		n, err := s.o.Store.ReleaseClaim(ctx, s.o.Instance, c.app, c.until)
		if err != nil {
			return false
		}
		if n > 0 {
			s.o.Logger.Info("released callback events of a claim that reported failure", "sdkappid", c.app, "events", n)
		}
		s.unsettled = s.unsettled[1:]
	}
	return true
}

// deliver makes one attempt and records its outcome, or hands a success to
// the mark queue (then it reports true). It does not use the Run context: a
// delivery started before shutdown finishes (or times out) and is
// recorded, so it is not sent again after a restart.
func (s *Sender) deliver(app *im.App, ln *lane, ev im.Event, claimed time.Time) bool {
	ctx := context.Background()
	if app.Callback.URL == "" {
		s.record(ctx, ev, claimed, 0, nil, fmt.Errorf("app %d has no callback URL configured", ev.AppID), true)
		return false
	}

	status, retryAfter, err := s.attempt(ctx, app, ev)
	if err == nil {
		at := s.appNow(ev.AppID)
		s.o.Metrics.delivered(at.Sub(ev.CreatedAt))
		if !app.Captures() {
			s.marks.add(pendingMark{im.Delivery{ID: ev.ID, Status: status, At: at}, claimed, ev.AppID, ln})
			return true
		}
		c := captureOf(app, ev.Command, im.CaptureAfter, ev.ClientIP, ev.Body, s.o.Now(), at)
		c.EventID = ev.ID
		mark := func() error { return s.o.Capture.CaptureDelivered(ctx, s.o.Instance, status, c) }
		if mErr := s.retryMark(claimed, mark); mErr != nil {
			s.o.Logger.Warn("record callback delivery", "id", ev.ID, "err", mErr)
		}
		return false
	}
	s.record(ctx, ev, claimed, status, retryAfter, err, false)
	return false
}

// attempt is one delivery attempt: a fault injected into it, then, unless
// the fault failed it, the POST, or for a capturing app nothing (the
// capture is stored as the delivery is recorded).
func (s *Sender) attempt(ctx context.Context, app *im.App, ev im.Event) (int, *time.Duration, error) {
	if hit, ok := s.o.Faults.Callback(app.SDKAppID, ev.Command); ok {
		if status, err := injectFault(ctx, hit, deliveryTimeout(app)); err != nil {
			return status, nil, err
		}
	}
	if app.Captures() {
		if s.o.Capture == nil {
			return 0, nil, errNoCapture
		}
		return 0, nil, nil
	}
	return s.post(ctx, app, ev)
}

// deliveryTimeout bounds one delivery attempt of app.
func deliveryTimeout(app *im.App) time.Duration {
	if app.Callback.Timeout <= 0 {
		return im.DefaultCallbackTimeout
	}
	return app.Callback.Timeout
}

// retryMark runs mark, which records a delivery's outcome, again with a
// growing pause while it fails (the database is unreachable, say). An
// outcome left unrecorded keeps the event claimed until its lease ends, and
// with it every later event of its key; then the event is sent again. So
// retrying is worth it for as long as the lease lasts by the clock it was
// claimed with, less a margin for the last try: after that another instance
// may own the event (mark then changes nothing, which is not an error). It
// also stops when the sender stops.
func (s *Sender) retryMark(claimed time.Time, mark func() error) error {
	deadline := claimed.Add(s.o.Lease * 9 / 10)
	pause := 50 * time.Millisecond
	for {
		err := mark()
		if err == nil || s.o.Now().Add(pause).After(deadline) {
			return err
		}
		select {
		case <-s.stop:
			return err
		case <-time.After(pause):
		}
		pause = min(pause*2, 2*time.Second)
	}
}

// record schedules the next attempt on the app's schedule, no earlier than
// a Retry-After asked, or makes the event dead after the last attempt.
func (s *Sender) record(ctx context.Context, ev im.Event, claimed time.Time, status int, retryAfter *time.Duration, err error, dead bool) {
	a := im.Attempt{Status: status, Error: err.Error()}
	attempt := ev.Attempts + 1 // this one
	schedule := im.DefaultRetry()
	if app := s.app(ev.AppID); app != nil && len(app.Callback.Retry) > 0 {
		schedule = app.Callback.Retry
	}
	if !dead && attempt < len(schedule) {
		delay := jitter(schedule[attempt])
		if retryAfter != nil && *retryAfter > delay {
			delay = min(*retryAfter, 24*time.Hour)
		}
		a.Next = s.appNow(ev.AppID).Add(delay)
	}
	if mErr := s.retryMark(claimed, func() error { return s.o.Store.MarkFailed(ctx, ev.ID, s.o.Instance, a) }); mErr != nil {
		s.o.Logger.Warn("record callback attempt", "id", ev.ID, "err", mErr)
	}
	s.o.Metrics.failed(a.Next.IsZero())
	s.o.Logger.Info("callback attempt failed", "id", ev.ID, "command", ev.Command, "key", ev.Key,
		"attempt", attempt, "status", status, "err", err, "dead", a.Next.IsZero())
}

// jitter spreads a delay by ±10% so that retries of many events do not all
// land at once.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d + time.Duration((rand.Float64()*0.2-0.1)*float64(d))
}

// post sends one event and returns the HTTP status, a Retry-After if the
// receiver sent one, and an error unless the reply was 2xx.
func (s *Sender) post(ctx context.Context, app *im.App, ev im.Event) (int, *time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, deliveryTimeout(app))
	defer cancel()
	now := s.o.Now()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callbackURL(app, ev.Command, ev.ClientIP, now), bytes.NewReader(ev.Body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "timd-callback")
	id := WebhookID(s.nonce, ev)
	req.Header.Set("webhook-id", id)
	req.Header.Set("webhook-timestamp", strconv.FormatInt(now.Unix(), 10))
	if len(app.Callback.Secret) > 0 {
		req.Header.Set("webhook-signature", WebhookSignature(app.Callback.Secret, id, now.Unix(), ev.Body))
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	ok := resp.StatusCode >= 200 && resp.StatusCode < 300
	var head []byte
	if !ok {
		head, _ = io.ReadAll(io.LimitReader(resp.Body, replyInError))
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // reuse the connection; a failed read only loses it
	if ok {
		return resp.StatusCode, nil, nil
	}
	return resp.StatusCode, retryAfter(resp.Header.Get("Retry-After"), now), replyError(resp.StatusCode, head)
}

// replyInError is how much of a refusing reply's body its attempt's error
// keeps (the delivery log's LastError), so that what the receiver said is
// there to read.
const replyInError = 200

// replyError is "HTTP <status>", and the start of the reply's body on one
// line when it has one.
func replyError(status int, head []byte) error {
	text := strings.Join(strings.Fields(strings.ToValidUTF8(string(head), "\uFFFD")), " ")
	if text == "" {
		return fmt.Errorf("HTTP %d", status)
	}
	return fmt.Errorf("HTTP %d: %s", status, text)
}

// retryAfter parses a Retry-After header: seconds or an HTTP date.
func retryAfter(h string, now time.Time) *time.Duration {
	if h == "" {
		return nil
	}
	if n, err := strconv.Atoi(h); err == nil && n >= 0 {
		d := time.Duration(n) * time.Second
		return &d
	}
	if t, err := http.ParseTime(h); err == nil {
		d := max(t.Sub(now), 0)
		return &d
	}
	return nil
}

// housekeeping purges old delivered events and captured callbacks every
// hour and refreshes the queue gauges every few seconds.
func (s *Sender) housekeeping(ctx context.Context) {
	defer s.wg.Done()
	stats := time.NewTicker(5 * time.Second)
	defer stats.Stop()
	var lastPurge time.Time
	for {
		if s.o.Now().Sub(lastPurge) >= time.Hour {
			lastPurge = s.o.Now()
			if n, err := s.o.Store.PurgeDelivered(ctx, 0, lastPurge.Add(-s.o.Retention)); err != nil && ctx.Err() == nil {
				s.o.Logger.Warn("purge delivered callback events", "err", err)
			} else if n > 0 {
				s.o.Logger.Info("purged delivered callback events", "count", n)
			}
			if n, err := s.o.Store.PurgeCaptured(ctx, lastPurge.Add(-s.o.Retention)); err != nil && ctx.Err() == nil {
				s.o.Logger.Warn("purge captured callbacks", "err", err)
			} else if n > 0 {
				s.o.Logger.Info("purged captured callbacks", "count", n)
			}
		}
		if n, oldest, err := s.o.Store.OutboxStats(ctx); err == nil {
			s.o.Metrics.queue(n, oldest, s.o.Now())
		}
		select {
		case <-ctx.Done():
			return
		case <-stats.C:
		}
	}
}
