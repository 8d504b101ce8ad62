package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the online-state commands answer the requests under
// testdata/state/NN_<service>.<command>[.<case>].req.json as recorded in
// the .resp.json beside each, and record exactly the State.StateChange
// bodies in its .events.json ([] for a call that records none, as every
// refused call must): Tencent's samples and a request for each code, in
// name order against one server whose clock stands still at openimEpoch.
// -update rewrites the replies and the events.
func TestStateGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		dir := "testdata/state"
		setup, err := os.ReadFile(filepath.Join(dir, "00_setup.accounts"))
		if err != nil {
			t.Fatal(err)
		}
		h := openIM(t, dsn, &testClock{t: openimEpoch}, strings.Fields(string(setup)))
		reqs, _ := filepath.Glob(filepath.Join(dir, "*.req.json"))
		sort.Strings(reqs)
		if len(reqs) == 0 {
			t.Fatal("no requests")
		}
		var lastEvent int64
		for _, reqFile := range reqs {
			name := strings.TrimSuffix(filepath.Base(reqFile), ".req.json")
			parts := strings.Split(name[strings.Index(name, "_")+1:], ".") // service, command[, case]
			req, err := os.ReadFile(reqFile)
			if err != nil {
				t.Fatal(err)
			}
			got := h.Call(parts[0], parts[1], string(req))
			var events []byte
			events, lastEvent = stateEvents(t, h, lastEvent)
			base := strings.TrimSuffix(reqFile, ".req.json")
			checkGoldenFile(t, name, base+".resp.json", []byte(got.Raw))
			checkGoldenFile(t, name, base+".events.json", events)
		}
	})
}

// stateEvents returns, as a JSON array, the bodies of the events recorded
// after id after, and the last event's id.
func stateEvents(t *testing.T, h *Harness, after int64) ([]byte, int64) {
	t.Helper()
	evs, err := h.Store.ListEvents(context.Background(), TestAppID, im.EventFilter{AfterID: after, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	bodies := make([]json.RawMessage, len(evs))
	for i, ev := range evs {
		bodies[i] = ev.Body
		after = ev.ID
	}
	list, err := json.Marshal(bodies)
	if err != nil {
		t.Fatal(err)
	}
	return list, after
}

// checkGoldenFile compares got with the JSON in file, key order included,
// or rewrites file with -update.
func checkGoldenFile(t *testing.T, name, file string, got []byte) {
	t.Helper()
	if *update {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, got, "", "  "); err != nil {
			t.Fatalf("%s: not JSON: %v", name, err)
		}
		pretty.WriteByte('\n')
		if err := os.WriteFile(file, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !sameJSON(t, got, want) {
		t.Errorf("%s (%s):\n got %s\nwant %s", name, filepath.Base(file), got, want)
	}
}
