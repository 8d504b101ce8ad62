package fault

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Ensure a Count rule fires for exactly its count, matching its own app,
// service and command (or "*"), and is gone after; the first matching rule
// that fires applies; each fault is counted in the registry.
func TestInjector_Count(t *testing.T) {
	reg := prometheus.NewRegistry()
	in := New(reg, nil)
	id, err := in.Add(1, Rule{Kind: KindAPI, Service: "sns", Command: "friend_add", ErrorCode: 30001, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Add(1, Rule{Kind: KindAPI, Service: "sns", Command: Any, LatencyMs: 5, Count: 1}); err != nil {
		t.Fatal(err)
	}
	if _, ok := in.API(2, "sns", "friend_add"); ok {
		t.Error("a fault of app 1 fired for app 2")
	}
	if _, ok := in.API(1, "profile", "portrait_get"); ok {
		t.Error("a fault of sns fired for profile")
	}
	for i := range 2 {
		h, ok := in.API(1, "sns", "friend_add")
		if !ok || h.Rule.ID != id || h.Rule.ErrorCode != 30001 || h.Rule.Count != 1-i {
			t.Fatalf("call %d: %+v %v", i+1, h, ok)
		}
	}
	h, ok := in.API(1, "sns", "friend_add") // the first is used up: the "*" one
	if !ok || h.Rule.ID == id || h.Latency != 5*time.Millisecond {
		t.Fatalf("third call: %+v %v, want the latency fault", h, ok)
	}
	if _, ok := in.API(1, "sns", "friend_add"); ok || len(in.List(1, "")) != 0 {
		t.Errorf("faults left after their counts: %+v", in.List(1, ""))
	}
	checkCounted(t, reg, 3)
	second := New(reg, nil) // shares the series
	_, _ = second.Add(1, Rule{Kind: KindAPI, Service: "sns", Command: "friend_add", ErrorCode: 1, Count: 1})
	second.API(1, "sns", "friend_add")
	checkCounted(t, reg, 4)
}

// checkCounted checks that reg counts n faults, all of one series.
func checkCounted(t *testing.T, reg *prometheus.Registry, n float64) {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil || len(fams) != 1 || fams[0].GetName() != "timd_faults_injected_total" || len(fams[0].GetMetric()) != 1 ||
		fams[0].GetMetric()[0].GetCounter().GetValue() != n {
		t.Errorf("counter: %v, %v; want %v faults of one series", fams, err, n)
	}
}

// Ensure a Probability rule fires when the roll is under it and stays, and
// that a nil Injector injects nothing.
func TestInjector_Probability(t *testing.T) {
	in := New(nil, nil)
	roll := 0.0
	in.roll = func() float64 { return roll }
	if _, err := in.Add(1, Rule{Kind: KindCallback, CallbackCommand: Any, Action: ActionFail, Probability: 0.3}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		roll float64
		want bool
	}{{0.1, true}, {0.3, false}, {0.9, false}, {0.29, true}} {
		roll = c.roll
		if _, ok := in.Callback(1, "Group.CallbackAfterCreateGroup"); ok != c.want {
			t.Errorf("roll %v: fired %v, want %v", c.roll, ok, c.want)
		}
	}
	if l := in.List(1, KindCallback); len(l) != 1 || l[0].Injected != 2 {
		t.Errorf("list: %+v, want the rule with 2 injected", l)
	}
	var none *Injector
	if _, ok := none.Callback(1, "x.y"); ok {
		t.Error("a nil Injector injected a fault")
	}
}

// Ensure Validate refuses each bad rule, naming the field, and Clear
// removes by id, kind and all.
func TestInjector_ValidateAndClear(t *testing.T) {
	in := New(nil, nil)
	for _, r := range []Rule{
		{Kind: KindAPI, ErrorCode: 1},
		{Kind: KindAPI, ErrorCode: 1, Count: 1, Probability: 0.5},
		{Kind: KindAPI, ErrorCode: 1, Count: -1},
		{Kind: KindAPI, ErrorCode: 1, Probability: 2},
		{Kind: KindAPI, Count: 1},
		{Kind: KindAPI, ErrorCode: 1, Count: 1, LatencyMs: MaxLatencyMs + 1},
		{Kind: KindCallback, Action: "Explode", Count: 1},
		{Kind: KindCallback, Action: ActionStall, Count: 1},
	} {
		var bad *Invalid
		if _, err := in.Add(1, r); !errors.As(err, &bad) || bad.Info == "" {
			t.Errorf("%+v: %v, want *Invalid", r, err)
		}
	}
	a, _ := in.Add(1, Rule{Kind: KindAPI, Service: "sns", Command: Any, ErrorCode: 1, Count: 1})
	_, _ = in.Add(1, Rule{Kind: KindCallback, CallbackCommand: Any, Action: ActionTimeout, Count: 1})
	_, _ = in.Add(1, Rule{Kind: KindCallback, CallbackCommand: Any, Action: ActionFail, Count: 1})
	if n := in.Clear(1, a, ""); n != 1 {
		t.Errorf("clear by id: %d", n)
	}
	if n := in.Clear(1, 0, KindCallback); n != 2 || len(in.List(1, "")) != 0 {
		t.Errorf("clear by kind: %d, left %+v", n, in.List(1, ""))
	}
}

// Ensure Sleep waits its duration, and returns early with ctx's error.
func TestSleep(t *testing.T) {
	start := time.Now()
	if err := Sleep(context.Background(), 20*time.Millisecond); err != nil || time.Since(start) < 20*time.Millisecond {
		t.Errorf("Sleep: %v after %v", err, time.Since(start))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := Sleep(ctx, time.Minute); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Sleep past ctx: %v", err)
	}
}
