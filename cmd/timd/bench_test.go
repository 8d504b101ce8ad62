package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"testing"
)

// Ensure timd bench, starting timd itself, measures every scenario against
// timd and the baseline with a non-zero throughput and no error: every
// destroy_group hits a distinct existing group, and the add/delete pairs
// leave each worker's user as they found it.
func TestBench_AllScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("drives load for a few seconds")
	}
	var out bytes.Buffer
	args := []string{"bench", "--duration", "300ms", "--concurrency", "4", "--scenario", "all", "--json"}
	if err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var reports []benchReport
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	seen := map[string]bool{}
	for _, r := range reports {
		seen[r.Scenario] = true
		for name, res := range map[string]benchResult{"timd": r.Timd, "baseline": r.Baseline} {
			if res.PerSec <= 0 || res.Requests == 0 {
				t.Errorf("%s %s: no throughput: %+v", r.Scenario, name, res)
			}
			if len(res.Errors) > 0 {
				t.Errorf("%s %s: errors %v", r.Scenario, name, res.Errors)
			}
		}
		if r.Scenario == "destroy_group" && r.Timd.Exhausted {
			t.Logf("destroy_group: the pool of %d groups ran out (a slow setup)", r.Setup)
		}
	}
	for _, name := range benchNames() {
		if !seen[name] {
			t.Errorf("scenario %s missing from the report", name)
		}
	}
}

// Ensure an unknown scenario is refused before anything starts.
func TestBench_UnknownScenario(t *testing.T) {
	err := run(context.Background(), []string{"bench", "--scenario", "nope"}, func(string) string { return "" }, io.Discard, io.Discard)
	if err == nil {
		t.Fatal("want an error")
	}
}
