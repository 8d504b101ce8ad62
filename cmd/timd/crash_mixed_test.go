package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Ensure a SIGKILL at any moment of a mixed write load over every service
// loses no answered write, leaves no partial change and loses no event. A
// real timd process on SQLite serves several workers, each running scenarios
// of accounts, groups, friends and friend lists, conversation groups, and an
// account deletion that cascades over all of them, on entities of its own;
// it is killed after a random time and started again on the same data file,
// cycle after cycle. After the last restart every scenario is read back
// through the REST API: its entities must be in the state its steps
// answered OK leave, or, for the one step whose answer was lost (or was not
// the one expected), in the state before or after that step as a whole. The
// events of every entity must be exactly those of the steps committed, and
// each delivered.
//
// The seed is logged; TIMD_TEST_CRASH_SEED replays it (the kill moments,
// not the interleaving) and TIMD_TEST_CRASH_CYCLES sets the number of kills
// (default 4).
func TestCrash_MixedWritesRandomKills(t *testing.T) {
	if testing.Short() {
		t.Skip("builds timd and kills it")
	}
	seed, cycles := crashSeedAndCycles(t)
	t.Logf("seed %d, %d kills (replay with TIMD_TEST_CRASH_SEED=%d)", seed, cycles, seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	started := time.Now()

	bin := buildTimd(t)
	loadStart := time.Now()
	rc, srv := newReceiver()
	defer srv.Close()
	const appID, key = 1400000056, "crash-mixed-key"
	retry := strings.TrimSuffix(strings.Repeat("50ms,", 400), ",")
	env := timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+filepath.Join(t.TempDir(), "timd.db"),
		"TIMD_SDKAPPID="+strconv.Itoa(appID), "TIMD_SECRET_KEY="+key, "TIMD_RATE_LIMIT=off",
		"TIMD_CALLBACK_URL="+srv.URL, "TIMD_CALLBACK_RETRY=0s,"+retry, "TIMD_LOG_LEVEL=error",
		// After-callbacks only: the before-callbacks would only add a round trip to every create.
		"TIMD_CALLBACK_COMMANDS="+strings.Join(mixCommands, ","))
	sig := TencentSig(t, appID, key, "administrator")

	// The load: cycles of workers running scenarios until the kill.
	load := &mixLoad{bin: bin, env: env, rc: rc, app: appID, sig: sig, seed: seed}
	for cycle := range cycles {
		load.cycle(t, cycle, rng)
	}
	loadTime := time.Since(loadStart)
	scenarios := load.scenarios

	// The final restart: wait until nothing is pending, read the whole
	// delivery log, then every scenario's state.
	_, base := startProcess(t, bin, env)
	tr := &http.Transport{MaxIdleConnsPerHost: 8}
	defer tr.CloseIdleConnections()
	cl := &mixClient{hc: &http.Client{Transport: tr, Timeout: 20 * time.Second}, base: base, app: appID, sig: sig}
	events := cl.deliveries(t)
	failures, committed := verifyScenarios(cl, scenarios, events)

	// Invariants 1 to 3: each scenario's state and events.
	st := checkScenarios(t, scenarios, failures, committed)

	// Invariant 4: every event belongs to a scenario and was delivered.
	rc.mu.Lock()
	defer rc.mu.Unlock()
	dups := checkMixDeliveries(t, rc, events, st.owned, cycles)
	t.Logf("%d kills, %d scenarios, %d requests (%d answered as expected, %d answers lost to a kill: %d committed, %d not, %d of these sent after it; %d answered unexpectedly), %d events, %d duplicate deliveries; kills and restarts %v, total %v",
		cycles, len(scenarios), load.requests.Load(), st.answered, st.lostCommitted+st.lostNot, st.lostCommitted, st.lostNot, st.refused, st.unexpected,
		len(events), dups, loadTime.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
	var by []string
	for _, cmd := range sortedKeys(st.openBy) {
		by = append(by, fmt.Sprintf("%s %d/%d", cmd, st.openBy[cmd][1], st.openBy[cmd][0]+st.openBy[cmd][1]))
	}
	t.Logf("answers lost, committed/all, by command: %s", strings.Join(by, ", "))
}

// crashSeedAndCycles are the seed, from TIMD_TEST_CRASH_SEED or the clock,
// and the number of kills, from TIMD_TEST_CRASH_CYCLES or 4.
func crashSeedAndCycles(t *testing.T) (seed uint64, cycles int) {
	seed = uint64(time.Now().UnixNano())
	if s := os.Getenv("TIMD_TEST_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TIMD_TEST_CRASH_SEED: %v", err)
		}
		seed = n
	}
	cycles = 4
	if s := os.Getenv("TIMD_TEST_CRASH_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("TIMD_TEST_CRASH_CYCLES=%q: want a positive number", s)
		}
		cycles = n
	}
	return seed, cycles
}

// mixLoad is the load of TestCrash_MixedWritesRandomKills: the timd it
// starts and kills, and every scenario its workers began.
type mixLoad struct {
	bin  string
	env  []string
	rc   *receiver
	app  uint64
	sig  string
	seed uint64

	mu        sync.Mutex
	scenarios []*mixScenario
	requests  atomic.Int64
}

// cycle starts timd, runs the workers' scenarios until a random kill, and
// waits for the workers to stop.
func (l *mixLoad) cycle(t *testing.T, cycle int, rng *rand.Rand) {
	const workers = 5
	cmd, base := startProcess(t, l.bin, l.env)
	l.rc.up.Store(rng.IntN(3) != 0) // now and then the receiver is down: events pile up
	tr := &http.Transport{MaxIdleConnsPerHost: workers}
	cl := &mixClient{hc: &http.Client{Transport: tr, Timeout: 15 * time.Second}, base: base, app: l.app, sig: l.sig}
	var (
		stop atomic.Bool
		wg   sync.WaitGroup
	)
	for w := range workers {
		wr := rand.New(rand.NewPCG(l.seed, uint64(cycle*workers+w+1)))
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				sc := newMixScenario(fmt.Sprintf("k%d.%d.%d", cycle, w, i), (w+i)%len(mixKinds), wr)
				l.mu.Lock()
				l.scenarios = append(l.scenarios, sc)
				l.mu.Unlock()
				if !sc.run(cl, &l.requests) {
					return
				}
			}
		})
	}
	time.Sleep(time.Duration(150+rng.IntN(551)) * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	stop.Store(true)
	wg.Wait()
	l.rc.up.Store(true)
	tr.CloseIdleConnections()
}

// verifyScenarios verifies every scenario against timd and its events,
// four at a time, and returns each one's failure ("" if none) and whether
// its open step committed (1), did not (0), or it had none or no match (-1).
func verifyScenarios(cl *mixClient, scenarios []*mixScenario, events []mixEvent) (failures []string, committed []int) {
	byKey := map[string][]string{}
	for _, ev := range events {
		byKey[ev.Key] = append(byKey[ev.Key], ev.CallbackCommand)
	}
	failures = make([]string, len(scenarios))
	committed = make([]int, len(scenarios)) // of an open step: 1 committed, 0 not, -1 no open step or no match
	var next atomic.Int64
	var vg sync.WaitGroup
	for range 4 {
		vg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(scenarios); i = int(next.Add(1) - 1) {
				failures[i], committed[i] = scenarios[i].verify(cl, byKey)
			}
		})
	}
	vg.Wait()
	return failures, committed
}

// mixStats counts how the scenarios' steps were answered.
type mixStats struct {
	failed, lostCommitted, lostNot, refused, unexpected, answered int
	owned                                                         map[string]bool
	openBy                                                        map[string][2]int // command: lost answers not committed, committed
}

// checkScenarios reports the first ten scenarios that failed, logs those
// answered unexpectedly, and counts the answers and the keys the scenarios
// own.
func checkScenarios(t *testing.T, scenarios []*mixScenario, failures []string, committed []int) mixStats {
	st := mixStats{owned: map[string]bool{}, openBy: map[string][2]int{}}
	for i, sc := range scenarios {
		st.answered += sc.answered
		if sc.unexpected {
			st.unexpected++
			t.Logf("%s: step %d (%s) answered unexpectedly: %s", sc.name, sc.answered+1, sc.steps[sc.answered].command, sc.how)
		}
		switch {
		case sc.unexpected:
		case committed[i] == 1:
			st.lostCommitted++
		case committed[i] == 0:
			st.lostNot++
			if strings.Contains(sc.how, "connection refused") {
				st.refused++ // sent after the kill
			}
		}
		if !sc.unexpected && committed[i] >= 0 {
			c := st.openBy[sc.steps[sc.answered].command]
			c[committed[i]]++
			st.openBy[sc.steps[sc.answered].command] = c
		}
		for _, k := range sc.keys() {
			st.owned[k] = true
		}
		if failures[i] != "" {
			if st.failed++; st.failed <= 10 {
				t.Error(failures[i])
			}
		}
	}
	if st.failed > 10 {
		t.Errorf("... and %d more scenarios failed", st.failed-10)
	}
	return st
}

// checkMixDeliveries checks every event belongs to a key owned by a
// scenario and was delivered, no more often again than the deliveries in
// flight at the kills, and each group's first deliveries were in commit
// order; it returns the number of duplicate deliveries. rc.mu is held.
func checkMixDeliveries(t *testing.T, rc *receiver, events []mixEvent, owned map[string]bool, kills int) (dups int) {
	for _, ev := range events {
		if !owned[ev.Key] {
			t.Errorf("event %d (%s %s) belongs to no request", ev.Id, ev.CallbackCommand, ev.Key)
		}
		if ev.State != "delivered" {
			t.Errorf("event %d (%s %s) is %s", ev.Id, ev.CallbackCommand, ev.Key, ev.State)
		}
		switch n := rc.count[ev.Id]; {
		case n == 0:
			t.Errorf("event %d (%s %s) was never delivered", ev.Id, ev.CallbackCommand, ev.Key)
		case n > 1:
			dups += n - 1
		}
	}
	if dups > 16*kills {
		t.Errorf("%d duplicate deliveries: more than the deliveries in flight at %d kills", dups, kills)
	}
	for k, ids := range rc.firstSeq {
		if k != "" && !slices.IsSorted(ids) { // sns events carry no GroupId: their key is not known here
			t.Errorf("group %s: first deliveries out of commit order: %v", k, ids)
		}
	}
	return dups
}

// mixCommands are the after-callbacks the load records.
var mixCommands = []string{
	"Group.CallbackAfterCreateGroup", "Group.CallbackAfterNewMemberJoin", "Group.CallbackAfterMemberExit",
	"Group.CallbackAfterGroupDestroyed", "Sns.CallbackFriendAdd", "Sns.CallbackFriendDelete",
}

// mixClient calls one timd as the app admin from any goroutine.
type mixClient struct {
	hc   *http.Client
	base string
	app  uint64
	sig  string
}

func (c *mixClient) call(service, command, body string) (Reply, error) {
	return tryPost(c.hc, CallURL(c.base, service, command, c.app, "administrator", c.sig), body)
}

// read sends a call that must answer ErrorCode 0 and decodes the reply.
func (c *mixClient) read(service, command string, body, out any) error {
	r, err := c.call(service, command, mixJSON(body))
	if err != nil {
		return fmt.Errorf("%s/%s: %v", service, command, err)
	}
	if code(r) != 0 {
		return fmt.Errorf("%s/%s %s: %s", service, command, mixJSON(body), r.Raw)
	}
	return json.Unmarshal([]byte(r.Raw), out)
}

// mixEvent is an event of the delivery log.
type mixEvent struct {
	Id              int64
	CallbackCommand string
	Key             string
	State           string
}

// deliveries waits until no event is pending and returns the delivery log
// in commit order.
func (c *mixClient) deliveries(t *testing.T) []mixEvent {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var page struct{ Events []mixEvent }
		if err := c.read("timd_callback", "list_deliveries", map[string]any{"State": "pending", "Limit": 1}, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Events) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events still pending after 60s: %+v", page.Events)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var events []mixEvent
	for after := int64(0); ; {
		var page struct {
			Events []mixEvent
			Next   int64
		}
		if err := c.read("timd_callback", "list_deliveries", map[string]any{"AfterId": after, "Limit": 1000}, &page); err != nil {
			t.Fatal(err)
		}
		events = append(events, page.Events...)
		if page.Next == 0 {
			break
		}
		after = page.Next
	}
	sort.Slice(events, func(i, j int) bool { return events[i].Id < events[j].Id })
	return events
}

func mixJSON(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// mixStep is one request of a scenario and what it changes when committed.
type mixStep struct {
	service, command, body string
	want                   int               // the ErrorCode expected: 0, or a deliberate failure's
	apply                  func(m *mixModel) // the change; nil for a deliberate failure
	events                 []string          // "Command key" of the events it records
}

// mixScope names what a scenario reads back.
type mixScope struct {
	accounts []string // account_check
	groups   []string // get_group_info and get_group_member_info
	joined   []string // get_joined_group_list, of those imported
	sns      []string // friend_get, group_get, friend_check against the other accounts, of those imported
	contacts []string // get_contact_group, of those imported
}

// mixScenario is a sequence of requests on entities no other scenario
// touches, so that its expected state depends on its own answers alone.
type mixScenario struct {
	name  string
	scope mixScope
	steps []mixStep

	// Set by run.
	answered   int    // steps answered as expected, in order
	open       bool   // steps[answered] was sent, and its answer lost or not the one expected
	unexpected bool   // steps[answered] was answered, but not as expected
	how        string // what became of steps[answered]
}

// run sends the steps until one is not answered as expected, and reports
// whether all were.
func (sc *mixScenario) run(c *mixClient, requests *atomic.Int64) bool {
	for _, st := range sc.steps {
		requests.Add(1)
		r, err := c.call(st.service, st.command, st.body)
		if err != nil {
			sc.open, sc.how = true, err.Error()
			return false
		}
		if got := code(r); got != st.want {
			sc.open, sc.unexpected, sc.how = true, true, fmt.Sprintf("ErrorCode %d, want %d: %s", got, st.want, r.Raw)
			return false
		}
		if st.want == 0 {
			if err := mixItemsOK(r.Raw); err != nil {
				sc.open, sc.unexpected, sc.how = true, true, err.Error()
				return false
			}
		}
		sc.answered++
	}
	return true
}

// mixItemsOK checks the per-item outcomes of a reply: every ResultCode 0,
// every add_group_member Result 1 (added), no FailAccounts or Fail_Account.
func mixItemsOK(raw string) error {
	var v any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return err
	}
	var walk func(v any) error
	walk = func(v any) error {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				switch k {
				case "ResultCode":
					if x != json.Number("0") {
						return fmt.Errorf("an item failed: %s", raw)
					}
				case "Result":
					if x != json.Number("1") {
						return fmt.Errorf("a member was not added: %s", raw)
					}
				case "FailAccounts", "Fail_Account":
					if a, _ := x.([]any); len(a) > 0 {
						return fmt.Errorf("accounts failed: %s", raw)
					}
				}
				if err := walk(x); err != nil {
					return err
				}
			}
		case []any:
			for _, x := range v {
				if err := walk(x); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(v)
}

// keys are the event keys the scenario owns: its accounts (From_Account of
// sns events) and groups.
func (sc *mixScenario) keys() []string {
	return append(slices.Clone(sc.scope.accounts), sc.scope.groups...)
}

// model is the expected state after the first k steps.
func (sc *mixScenario) model(k int) *mixModel {
	m := newMixModel()
	for _, st := range sc.steps[:k] {
		if st.apply != nil {
			st.apply(m)
		}
	}
	return m
}

// verify reads the scenario's state back and compares it and its events
// with what its answers allow. It returns a failure ("" if none) and, for
// an open step, whether it was committed (1) or not (0); else -1.
func (sc *mixScenario) verify(c *mixClient, byKey map[string][]string) (string, int) {
	obs, err := observe(c, sc.scope)
	if err != nil {
		return fmt.Sprintf("%s: reading the state back: %v", sc.name, err), -1
	}
	last := sc.answered
	if sc.open {
		last++
	}
	found := -1
	for k := sc.answered; k <= last && found < 0; k++ {
		if sc.model(k).render(sc.scope) == obs {
			found = k
		}
	}
	if found < 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "%s: partial or lost change; steps:\n", sc.name)
		for i, st := range sc.steps {
			outcome := "answered as expected"
			switch {
			case i == sc.answered && sc.open:
				outcome = "open: " + sc.how
			case i >= sc.answered:
				outcome = "not sent"
			}
			fmt.Fprintf(&b, "  %d. %s/%s %s (want %d): %s\n", i+1, st.service, st.command, st.body, st.want, outcome)
		}
		fmt.Fprintf(&b, "state read back:\n%s", obs)
		for k := sc.answered; k <= last; k++ {
			fmt.Fprintf(&b, "state expected after step %d:\n%s", k, sc.model(k).render(sc.scope))
		}
		return b.String(), -1
	}
	// Change and event together: the events of each key are exactly those
	// of the steps committed, in order.
	want := map[string][]string{}
	for _, st := range sc.steps[:found] {
		for _, ev := range st.events {
			cmd, key, _ := strings.Cut(ev, " ")
			want[key] = append(want[key], cmd)
		}
	}
	for _, k := range sc.keys() {
		if !slices.Equal(byKey[k], want[k]) {
			return fmt.Sprintf("%s: %d steps committed (%d answered, open step: %q), key %s has events %v, want %v",
				sc.name, found, sc.answered, sc.how, k, byKey[k], want[k]), -1
		}
	}
	if !sc.open {
		return "", -1
	}
	return "", found - sc.answered
}

const (
	svcLogin   = "im_open_login_svc"
	svcGroup   = "group_open_http_svc"
	svcSNS     = "sns"
	svcContact = "recentcontact"
)

// mixKinds are the scenarios a worker runs in turn.
var mixKinds = []func(p string, r *rand.Rand) (mixScope, []mixStep){
	mixAccounts, mixGroup, mixFriends, mixConversations, mixCascade,
}

func newMixScenario(name string, kind int, r *rand.Rand) *mixScenario {
	scope, steps := mixKinds[kind](name, r)
	return &mixScenario{name: name, scope: scope, steps: steps}
}

type obj = map[string]any

func step(service, command string, body any, want int, apply func(m *mixModel), events ...string) mixStep {
	return mixStep{service: service, command: command, body: mixJSON(body), want: want, apply: apply, events: events}
}

func memberList(ids ...string) []obj {
	out := make([]obj, len(ids))
	for i, id := range ids {
		out[i] = obj{"Member_Account": id}
	}
	return out
}

func c2c(ids ...string) []obj {
	out := make([]obj, len(ids))
	for i, id := range ids {
		out[i] = obj{"Type": 1, "To_Account": id}
	}
	return out
}

func importStep(ids ...string) mixStep {
	return step(svcLogin, "multiaccount_import", obj{"Accounts": ids}, 0, func(m *mixModel) { m.importAccounts(ids...) })
}

// mixAccounts: imports (both forms of multiaccount_import, account_import)
// and deletions of several accounts in one call.
func mixAccounts(p string, _ *rand.Rand) (mixScope, []mixStep) {
	a, b, c, d, e := p+"a", p+"b", p+"c", p+"d", p+"e"
	return mixScope{accounts: []string{a, b, c, d, e}}, []mixStep{
		importStep(a, b, c, d),
		step(svcLogin, "account_import", obj{"UserID": e, "Nick": "E"}, 0, func(m *mixModel) { m.importAccounts(e) }),
		step(svcLogin, "account_delete", obj{"DeleteItem": items([]string{b, c})}, 0, func(m *mixModel) { m.deleteAccounts(b, c) }),
		step(svcLogin, "multiaccount_import", obj{"AccountList": []obj{{"UserID": b, "Nick": "B"}, {"UserID": e, "Nick": "E2"}}}, 0,
			func(m *mixModel) { m.importAccounts(b, e) }),
		step(svcLogin, "account_delete", obj{"DeleteItem": items([]string{a, d})}, 0, func(m *mixModel) { m.deleteAccounts(a, d) }),
	}
}

// mixGroup: a group created with members, several members added and removed
// in one call each, failing calls that must change nothing, and half the
// time a dismissal.
func mixGroup(p string, r *rand.Rand) (mixScope, []mixStep) {
	o, m1, m2, m3, m4, m5, ghost, g := p+"o", p+"m1", p+"m2", p+"m3", p+"m4", p+"m5", p+"ghost", p+"g"
	typ := []string{"Public", "Private"}[r.IntN(2)]
	create := func(members ...string) obj {
		return obj{"Owner_Account": o, "Type": typ, "Name": "mixed", "GroupId": g, "MemberList": memberList(members...)}
	}
	steps := []mixStep{
		importStep(o, m1, m2, m3, m4, m5),
		step(svcGroup, "create_group", create(m1, ghost), 10019, nil),
		step(svcGroup, "create_group", create(m1, m2), 0, func(m *mixModel) { m.createGroup(g, o, m1, m2) },
			"Group.CallbackAfterCreateGroup "+g),
		step(svcGroup, "add_group_member", obj{"GroupId": g, "MemberList": memberList(m3, ghost)}, 10019, nil),
		step(svcGroup, "add_group_member", obj{"GroupId": g, "MemberList": memberList(m3, m4, m5)}, 0,
			func(m *mixModel) { m.addMembers(g, m3, m4, m5) }, "Group.CallbackAfterNewMemberJoin "+g),
		step(svcGroup, "delete_group_member", obj{"GroupId": g, "MemberToDel_Account": []string{m1, m3}}, 0,
			func(m *mixModel) { m.removeMembers(g, m1, m3) }, "Group.CallbackAfterMemberExit "+g),
	}
	if r.IntN(2) == 0 {
		steps = append(steps, step(svcGroup, "destroy_group", obj{"GroupId": g}, 0,
			func(m *mixModel) { delete(m.groups, g) }, "Group.CallbackAfterGroupDestroyed "+g))
	}
	all := []string{o, m1, m2, m3, m4, m5}
	return mixScope{accounts: append(slices.Clone(all), ghost), groups: []string{g}, joined: all}, steps
}

// mixFriends: friends added and removed both ways, friend lists created
// with several friends, deleted several at a time, and a failing deletion.
// The adds are forced (ForceAddFlags 1): the friends never set AllowType,
// which would leave the requests pending.
func mixFriends(p string, _ *rand.Rand) (mixScope, []mixStep) {
	u, f1, f2, f3, f4 := p+"u", p+"f1", p+"f2", p+"f3", p+"f4"
	add := func(list string, to ...string) []obj {
		out := make([]obj, len(to))
		for i, id := range to {
			out[i] = obj{"To_Account": id, "AddSource": "AddSource_Type_Web", "GroupName": list}
		}
		return out
	}
	return mixScope{accounts: []string{u, f1, f2, f3, f4}, sns: []string{u}}, []mixStep{
		importStep(u, f1, f2, f3, f4),
		step(svcSNS, "friend_add", obj{"From_Account": u, "AddFriendItem": add("", f1, f2, f3), "ForceAddFlags": 1}, 0,
			func(m *mixModel) { m.addFriends(u, "", f1, f2, f3) }, "Sns.CallbackFriendAdd "+u),
		step(svcSNS, "group_add", obj{"From_Account": u, "GroupName": []string{"L1"}, "To_Account": []string{f1, f2, f3}}, 0,
			func(m *mixModel) { m.addLists(u, []string{"L1"}, f1, f2, f3) }),
		step(svcSNS, "group_add", obj{"From_Account": u, "GroupName": []string{"L2", "L3"}}, 0,
			func(m *mixModel) { m.addLists(u, []string{"L2", "L3"}) }),
		step(svcSNS, "group_delete", obj{"From_Account": u, "GroupName": []string{"L2", "ghost"}}, 30001, nil),
		step(svcSNS, "friend_delete", obj{"From_Account": u, "To_Account": []string{f3}, "DeleteType": "Delete_Type_Both"}, 0,
			func(m *mixModel) { m.deleteFriends(u, f3) }, "Sns.CallbackFriendDelete "+u),
		step(svcSNS, "group_delete", obj{"From_Account": u, "GroupName": []string{"L1", "L3"}}, 0,
			func(m *mixModel) { m.deleteLists(u, "L1", "L3") }),
		step(svcSNS, "friend_add", obj{"From_Account": u, "AddFriendItem": add("L2", f4), "ForceAddFlags": 1}, 0,
			func(m *mixModel) { m.addFriends(u, "L2", f4) }, "Sns.CallbackFriendAdd "+u),
	}
}

// mixConversations: conversation groups created with several
// conversations, changed, deleted (its id never handed out again), and a
// failing deletion.
func mixConversations(p string, _ *rand.Rand) (mixScope, []mixStep) {
	u, c1, c2, c3 := p+"u", p+"c1", p+"c2", p+"c3"
	create := func(name string, peers ...string) obj {
		return obj{"From_Account": u, "GroupContactItem": []obj{{"GroupName": name, "ContactItem": c2c(peers...)}}}
	}
	return mixScope{accounts: []string{u, c1, c2, c3}, contacts: []string{u}}, []mixStep{
		importStep(u, c1, c2, c3),
		step(svcContact, "create_contact_group", create("work", c1, c2), 0, func(m *mixModel) { m.createConv(u, "work", c1, c2) }),
		step(svcContact, "create_contact_group", create("home", c2, c3), 0, func(m *mixModel) { m.createConv(u, "home", c2, c3) }),
		step(svcContact, "del_contact_group", obj{"From_Account": u, "GroupName": []string{"ghost"}}, 51009, nil),
		step(svcContact, "update_contact_group", obj{"From_Account": u, "UpdateType": 1, "UpdateGroup": obj{
			"UpdateGroupType": 2, "OldGroupName": "work",
			"ContactUpdateItem": []obj{{"ContactOptType": 1, "ContactItem": c2c(c3)[0]}},
		}}, 0, func(m *mixModel) { m.addToConv(u, "work", c3) }),
		step(svcContact, "del_contact_group", obj{"From_Account": u, "GroupName": []string{"work"}}, 0,
			func(m *mixModel) { m.deleteConv(u, "work") }),
		step(svcContact, "create_contact_group", create("work", c1), 0, func(m *mixModel) { m.createConv(u, "work", c1) }),
	}
}

// mixCascade: an account that is a group member, a friend in a friend list
// and has conversation groups is deleted, all of it in one transaction, and
// imported again with nothing left.
func mixCascade(p string, _ *rand.Rand) (mixScope, []mixStep) {
	o, x, y, g := p+"o", p+"x", p+"y", p+"g"
	return mixScope{accounts: []string{o, x, y}, groups: []string{g}, joined: []string{o, x, y}, sns: []string{o, x}, contacts: []string{x}},
		[]mixStep{
			importStep(o, x, y),
			step(svcGroup, "create_group", obj{"Owner_Account": o, "Type": "Public", "Name": "cascade", "GroupId": g, "MemberList": memberList(x, y)}, 0,
				func(m *mixModel) { m.createGroup(g, o, x, y) }, "Group.CallbackAfterCreateGroup "+g),
			step(svcSNS, "friend_add", obj{"From_Account": o, "AddFriendItem": []obj{
				{"To_Account": x, "AddSource": "AddSource_Type_Web"}, {"To_Account": y, "AddSource": "AddSource_Type_Web"}}, "ForceAddFlags": 1}, 0,
				func(m *mixModel) { m.addFriends(o, "", x, y) }, "Sns.CallbackFriendAdd "+o),
			step(svcSNS, "group_add", obj{"From_Account": o, "GroupName": []string{"best"}, "To_Account": []string{x, y}}, 0,
				func(m *mixModel) { m.addLists(o, []string{"best"}, x, y) }),
			step(svcContact, "create_contact_group", obj{"From_Account": x, "GroupContactItem": []obj{{"GroupName": "k", "ContactItem": c2c(o, y)}}}, 0,
				func(m *mixModel) { m.createConv(x, "k", o, y) }),
			step(svcLogin, "account_delete", obj{"DeleteItem": items([]string{x})}, 0, func(m *mixModel) { m.deleteAccounts(x) }),
			step(svcLogin, "account_import", obj{"UserID": x}, 0, func(m *mixModel) { m.importAccounts(x) }),
		}
}

// mixModel is the state of one scenario's entities.
type mixModel struct {
	imported map[string]bool
	groups   map[string]map[string]bool            // GroupId: members
	friends  map[string]map[string]bool            // user: friends
	lists    map[string]map[string]map[string]bool // user: friend list: friends
	convs    map[string]map[string]int             // user: conversation group: id
	lastConv map[string]int                        // user: last conversation group id handed out
	contacts map[string]map[string]map[int]bool    // user: C2C peer: conversation group ids
}

func newMixModel() *mixModel {
	return &mixModel{imported: map[string]bool{}, groups: map[string]map[string]bool{}, friends: map[string]map[string]bool{},
		lists: map[string]map[string]map[string]bool{}, convs: map[string]map[string]int{}, lastConv: map[string]int{},
		contacts: map[string]map[string]map[int]bool{}}
}

// inner returns m[k], made if missing.
func inner[K comparable, V any](m map[string]map[K]V, k string) map[K]V {
	if m[k] == nil {
		m[k] = map[K]V{}
	}
	return m[k]
}

func (m *mixModel) importAccounts(ids ...string) {
	for _, id := range ids {
		m.imported[id] = true
	}
}

// deleteAccounts deletes accounts with their memberships, friends (both
// ways, and in others' lists), lists and conversation groups.
func (m *mixModel) deleteAccounts(ids ...string) {
	for _, id := range ids {
		delete(m.imported, id)
		for _, members := range m.groups {
			delete(members, id)
		}
		delete(m.friends, id)
		delete(m.lists, id)
		for _, friends := range m.friends {
			delete(friends, id)
		}
		for _, lists := range m.lists {
			for _, l := range lists {
				delete(l, id)
			}
		}
		delete(m.convs, id)
		delete(m.lastConv, id)
		delete(m.contacts, id)
	}
}

func (m *mixModel) createGroup(g string, members ...string) {
	m.groups[g] = map[string]bool{}
	m.addMembers(g, members...)
}

func (m *mixModel) addMembers(g string, ids ...string) {
	for _, id := range ids {
		m.groups[g][id] = true
	}
}

func (m *mixModel) removeMembers(g string, ids ...string) {
	for _, id := range ids {
		delete(m.groups[g], id)
	}
}

// addFriends adds friends both ways, into from's list if one is named.
func (m *mixModel) addFriends(from, list string, to ...string) {
	for _, id := range to {
		inner(m.friends, from)[id] = true
		inner(m.friends, id)[from] = true
		if list != "" {
			inner(inner(m.lists, from), list)[id] = true
		}
	}
}

// deleteFriends removes friends both ways, and from every list.
func (m *mixModel) deleteFriends(from string, to ...string) {
	for _, id := range to {
		delete(m.friends[from], id)
		delete(m.friends[id], from)
		for _, l := range m.lists[from] {
			delete(l, id)
		}
		for _, l := range m.lists[id] {
			delete(l, from)
		}
	}
}

// addLists creates the lists that do not exist and fills those it created.
func (m *mixModel) addLists(from string, names []string, to ...string) {
	for _, name := range names {
		if _, ok := m.lists[from][name]; ok {
			continue
		}
		l := inner(inner(m.lists, from), name)
		for _, id := range to {
			l[id] = true
		}
	}
}

func (m *mixModel) deleteLists(from string, names ...string) {
	for _, name := range names {
		delete(m.lists[from], name)
	}
}

func (m *mixModel) createConv(user, name string, peers ...string) {
	m.lastConv[user]++
	inner(m.convs, user)[name] = m.lastConv[user]
	m.addToConv(user, name, peers...)
}

func (m *mixModel) addToConv(user, name string, peers ...string) {
	id := m.convs[user][name]
	for _, p := range peers {
		inner(inner(m.contacts, user), p)[id] = true
	}
}

// deleteConv deletes a conversation group; its conversations stay.
func (m *mixModel) deleteConv(user, name string) {
	id := m.convs[user][name]
	delete(m.convs[user], name)
	for _, ids := range m.contacts[user] {
		delete(ids, id)
	}
}

func (m *mixModel) relation(a, b string) string {
	switch ab, ba := m.friends[a][b], m.friends[b][a]; {
	case ab && ba:
		return "CheckResult_Type_BothWay"
	case ab:
		return "CheckResult_Type_AWithB"
	case ba:
		return "CheckResult_Type_BWithA"
	}
	return "CheckResult_Type_NoRelation"
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedInts(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}

func listOf(ids []string) string {
	ids = slices.Clone(ids)
	sort.Strings(ids)
	return "[" + strings.Join(ids, " ") + "]"
}

// render writes the state of the scope in the form observe reads it.
func (m *mixModel) render(sc mixScope) string {
	var b strings.Builder
	for _, a := range sc.accounts {
		fmt.Fprintf(&b, "account %s imported %v\n", a, m.imported[a])
	}
	for _, g := range sc.groups {
		if members, ok := m.groups[g]; ok {
			fmt.Fprintf(&b, "group %s info %s %d\n", g, listOf(sortedKeys(members)), len(members))
			fmt.Fprintf(&b, "group %s members %s %d\n", g, listOf(sortedKeys(members)), len(members))
		} else {
			fmt.Fprintf(&b, "group %s info absent\ngroup %s members absent\n", g, g)
		}
	}
	for _, a := range sc.joined {
		if !m.imported[a] {
			continue
		}
		var in []string
		for g, members := range m.groups {
			if members[a] {
				in = append(in, g)
			}
		}
		fmt.Fprintf(&b, "joined %s %s\n", a, listOf(in))
	}
	for _, u := range sc.sns {
		if m.imported[u] {
			m.renderSNS(&b, u, sc.accounts)
		}
	}
	for _, u := range sc.contacts {
		if m.imported[u] {
			m.renderContacts(&b, u)
		}
	}
	return b.String()
}

// renderSNS writes u's friends, lists and relations with the accounts.
func (m *mixModel) renderSNS(b *strings.Builder, u string, accounts []string) {
	for _, f := range sortedKeys(m.friends[u]) {
		var lists []string
		for name, l := range m.lists[u] {
			if l[f] {
				lists = append(lists, name)
			}
		}
		fmt.Fprintf(b, "friend %s %s lists %s\n", u, f, listOf(lists))
	}
	for _, name := range sortedKeys(m.lists[u]) {
		fmt.Fprintf(b, "list %s %s %s\n", u, name, listOf(sortedKeys(m.lists[u][name])))
	}
	for _, a := range accounts {
		if a != u {
			fmt.Fprintf(b, "relation %s %s %s\n", u, a, m.relation(u, a))
		}
	}
}

// renderContacts writes u's conversation groups and conversations.
func (m *mixModel) renderContacts(b *strings.Builder, u string) {
	for _, name := range sortedKeys(m.convs[u]) {
		fmt.Fprintf(b, "convgroup %s %s %d\n", u, name, m.convs[u][name])
	}
	for _, p := range sortedKeys(m.contacts[u]) {
		fmt.Fprintf(b, "conversation %s %s %v\n", u, p, sortedInts(m.contacts[u][p]))
	}
}

// Items of the replies observe reads.
type (
	mixFriend struct {
		To_Account string
		ValueItem  []struct {
			Tag   string
			Value json.RawMessage
		}
	}
	mixList struct {
		GroupName  string
		To_Account []string
	}
	mixConversation struct {
		Type           int
		To_Account     string
		ContactGroupId []int
	}
	mixConvGroup struct {
		GroupName string
		GroupId   int
	}
)

// observe reads the state of the scope through the REST API and writes it
// as render does.
func observe(c *mixClient, sc mixScope) (string, error) {
	var b strings.Builder
	imported, err := observeAccounts(c, &b, sc.accounts)
	if err != nil {
		return "", err
	}
	for _, g := range sc.groups {
		if err := observeGroup(c, &b, g); err != nil {
			return "", err
		}
	}
	for _, a := range sc.joined {
		if !imported[a] {
			continue
		}
		if err := observeJoined(c, &b, a); err != nil {
			return "", err
		}
	}
	for _, u := range sc.sns {
		if !imported[u] {
			continue
		}
		if err := observeSNS(c, &b, u, sc.accounts); err != nil {
			return "", err
		}
	}
	for _, u := range sc.contacts {
		if !imported[u] {
			continue
		}
		if err := observeContacts(c, &b, u); err != nil {
			return "", err
		}
	}
	return b.String(), nil
}

// observeAccounts writes whether each account is imported, and returns it.
func observeAccounts(c *mixClient, b *strings.Builder, accounts []string) (map[string]bool, error) {
	var check struct {
		ResultItem []struct{ UserID, AccountStatus string }
	}
	if err := c.read(svcLogin, "account_check", obj{"CheckItem": items(accounts)}, &check); err != nil {
		return nil, err
	}
	imported := map[string]bool{}
	for _, it := range check.ResultItem {
		imported[it.UserID] = it.AccountStatus == "Imported"
	}
	for _, a := range accounts {
		fmt.Fprintf(b, "account %s imported %v\n", a, imported[a])
	}
	return imported, nil
}

// mixMember is a member in a reply observe reads.
type mixMember struct{ Member_Account string }

// mixAccountsOf lists the members' accounts.
func mixAccountsOf(ms []mixMember) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = m.Member_Account
	}
	return out
}

// observeGroup writes group g's members as get_group_info and
// get_group_member_info give them, or that it is absent.
func observeGroup(c *mixClient, b *strings.Builder, g string) error {
	var info struct {
		GroupInfo []struct {
			ErrorCode  int
			MemberNum  int
			MemberList []mixMember
		}
	}
	if err := c.read(svcGroup, "get_group_info", obj{"GroupIdList": []string{g}}, &info); err != nil {
		return err
	}
	switch gi := info.GroupInfo; {
	case len(gi) != 1:
		return fmt.Errorf("get_group_info %s: %d items", g, len(gi))
	case gi[0].ErrorCode == 10010:
		fmt.Fprintf(b, "group %s info absent\n", g)
	case gi[0].ErrorCode != 0:
		return fmt.Errorf("get_group_info %s: ErrorCode %d", g, gi[0].ErrorCode)
	default:
		fmt.Fprintf(b, "group %s info %s %d\n", g, listOf(mixAccountsOf(gi[0].MemberList)), gi[0].MemberNum)
	}
	r, err := c.call(svcGroup, "get_group_member_info", mixJSON(obj{"GroupId": g}))
	if err != nil {
		return err
	}
	var mi struct {
		MemberNum  int
		MemberList []mixMember
	}
	switch code(r) {
	case 10010:
		fmt.Fprintf(b, "group %s members absent\n", g)
	case 0:
		if err := json.Unmarshal([]byte(r.Raw), &mi); err != nil {
			return err
		}
		fmt.Fprintf(b, "group %s members %s %d\n", g, listOf(mixAccountsOf(mi.MemberList)), mi.MemberNum)
	default:
		return fmt.Errorf("get_group_member_info %s: %s", g, r.Raw)
	}
	return nil
}

// observeJoined writes the groups a has joined.
func observeJoined(c *mixClient, b *strings.Builder, a string) error {
	var joined struct {
		GroupIdList []struct{ GroupId string }
	}
	if err := c.read(svcGroup, "get_joined_group_list", obj{"Member_Account": a}, &joined); err != nil {
		return err
	}
	var in []string
	for _, g := range joined.GroupIdList {
		in = append(in, g.GroupId)
	}
	fmt.Fprintf(b, "joined %s %s\n", a, listOf(in))
	return nil
}

// observeSNS writes u's friends with their lists, u's lists, and u's
// relations with the other accounts.
func observeSNS(c *mixClient, b *strings.Builder, u string, accounts []string) error {
	var friends struct {
		UserDataItem []mixFriend
		CompleteFlag int
	}
	if err := c.read(svcSNS, "friend_get", obj{"From_Account": u, "StartIndex": 0}, &friends); err != nil {
		return err
	}
	if friends.CompleteFlag != 1 {
		return fmt.Errorf("friend_get %s: more than a page", u)
	}
	slices.SortFunc(friends.UserDataItem, func(a, b mixFriend) int { return strings.Compare(a.To_Account, b.To_Account) })
	for _, f := range friends.UserDataItem {
		var lists []string
		for _, v := range f.ValueItem {
			if v.Tag == "Tag_SNS_IM_Group" {
				if err := json.Unmarshal(v.Value, &lists); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(b, "friend %s %s lists %s\n", u, f.To_Account, listOf(lists))
	}
	var lists struct{ ResultItem []mixList }
	if err := c.read(svcSNS, "group_get", obj{"From_Account": u, "NeedFriend": "Need_Friend_Type_Yes"}, &lists); err != nil {
		return err
	}
	slices.SortFunc(lists.ResultItem, func(a, b mixList) int { return strings.Compare(a.GroupName, b.GroupName) })
	for _, l := range lists.ResultItem {
		fmt.Fprintf(b, "list %s %s %s\n", u, l.GroupName, listOf(l.To_Account))
	}
	var others []string
	for _, a := range accounts {
		if a != u {
			others = append(others, a)
		}
	}
	var rel struct {
		InfoItem []struct{ To_Account, Relation string }
	}
	if err := c.read(svcSNS, "friend_check", obj{"From_Account": u, "To_Account": others, "CheckType": "CheckResult_Type_Both"}, &rel); err != nil {
		return err
	}
	for _, it := range rel.InfoItem {
		fmt.Fprintf(b, "relation %s %s %s\n", u, it.To_Account, it.Relation)
	}
	return nil
}

// observeContacts writes u's conversation groups and conversations.
func observeContacts(c *mixClient, b *strings.Builder, u string) error {
	var cg struct {
		ContactItem  []mixConversation
		GroupItem    []mixConvGroup
		CompleteFlag int
	}
	if err := c.read(svcContact, "get_contact_group", obj{"From_Account": u, "StartIndex": 0}, &cg); err != nil {
		return err
	}
	if cg.CompleteFlag != 1 {
		return fmt.Errorf("get_contact_group %s: more than a page", u)
	}
	slices.SortFunc(cg.GroupItem, func(a, b mixConvGroup) int { return strings.Compare(a.GroupName, b.GroupName) })
	for _, g := range cg.GroupItem {
		fmt.Fprintf(b, "convgroup %s %s %d\n", u, g.GroupName, g.GroupId)
	}
	slices.SortFunc(cg.ContactItem, func(a, b mixConversation) int { return strings.Compare(a.To_Account, b.To_Account) })
	for _, k := range cg.ContactItem {
		ids := slices.Clone(k.ContactGroupId)
		if ids == nil {
			ids = []int{}
		}
		sort.Ints(ids)
		if k.Type != 1 {
			return fmt.Errorf("get_contact_group %s: a conversation of type %d", u, k.Type)
		}
		fmt.Fprintf(b, "conversation %s %s %v\n", u, k.To_Account, ids)
	}
	return nil
}
