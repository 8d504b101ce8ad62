package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// receiver is an app backend that records every callback delivery.
type receiver struct {
	up       atomic.Bool // false: answer 503
	mu       sync.Mutex
	count    map[int64]int      // deliveries per event id
	firstSeq map[string][]int64 // per key, event ids in order of first delivery
}

func newReceiver() (*receiver, *httptest.Server) {
	rc := &receiver{count: map[int64]int{}, firstSeq: map[string][]int64{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if !rc.up.Load() {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		time.Sleep(2 * time.Millisecond) // keep a few deliveries in flight
		id := r.Header.Get("webhook-id")
		n, err := strconv.ParseInt(id[strings.LastIndexByte(id, '_')+1:], 10, 64)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ev struct{ GroupId string }
		if err := json.Unmarshal(body, &ev); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		rc.mu.Lock()
		if rc.count[n] == 0 {
			rc.firstSeq[ev.GroupId] = append(rc.firstSeq[ev.GroupId], n)
		}
		rc.count[n]++
		rc.mu.Unlock()
		io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	return rc, srv
}

// buildTimd builds the timd binary into a temporary directory.
func buildTimd(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "timd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// timdEnv is the environment of the test without its TIMD_* variables, plus
// vars.
func timdEnv(vars ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TIMD_") {
			env = append(env, kv)
		}
	}
	return append(env, vars...)
}

// startProcess runs the timd binary with env and returns its base URL.
func startProcess(t *testing.T, bin string, env []string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin)
	var readyPath string
	cmd.Env, readyPath = withReadyFile(t, env)
	stdout := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	info, err := awaitReady(readyPath, nil, 20*time.Second)
	if err != nil {
		t.Fatalf("timd did not start: %v\n%s", err, stdout)
	}
	return cmd, info.URL
}

// Ensure a crash loses no callback event: while a receiver is down and then
// back, a real timd process under a write load is killed with SIGKILL and
// started again; afterwards every committed event is delivered, every
// request answered OK has its event, duplicates are only events whose
// outcome was not yet recorded at the kill, and each key's events arrived
// first in commit order.
func TestCrash_CallbacksSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds timd and kills it")
	}
	bin := buildTimd(t)
	rc, srv := newReceiver()
	defer srv.Close()
	const appID, key = 1400000055, "crash-key"
	retry := strings.TrimSuffix(strings.Repeat("50ms,", 200), ",")
	env := timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+filepath.Join(t.TempDir(), "timd.db"),
		"TIMD_SDKAPPID="+strconv.Itoa(appID), "TIMD_SECRET_KEY="+key, "TIMD_RATE_LIMIT=off",
		"TIMD_CALLBACK_URL="+srv.URL, "TIMD_CALLBACK_RETRY=0s,"+retry, "TIMD_LOG_LEVEL=error")

	cmd, base := startProcess(t, bin, env)
	sig := TencentSig(t, appID, key, "administrator")
	call := func(base, command, body string) (int, error) {
		r, err := tryPost(http.DefaultClient, CallURL(base, "group_open_http_svc", command, appID, "administrator", sig), body)
		if err != nil {
			return -1, err
		}
		n, _ := r.M["ErrorCode"].(json.Number).Int64()
		return int(n), nil
	}
	if r, err := tryPost(http.DefaultClient, CallURL(base, "im_open_login_svc", "multiaccount_import", appID, "administrator", sig),
		`{"Accounts":["a","b","c","d"]}`); err != nil || r.M["ErrorCode"] != json.Number("0") {
		t.Fatalf("import: %v %v", r.Raw, err)
	}

	// The load: each worker creates groups, adds members and dismisses them,
	// remembering what was answered OK.
	load := &groupLoad{call: call, base: base,
		created: map[string]bool{}, added: map[string]bool{}, dismissd: map[string]bool{}}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Go(func() { load.worker(w) })
	}
	time.Sleep(700 * time.Millisecond) // the receiver is down: events pile up
	rc.up.Store(true)
	time.Sleep(300 * time.Millisecond) // deliveries in flight, load going on
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	load.stop.Store(true)
	wg.Wait()

	_, base = startProcess(t, bin, env)
	mgmt := func(command, body string) Reply {
		r, err := tryPost(http.DefaultClient, CallURL(base, "timd_callback", command, appID, "administrator", sig), body)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	events := crashDeliveryLog(t, mgmt)

	// Every OK reply has its event.
	load.checkEvents(t, events)
	// Every event delivered; duplicates only of the events the lane held at the kill.
	rc.mu.Lock()
	defer rc.mu.Unlock()
	dups := checkDeliveredOnce(t, rc, events)
	t.Logf("%d events, %d created, %d dismissed, %d duplicate deliveries", len(events), len(load.created), len(load.dismissd), dups)
}

// groupLoad is the load of TestCrash_CallbacksSurviveKill: workers that
// create groups, add members and dismiss every other group until stopped,
// and the groups whose calls were answered OK.
type groupLoad struct {
	call func(base, command, body string) (int, error)
	base string // of the timd the load runs against

	mu       sync.Mutex
	created  map[string]bool
	added    map[string]bool
	dismissd map[string]bool
	stop     atomic.Bool
}

// worker is worker w of the load; it returns at the first call not
// answered OK.
func (l *groupLoad) worker(w int) {
	for i := 0; !l.stop.Load(); i++ {
		id := fmt.Sprintf("g%d-%d", w, i)
		if c, err := l.call(l.base, "create_group", `{"Type":"Public","Name":"n","GroupId":"`+id+`","Owner_Account":"a"}`); err != nil || c != 0 {
			return
		}
		l.mu.Lock()
		l.created[id] = true
		l.mu.Unlock()
		if c, err := l.call(l.base, "add_group_member", `{"GroupId":"`+id+`","MemberList":[{"Member_Account":"b"}]}`); err != nil || c != 0 {
			return
		}
		l.mu.Lock()
		l.added[id] = true
		l.mu.Unlock()
		if i%2 == 0 {
			if c, err := l.call(l.base, "destroy_group", `{"GroupId":"`+id+`"}`); err != nil || c != 0 {
				return
			}
			l.mu.Lock()
			l.dismissd[id] = true
			l.mu.Unlock()
		}
	}
}

// crashDeliveryLog waits until nothing is pending, then reads the whole
// delivery log through mgmt.
func crashDeliveryLog(t *testing.T, mgmt func(command, body string) Reply) []mixEvent {
	deadline := time.Now().Add(30 * time.Second)
	for {
		r := mgmt("list_deliveries", `{"State":"pending","Limit":1}`)
		if evs, _ := r.M["Events"].([]any); len(evs) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events still pending: %s", r.Raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var events []mixEvent
	for after := int64(0); ; {
		r := mgmt("list_deliveries", fmt.Sprintf(`{"AfterId":%d,"Limit":1000}`, after))
		var page struct {
			Events []mixEvent
			Next   int64
		}
		if err := json.Unmarshal([]byte(r.Raw), &page); err != nil {
			t.Fatalf("list_deliveries: %v: %s", err, r.Raw)
		}
		events = append(events, page.Events...)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	return events
}

// checkEvents checks every event is delivered and every call answered OK
// has its event.
func (l *groupLoad) checkEvents(t *testing.T, events []mixEvent) {
	have := map[string]bool{}
	for _, ev := range events {
		have[ev.CallbackCommand+" "+ev.Key] = true
		if ev.State != "delivered" {
			t.Errorf("event %d is %s", ev.Id, ev.State)
		}
	}
	for id := range l.created {
		if !have["Group.CallbackAfterCreateGroup "+id] {
			t.Errorf("create_group %s answered OK but has no event", id)
		}
	}
	for id := range l.added {
		if !have["Group.CallbackAfterNewMemberJoin "+id] {
			t.Errorf("add_group_member %s answered OK but has no event", id)
		}
	}
	for id := range l.dismissd {
		if !have["Group.CallbackAfterGroupDestroyed "+id] {
			t.Errorf("destroy_group %s answered OK but has no event", id)
		}
	}
}

// checkDeliveredOnce checks the receiver got every event, no more than 16
// of them again (those in flight at the kill), and each key's first in
// commit order; it returns the duplicate deliveries. rc.mu is held.
func checkDeliveredOnce(t *testing.T, rc *receiver, events []mixEvent) (dups int) {
	for _, ev := range events {
		switch n := rc.count[ev.Id]; {
		case n == 0:
			t.Errorf("event %d (%s %s) was never delivered", ev.Id, ev.CallbackCommand, ev.Key)
		case n > 1:
			dups += n - 1
		}
	}
	// At a kill, the events the app's lane held may go out again: claimed,
	// delivered or in flight, their outcome not yet recorded. The lane holds
	// 4 × TIMD_CALLBACK_CONCURRENCY (16 by default).
	if dups > 4*16 {
		t.Errorf("%d duplicate deliveries: more than the app's lane holds", dups)
	}
	for k, ids := range rc.firstSeq {
		if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
			t.Errorf("key %s: first deliveries out of commit order: %v", k, ids)
		}
	}
	return dups
}
