// Package fault injects faults for timd's control plane (timd_fault): per
// app and in this process only, it makes REST commands answer an error code
// or answer late, and callback deliveries fail, time out or stall, for the
// next N calls or with a probability. Each injected fault is logged
// ("injected fault", fault=true) and counted in
// timd_faults_injected_total{kind,service,command}.
package fault

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Kinds of fault.
const (
	KindAPI      = "API"      // a REST command (timd_fault/set)
	KindCallback = "Callback" // a callback delivery (timd_fault/set_callback)
)

// Actions of a callback fault.
const (
	ActionFail    = "Fail"    // the receiver answers HTTP 500
	ActionTimeout = "Timeout" // the receiver does not answer within the app's timeout
	ActionStall   = "Stall"   // the delivery waits LatencyMs, then goes ahead
)

// Any matches every command of a service, or every callback command.
const Any = "*"

// Bounds of a rule.
const (
	MaxLatencyMs = 60000
	MaxCount     = 1000000
	MaxRules     = 100 // per app
)

// Rule is one fault. Count and Probability: exactly one is set.
type Rule struct {
	ID   int64
	Kind string // KindAPI or KindCallback
	// Service and Command name a REST command (KindAPI); Command may be Any.
	Service, Command string
	// CallbackCommand names a callback command or Any (KindCallback).
	CallbackCommand string
	Action          string  // KindCallback: ActionFail, ActionTimeout or ActionStall
	ErrorCode       int     // KindAPI: the code answered, 0 for latency alone
	ErrorInfo       string  // KindAPI
	Count           int     // calls left to fault; 0 with Probability
	Probability     float64 // in (0, 1]; 0 with Count
	LatencyMs       int
	Injected        int // faults injected so far
}

// Hit is a fault to inject into one call.
type Hit struct {
	Rule    Rule // as it was when it fired
	Latency time.Duration
}

// Injector holds the rules of every app. The nil *Injector injects nothing.
type Injector struct {
	mu    sync.Mutex
	next  int64
	rules map[uint64][]*Rule // by app, in ID order
	total *prometheus.CounterVec
	log   *slog.Logger
	roll  func() float64 // in [0, 1)
}

// New returns an Injector counting in reg (nil: not registered) and logging
// to log (nil: nowhere).
func New(reg prometheus.Registerer, log *slog.Logger) *Injector {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	in := &Injector{rules: map[uint64][]*Rule{}, log: log, roll: rand.Float64,
		total: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "timd_faults_injected_total",
			Help: "Faults injected by the control plane (timd_fault), by kind (API, Callback), service and command.",
		}, []string{"kind", "service", "command"})}
	if reg != nil {
		// A second Injector on one registry counts in the first one's
		// series rather than fail.
		var dup prometheus.AlreadyRegisteredError
		if err := reg.Register(in.total); errors.As(err, &dup) {
			in.total = dup.ExistingCollector.(*prometheus.CounterVec)
		} else if err != nil {
			panic(err) // a collector of another shape under the name: a bug
		}
	}
	return in
}

// Validate checks a rule's fields; Kind, Service, Command and
// CallbackCommand are the caller's to check.
func (r Rule) Validate() error {
	switch {
	case r.Count != 0 && r.Probability != 0:
		return invalidf("give Count or Probability, not both")
	case r.Count == 0 && r.Probability == 0:
		return invalidf("Count (at least 1) or Probability (above 0, at most 1) is required")
	case r.Count < 0 || r.Count > MaxCount:
		return invalidf("Count must be from 1 to %d", MaxCount)
	case !(r.Probability >= 0 && r.Probability <= 1): // NaN too
		return invalidf("Probability must be above 0 and at most 1")
	case r.LatencyMs < 0 || r.LatencyMs > MaxLatencyMs:
		return invalidf("LatencyMs must be from 0 to %d", MaxLatencyMs)
	}
	if r.Kind == KindCallback {
		switch r.Action {
		case ActionFail, ActionTimeout:
		case ActionStall:
			if r.LatencyMs == 0 {
				return invalidf("Action Stall needs LatencyMs above 0")
			}
		default:
			return invalidf("Action must be Fail, Timeout or Stall")
		}
		return nil
	}
	if r.ErrorCode == 0 && r.LatencyMs == 0 {
		return invalidf("ErrorCode (a non-zero code) or LatencyMs (above 0) is required")
	}
	return nil
}

// Invalid is the error of a rule that does not validate; its text names
// the field, as the caller's reply shows it.
type Invalid struct{ Info string }

func (e *Invalid) Error() string { return e.Info }

func invalidf(format string, args ...any) error { return &Invalid{Info: fmt.Sprintf(format, args...)} }

// Add validates r and adds it to app's rules with a new ID, which it
// returns.
func (in *Injector) Add(app uint64, r Rule) (int64, error) {
	if err := r.Validate(); err != nil {
		return 0, err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	if len(in.rules[app]) >= MaxRules {
		return 0, invalidf("at most %d faults per app: clear some first", MaxRules)
	}
	in.next++
	r.ID, r.Injected = in.next, 0
	in.rules[app] = append(in.rules[app], &r)
	return r.ID, nil
}

// List returns copies of app's rules of kind ("" for all), in ID order.
func (in *Injector) List(app uint64, kind string) []Rule {
	in.mu.Lock()
	defer in.mu.Unlock()
	out := []Rule{}
	for _, r := range in.rules[app] {
		if kind == "" || r.Kind == kind {
			out = append(out, *r)
		}
	}
	return out
}

// Clear removes app's rule id, or all of app's rules of kind ("" for every
// kind) when id is 0, and says how many it removed.
func (in *Injector) Clear(app uint64, id int64, kind string) int {
	in.mu.Lock()
	defer in.mu.Unlock()
	before := len(in.rules[app])
	in.rules[app] = slices.DeleteFunc(in.rules[app], func(r *Rule) bool {
		if id != 0 {
			return r.ID == id
		}
		return kind == "" || r.Kind == kind
	})
	return before - len(in.rules[app])
}

// API returns the fault to inject into a call of service/command of app,
// if a rule fires.
func (in *Injector) API(app uint64, service, command string) (Hit, bool) {
	return in.fire(app, KindAPI, service, command, func(r *Rule) bool {
		return r.Kind == KindAPI && r.Service == service && (r.Command == Any || r.Command == command)
	})
}

// Callback returns the fault to inject into a delivery of a callback
// command of app, if a rule fires.
func (in *Injector) Callback(app uint64, command string) (Hit, bool) {
	return in.fire(app, KindCallback, "callback", command, func(r *Rule) bool {
		return r.Kind == KindCallback && (r.CallbackCommand == Any || r.CallbackCommand == command)
	})
}

// fire finds app's first matching rule that fires: one with calls left,
// which uses one (the rule goes with its last), or one whose probability
// the roll meets. It logs and counts the fault.
func (in *Injector) fire(app uint64, kind, service, command string, match func(*Rule) bool) (Hit, bool) {
	if in == nil {
		return Hit{}, false
	}
	in.mu.Lock()
	var hit *Rule
	for i, r := range in.rules[app] {
		if !match(r) || (r.Probability > 0 && in.roll() >= r.Probability) {
			continue
		}
		r.Injected++
		hit = r
		if r.Count > 0 {
			if r.Count--; r.Count == 0 {
				in.rules[app] = slices.Delete(in.rules[app], i, i+1)
			}
		}
		break
	}
	var h Hit
	if hit != nil {
		h = Hit{Rule: *hit, Latency: time.Duration(hit.LatencyMs) * time.Millisecond}
	}
	in.mu.Unlock()
	if hit == nil {
		return Hit{}, false
	}
	in.total.WithLabelValues(kind, service, command).Inc()
	in.log.Warn("injected fault", "fault", true, "kind", kind, "sdkappid", app, "service", service,
		"command", command, "fault_id", h.Rule.ID, "error_code", h.Rule.ErrorCode, "action", h.Rule.Action,
		"latency_ms", h.Rule.LatencyMs, "left", h.Rule.Count)
	return h, true
}

// Sleep waits d or until ctx ends, and returns ctx's error then.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
