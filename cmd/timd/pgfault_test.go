package main

// Process-level fault tests on PostgreSQL: a real timd binary while its
// database server is crashed and restarted, and two real timd processes on
// one database when one of them is killed while it holds callback claims.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to read delivery claims

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// timdProc is a running timd process.
type timdProc struct {
	name   string
	cmd    *exec.Cmd
	base   string
	stderr *syncBuffer
	exited chan struct{} // closed when the process has exited
}

// startTimd runs the timd binary with env, waits until it serves and kills
// it when the test ends, logging its stderr if the test failed.
func startTimd(t *testing.T, name, bin string, env []string) *timdProc {
	t.Helper()
	p := &timdProc{name: name, cmd: exec.Command(bin), stderr: &syncBuffer{}, exited: make(chan struct{})}
	stdout := &syncBuffer{}
	env, readyPath := withReadyFile(t, env)
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = env, stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("timd %s stderr (last 8000 bytes):\n%s", name, tail(p.stderr.String(), 8000))
		}
	})
	info, err := awaitReady(readyPath, p.exited, 30*time.Second)
	if err != nil {
		t.Fatalf("timd %s did not start (%v, %v):\n%s\n%s", name, err, p.cmd.ProcessState, stdout, p.stderr)
	}
	p.base = info.URL
	return p
}

// mustBeRunning fails the test if the process has exited.
func (p *timdProc) mustBeRunning(t *testing.T, when string) {
	t.Helper()
	select {
	case <-p.exited:
		t.Fatalf("timd %s exited %s: %v", p.name, when, p.cmd.ProcessState)
	default:
	}
}

// checkNoPanic fails the test if the process logged a panic or a data race.
func (p *timdProc) checkNoPanic(t *testing.T) {
	t.Helper()
	out := p.stderr.String()
	for _, bad := range []string{"panic:", "fatal error:", "DATA RACE"} {
		if strings.Contains(out, bad) {
			t.Errorf("timd %s logged %q", p.name, bad)
		}
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// faultClient calls one timd process as the app admin from any goroutine.
type faultClient struct {
	hc   *http.Client
	base string
	app  uint64
	sig  string
}

// call sends a REST call and returns the reply's ErrorCode and raw text; an
// error means no HTTP 200 JSON envelope came back.
func (c *faultClient) call(service, command, body string) (int, string, error) {
	r, err := tryPost(c.hc, CallURL(c.base, service, command, c.app, "administrator", c.sig), body)
	if err != nil {
		return -1, r.Raw, err
	}
	n, ok := r.M["ErrorCode"].(json.Number)
	if !ok {
		return -1, r.Raw, fmt.Errorf("ErrorCode is not a number: %s", r.Raw)
	}
	code, _ := n.Int64()
	return int(code), r.Raw, nil
}

// mustCall is call for the test's goroutine: it fails unless the reply
// has ErrorCode code.
func (c *faultClient) mustCall(t *testing.T, code int, service, command, body string) string {
	t.Helper()
	got, raw, err := c.call(service, command, body)
	if err != nil || got != code {
		t.Fatalf("%s/%s %s: ErrorCode %d (%v), want %d: %s", service, command, body, got, err, code, raw)
	}
	return raw
}

// ready returns the HTTP status of /readyz, or an error.
func (c *faultClient) ready() (int, error) {
	resp, err := c.hc.Get(c.base + "/readyz")
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, err
}

// faultLoad is a write load of group and account commands against one timd
// process that remembers what was answered OK.
type faultLoad struct {
	c *faultClient
	// allowed are the non-zero codes a command may answer, by service;
	// anything else, or no HTTP 200 envelope, is unexpected.
	allowed map[string]map[int]bool
	// killed makes a worker stop at its first failed call and a call
	// without a reply expected: the process is about to be killed.
	killed bool
	// maxGroups bounds the groups of each group worker; 0 means no bound.
	maxGroups int

	stop        atomic.Bool
	wg          sync.WaitGroup
	ok, failed  atomic.Int64
	slowestFail atomic.Int64 // nanoseconds of the slowest failed call

	mu                        sync.Mutex
	created, added, dismissed map[string]bool // answered OK
	destroying                map[string]bool // destroy_group sent, whatever its reply
	imported                  map[string]bool
	codes                     map[string]int // "service/command code" -> failed replies
	unexpected                []string
}

func newFaultLoad(c *faultClient, allowed map[string]map[int]bool) *faultLoad {
	return &faultLoad{c: c, allowed: allowed, created: map[string]bool{}, added: map[string]bool{},
		dismissed: map[string]bool{}, destroying: map[string]bool{}, imported: map[string]bool{}, codes: map[string]int{}}
}

// do sends one call and reports whether it answered OK; failures are
// counted and checked against allowed.
func (l *faultLoad) do(service, command, body string) bool {
	began := time.Now()
	code, raw, err := l.c.call(service, command, body)
	if err == nil && code == 0 {
		l.ok.Add(1)
		return true
	}
	l.failed.Add(1)
	if d := int64(time.Since(began)); d > l.slowestFail.Load() {
		l.slowestFail.Store(d) // a figure for the log; races only lose a maximum
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.codes[fmt.Sprintf("%s/%s %d", service, command, code)]++
	if (err != nil && !l.killed) || (err == nil && !l.allowed[service][code]) {
		if len(l.unexpected) < 20 {
			l.unexpected = append(l.unexpected, fmt.Sprintf("%s/%s %s: ErrorCode %d, %v: %s", service, command, body, code, err, raw))
		}
	}
	return false
}

// record marks id in set, under the lock.
func (l *faultLoad) record(set map[string]bool, id string) {
	l.mu.Lock()
	set[id] = true
	l.mu.Unlock()
}

// start runs groupWorkers workers that create a group, add a member and
// dismiss every second group, and accountWorkers that import accounts. A
// failed call ends the worker's current group (its outcome is unknown, so
// the group is not retried) after a short pause.
func (l *faultLoad) start(prefix string, groupWorkers, accountWorkers int) {
	pause := func() { time.Sleep(20 * time.Millisecond) }
	for w := range groupWorkers {
		l.wg.Go(func() {
			for i := 0; !l.stop.Load() && (l.maxGroups == 0 || i < l.maxGroups); i++ {
				id := fmt.Sprintf("%s-g%d-%d", prefix, w, i)
				if !l.do("group_open_http_svc", "create_group", `{"Type":"Public","Name":"n","GroupId":"`+id+`","Owner_Account":"a"}`) {
					if l.killed {
						return
					}
					pause()
					continue
				}
				l.record(l.created, id)
				if !l.do("group_open_http_svc", "add_group_member", `{"GroupId":"`+id+`","MemberList":[{"Member_Account":"b"}]}`) {
					if l.killed {
						return
					}
					pause()
					continue
				}
				l.record(l.added, id)
				if i%2 == 0 {
					l.record(l.destroying, id)
					if !l.do("group_open_http_svc", "destroy_group", `{"GroupId":"`+id+`"}`) {
						if l.killed {
							return
						}
						pause()
						continue
					}
					l.record(l.dismissed, id)
				}
			}
		})
	}
	for w := range accountWorkers {
		l.wg.Go(func() {
			for i := 0; !l.stop.Load(); i++ {
				id := fmt.Sprintf("%s-u%d-%d", prefix, w, i)
				if !l.do("im_open_login_svc", "account_import", `{"UserID":"`+id+`","Nick":"N"}`) {
					if l.killed {
						return
					}
					pause()
					continue
				}
				l.record(l.imported, id)
			}
		})
	}
}

// halt stops the workers and waits for them.
func (l *faultLoad) halt() {
	l.stop.Store(true)
	l.wg.Wait()
}

// checkNoUnexpected fails the test for every reply outside allowed.
func (l *faultLoad) checkNoUnexpected(t *testing.T) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, u := range l.unexpected {
		t.Errorf("unexpected reply: %s", u)
	}
}

// checkStored checks every change answered OK is in the store: created
// groups exist (with member b once added) unless dismissed, dismissed ones
// answer 10010, imported accounts are Imported. A group whose dismissal got
// no OK (an error, or no reply from a killed process) may be either.
func (l *faultLoad) checkStored(t *testing.T, c *faultClient) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var ids []string
	for id := range l.created {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for len(ids) > 0 {
		batch := ids[:min(len(ids), im.MaxGroupInfoBatch)]
		ids = ids[len(batch):]
		body, _ := json.Marshal(map[string]any{"GroupIdList": batch})
		raw := c.mustCall(t, 0, "group_open_http_svc", "get_group_info", string(body))
		var r struct {
			GroupInfo []struct {
				GroupId    string
				ErrorCode  int
				MemberList []struct{ Member_Account string }
			}
		}
		if err := json.Unmarshal([]byte(raw), &r); err != nil || len(r.GroupInfo) != len(batch) {
			t.Fatalf("get_group_info %s: %v: %s", body, err, raw)
		}
		for _, g := range r.GroupInfo {
			switch {
			case l.dismissed[g.GroupId]:
				if g.ErrorCode != im.CodeGroupNotFound {
					t.Errorf("group %s was dismissed (OK) but get_group_info answers %d", g.GroupId, g.ErrorCode)
				}
			case g.ErrorCode == im.CodeGroupNotFound && l.destroying[g.GroupId]:
			case g.ErrorCode != 0:
				t.Errorf("group %s was created (OK) but get_group_info answers %d", g.GroupId, g.ErrorCode)
			case l.added[g.GroupId]:
				found := false
				for _, m := range g.MemberList {
					found = found || m.Member_Account == "b"
				}
				if !found {
					t.Errorf("b was added to group %s (OK) but is not a member: %+v", g.GroupId, g.MemberList)
				}
			}
		}
	}
	var accounts []string
	for id := range l.imported {
		accounts = append(accounts, id)
	}
	sort.Strings(accounts)
	for len(accounts) > 0 {
		batch := accounts[:min(len(accounts), 100)]
		accounts = accounts[len(batch):]
		raw := c.mustCall(t, 0, "im_open_login_svc", "account_check", mustJSON(map[string]any{"CheckItem": items(batch)}))
		if n := strings.Count(raw, `"AccountStatus":"Imported"`); n != len(batch) {
			t.Errorf("%d of %d accounts imported (OK) are Imported: %s", n, len(batch), raw)
		}
	}
}

// checkEvents checks every change answered OK has its event among events.
func (l *faultLoad) checkEvents(t *testing.T, events []loggedEvent) {
	t.Helper()
	have := map[string]bool{}
	for _, ev := range events {
		have[ev.CallbackCommand+" "+ev.Key] = true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range []struct {
		set     map[string]bool
		command string
	}{
		{l.created, "Group.CallbackAfterCreateGroup"},
		{l.added, "Group.CallbackAfterNewMemberJoin"},
		{l.dismissed, "Group.CallbackAfterGroupDestroyed"},
	} {
		for id := range c.set {
			if !have[c.command+" "+id] {
				t.Errorf("%s of %s answered OK but has no event", c.command, id)
			}
		}
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// afterCallbacks are the callbacks of the load: no before-callback, which
// the receivers do not answer.
const afterCallbacks = "Group.CallbackAfterCreateGroup,Group.CallbackAfterNewMemberJoin,Group.CallbackAfterGroupDestroyed"

// loggedEvent is an event of the delivery log.
type loggedEvent struct {
	Id              int64
	CallbackCommand string
	Key             string
	State           string
}

// waitDelivered waits up to d until no event is pending, then returns the
// whole delivery log.
func waitDelivered(t *testing.T, c *faultClient, d time.Duration) []loggedEvent {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		raw := c.mustCall(t, 0, "timd_callback", "list_deliveries", `{"State":"pending","Limit":1}`)
		var r struct{ Events []loggedEvent }
		if err := json.Unmarshal([]byte(raw), &r); err != nil {
			t.Fatalf("list_deliveries reply: %v: %s", err, raw)
		}
		if len(r.Events) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("events still pending after %v: %s", d, raw)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var events []loggedEvent
	for after := int64(0); ; {
		raw := c.mustCall(t, 0, "timd_callback", "list_deliveries", fmt.Sprintf(`{"AfterId":%d,"Limit":1000}`, after))
		var page struct {
			Events []loggedEvent
			Next   int64
		}
		if err := json.Unmarshal([]byte(raw), &page); err != nil {
			t.Fatalf("list_deliveries: %v: %s", err, raw)
		}
		events = append(events, page.Events...)
		if page.Next == 0 {
			return events
		}
		after = page.Next
	}
}

// Ensure timd rides out PostgreSQL restarts: a real timd process on a
// private PostgreSQL cluster, under a write load of groups and accounts with
// callbacks to a receiver, while the server is crash-restarted (pg_ctl
// restart -m immediate), restarted (-m fast), and crashed or stopped and
// held down before starting again. During an outage every call answers
// HTTP 200 with its service's internal code (70500, 10002), /readyz 503,
// and timd keeps running; once PostgreSQL is back calls succeed by
// themselves within seconds and /readyz is 200. Afterwards every change
// answered OK is in the store with its event, every event is delivered, and
// each key's events arrived first in commit order.
func TestPGFault_DatabaseRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds timd and restarts a PostgreSQL cluster")
	}
	began := time.Now()
	cluster := dbtest.StartPostgresCluster(t)
	bin := buildTimd(t)
	rc, srv := newReceiver()
	defer srv.Close()
	rc.up.Store(true)

	const appID, key = 1400000077, "pgfault-key"
	retry := strings.TrimSuffix(strings.Repeat("50ms,", 200), ",")
	// The default lease (60 s) is longer than the test waits for delivery:
	// a delivery made while the database is down must be recorded once it
	// is back, and a claim the database committed as the connection died
	// must be released by the sender, not left to the lease.
	proc := startTimd(t, "A", bin, timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+cluster.DSN,
		"TIMD_SDKAPPID="+strconv.Itoa(appID), "TIMD_SECRET_KEY="+key, "TIMD_RATE_LIMIT=off", "TIMD_MAX_CONNS=8",
		"TIMD_CALLBACK_URL="+srv.URL, "TIMD_CALLBACK_COMMANDS="+afterCallbacks, "TIMD_CALLBACK_RETRY=0s,"+retry,
		"TIMD_LOG_LEVEL=warn"))
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	defer tr.CloseIdleConnections()
	c := &faultClient{hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, base: proc.base, app: appID,
		sig: TencentSig(t, appID, key, "administrator")}
	c.mustCall(t, 0, "im_open_login_svc", "multiaccount_import", `{"Accounts":["a","b"]}`)

	load := newFaultLoad(c, map[string]map[int]bool{
		"group_open_http_svc": {im.CodeGroupInternal: true},
		"im_open_login_svc":   {im.CodeAccountInternal: true},
	})
	load.start("r", 3, 1)
	defer load.halt()

	rounds := []struct {
		mode string
		hold time.Duration // 0: pg_ctl restart; else stop, hold down, start
	}{
		{"immediate", 0},
		{"fast", 0},
		{"immediate", 1500 * time.Millisecond},
		{"fast", 1500 * time.Millisecond},
	}
	for n, round := range rounds {
		outage := &pgOutage{cluster: cluster, c: c, proc: proc, load: load, n: n, mode: round.mode, hold: round.hold}
		outage.run(t)
	}
	time.Sleep(500 * time.Millisecond)
	load.halt()
	load.checkNoUnexpected(t)
	proc.mustBeRunning(t, "after the load")

	// Every OK in the store and its event recorded; every event delivered.
	load.checkStored(t, c)
	events := waitDelivered(t, c, 20*time.Second)
	load.checkEvents(t, events)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	dups := checkDeliveredAfterOutages(t, rc, events, len(rounds))
	proc.checkNoPanic(t)
	load.mu.Lock()
	codes := fmt.Sprint(load.codes)
	load.mu.Unlock()
	t.Logf("%d calls OK, %d failed (%s), slowest failed call %v; %d groups created, %d dismissed, %d accounts imported; "+
		"%d events, all delivered, %d duplicate deliveries; %v in all",
		load.ok.Load(), load.failed.Load(), codes, time.Duration(load.slowestFail.Load()).Round(time.Millisecond),
		len(load.created), len(load.dismissed), len(load.imported), len(events), dups, time.Since(began).Round(time.Millisecond))
}

// pgOutage is round n of TestPGFault_DatabaseRestart: PostgreSQL
// restarted in mode, or, with a hold, stopped in mode, held down and
// started again, under the load.
type pgOutage struct {
	cluster *dbtest.PostgresCluster
	c       *faultClient
	proc    *timdProc
	load    *faultLoad
	n       int
	mode    string
	hold    time.Duration // 0: pg_ctl restart; else stop, hold down, start
}

// run lets the load run, makes the outage, probes timd while PostgreSQL is
// down, and checks calls succeed by themselves once it is back.
func (o *pgOutage) run(t *testing.T) {
	n, load := o.n, o.load
	okBefore := load.ok.Load()
	time.Sleep(700 * time.Millisecond) // the load runs
	if load.ok.Load() == okBefore {
		t.Fatalf("round %d: no call answered OK in 700 ms before the outage", n)
	}
	failedBefore := load.failed.Load()
	down := time.Now()
	var slowest time.Duration
	if o.hold == 0 {
		o.cluster.Restart(o.mode)
	} else {
		o.cluster.Stop(o.mode)
		slowest = o.probeDown(t)
		time.Sleep(time.Until(down.Add(o.hold)))
		o.proc.mustBeRunning(t, "while PostgreSQL was down")
		o.cluster.Start()
	}
	back := time.Now()
	recovered := o.waitRecovered(t, back)
	if st, err := o.c.ready(); err != nil || st != http.StatusOK {
		t.Errorf("round %d (%s, back): /readyz = %d, %v; want 200", n, o.mode, st, err)
	}
	o.proc.mustBeRunning(t, "after PostgreSQL came back")
	t.Logf("round %d: %s %s: down %v, calls OK again %v after, %d load calls failed, slowest probe while down %v",
		n, o.mode, map[bool]string{true: "restart", false: "stop/hold/start"}[o.hold == 0],
		back.Sub(down).Round(time.Millisecond), recovered.Round(time.Millisecond),
		load.failed.Load()-failedBefore, slowest.Round(time.Millisecond))
}

// probeDown checks that, PostgreSQL down, every call answers the internal
// code, promptly, and /readyz 503; it returns the slowest probe's time.
func (o *pgOutage) probeDown(t *testing.T) (slowest time.Duration) {
	n := o.n
	for i, probe := range []struct {
		service, command, body string
		code                   int
	}{
		{"im_open_login_svc", "account_import", fmt.Sprintf(`{"UserID":"down-%d"}`, n), im.CodeAccountInternal},
		{"im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"a"}]}`, im.CodeAccountInternal},
		{"group_open_http_svc", "create_group", fmt.Sprintf(`{"Type":"Public","Name":"n","GroupId":"down-%d","Owner_Account":"a"}`, n), im.CodeGroupInternal},
		{"group_open_http_svc", "get_group_info", `{"GroupIdList":["r-g0-0"]}`, im.CodeGroupInternal},
	} {
		t0 := time.Now()
		code, raw, err := o.c.call(probe.service, probe.command, probe.body)
		slowest = max(slowest, time.Since(t0))
		if err != nil || code != probe.code {
			t.Errorf("round %d (%s, down): probe %d %s/%s: ErrorCode %d (%v), want %d: %s",
				n, o.mode, i, probe.service, probe.command, code, err, probe.code, raw)
		}
	}
	if st, err := o.c.ready(); err != nil || st != http.StatusServiceUnavailable {
		t.Errorf("round %d (%s, down): /readyz = %d, %v; want 503", n, o.mode, st, err)
	}
	return slowest
}

// waitRecovered waits, up to 10 s from back, for calls to succeed again by
// themselves, without restarting timd, and returns how long they took.
func (o *pgOutage) waitRecovered(t *testing.T, back time.Time) time.Duration {
	for k := 0; ; k++ {
		code, _, err := o.c.call("im_open_login_svc", "account_import", fmt.Sprintf(`{"UserID":"back-%d-%d"}`, o.n, k))
		code2, _, err2 := o.c.call("group_open_http_svc", "get_group_info", `{"GroupIdList":["r-g0-0"]}`)
		if err == nil && code == 0 && err2 == nil && code2 == 0 {
			return time.Since(back)
		}
		if time.Since(back) > 10*time.Second {
			t.Fatalf("round %d (%s): calls still fail 10 s after PostgreSQL is back: %d %v, %d %v", o.n, o.mode, code, err, code2, err2)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// checkDeliveredAfterOutages checks every event is delivered, duplicates
// are at most the deliveries in flight at each outage (the app's 16
// slots), whose outcome could not be recorded, and each key's first
// deliveries are in commit order; it returns the duplicates. rc.mu is held.
func checkDeliveredAfterOutages(t *testing.T, rc *receiver, events []loggedEvent, outages int) (dups int) {
	for _, ev := range events {
		if ev.State != "delivered" {
			t.Errorf("event %d is %s", ev.Id, ev.State)
		}
		switch n := rc.count[ev.Id]; {
		case n == 0:
			t.Errorf("event %d (%s %s) was never delivered", ev.Id, ev.CallbackCommand, ev.Key)
		case n > 1:
			dups += n - 1
		}
	}
	if dups > 16*outages {
		t.Errorf("%d duplicate deliveries: more than the deliveries in flight at %d outages", dups, outages)
	}
	for k, ids := range rc.firstSeq {
		if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
			t.Errorf("key %s: first deliveries out of commit order: %v", k, ids)
		}
	}
	return dups
}

// slowReceiver is an app backend that holds each callback delivery for a
// while, so that its senders hold claims, and records which instance (the
// path of its callback URL) delivered what, when.
type slowReceiver struct {
	hold     time.Duration
	mu       sync.Mutex
	count    map[int64]int      // deliveries per event id
	firstSeq map[string][]int64 // per key, event ids in order of first delivery
	by       map[string]int     // deliveries per instance
	lastBy   map[string]map[int64]time.Time
}

func newSlowReceiver(hold time.Duration) (*slowReceiver, *httptest.Server) {
	rc := &slowReceiver{hold: hold, count: map[int64]int{}, firstSeq: map[string][]int64{}, by: map[string]int{},
		lastBy: map[string]map[int64]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
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
		// Received: it counts even if the sender dies before the reply.
		inst := strings.Trim(r.URL.Path, "/")
		rc.mu.Lock()
		if rc.count[n] == 0 {
			rc.firstSeq[ev.GroupId] = append(rc.firstSeq[ev.GroupId], n)
		}
		rc.count[n]++
		rc.by[inst]++
		if rc.lastBy[inst] == nil {
			rc.lastBy[inst] = map[int64]time.Time{}
		}
		rc.lastBy[inst][n] = time.Now()
		rc.mu.Unlock()
		time.Sleep(rc.hold)
		io.WriteString(w, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`)
	}))
	return rc, srv
}

// Ensure a dead instance's callback claims are taken over: two real timd
// processes on one PostgreSQL schema deliver to a receiver that holds each
// delivery 200 ms, so both hold claims, under a write load through both;
// one is killed with SIGKILL while it holds claims. The survivor delivers
// every event, the dead instance's claimed ones once their lease (3 s here,
// TIMD_CALLBACK_LEASE) ends; an event is delivered at most twice, twice only
// if the dead instance held it at the kill; each key's events arrived first
// in commit order; and every change answered OK has its event.
func TestPGFault_InstanceKilledClaimsTakenOver(t *testing.T) {
	if testing.Short() {
		t.Skip("builds timd and kills it")
	}
	dsn := dbtest.PostgresDSN(t)
	began := time.Now()
	bin := buildTimd(t)
	rc, srv := newSlowReceiver(200 * time.Millisecond)
	defer srv.Close()

	const lease = 3 * time.Second
	a, b, ca, cb := startTakeoverPair(t, bin, dsn, srv.URL, lease)

	db := openPG(t, dsn)
	claims := func(pid int) []int64 {
		t.Helper()
		return claimsOf(t, db, pid)
	}

	// Through A, workers stop at their first failure (A is killed); through
	// B they run their course, during the takeover too.
	noFailure := map[string]map[int]bool{}
	loadA, loadB := newFaultLoad(ca, noFailure), newFaultLoad(cb, noFailure)
	loadA.killed, loadA.maxGroups, loadB.maxGroups = true, 30, 30
	loadA.start("a", 3, 0)
	loadB.start("b", 3, 0)
	defer loadA.halt()
	defer loadB.halt()

	// Kill A once it has delivered a few dozen events and while both
	// instances hold claims.
	maxA, maxB := waitClaimsHeld(t, rc, claims, a, b)
	a.cmd.Process.Signal(syscall.SIGKILL)
	<-a.exited
	killed := time.Now()
	// A commit A sent just before it died may still land: look once the
	// server has read what A sent, long before any of A's leases ends
	// (its claims are at most one delivery old).
	time.Sleep(500 * time.Millisecond)
	held := claims(a.cmd.Process.Pid)
	if len(held) == 0 {
		t.Fatal("the killed instance held no claims")
	}
	loadA.halt()
	loadB.wg.Wait()
	loadA.checkNoUnexpected(t)
	loadB.checkNoUnexpected(t)
	b.mustBeRunning(t, "after A was killed")

	// B delivers everything, A's claims once their lease has ended.
	events := waitDelivered(t, cb, 25*time.Second)
	drained := time.Since(killed)
	loadA.checkEvents(t, events)
	loadB.checkEvents(t, events)
	loadB.checkStored(t, cb)
	loadA.checkStored(t, cb)

	rc.mu.Lock()
	defer rc.mu.Unlock()
	dups := checkDeliveredAtMostTwice(t, rc, events, held)
	// Each of A's claims went to B, no sooner than the lease allows.
	first, last := takenOver(t, rc, held, killed)
	for k, ids := range rc.firstSeq {
		if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) {
			t.Errorf("key %s: first deliveries out of commit order: %v", k, ids)
		}
	}
	b.checkNoPanic(t)
	t.Logf("%d events (%d groups through A, %d through B); claims at most %d (A) and %d (B); A killed holding %d claims; "+
		"deliveries %d by A, %d by B, %d duplicates; A's claims delivered by B %v to %v after the kill (lease %v); "+
		"all delivered %v after the kill; %v in all",
		len(events), len(loadA.created), len(loadB.created), maxA, maxB, len(held), rc.by["a"], rc.by["b"], dups,
		first.Round(time.Millisecond), last.Round(time.Millisecond), lease, drained.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
}

// openPG opens dsn for the test, closing it at the end.
func openPG(t *testing.T, dsn string) *sql.DB {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// claimsOf returns the ids of the pending events claimed by the process
// with pid (instance names are host-pid-random).
func claimsOf(t *testing.T, db *sql.DB, pid int) []int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, `SELECT id FROM events WHERE state = 'pending' AND claimed_by LIKE $1 ORDER BY id`,
		fmt.Sprintf("%%-%d-%%", pid))
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return ids
}

// waitClaimsHeld waits, up to 15 s, until A has delivered a few dozen
// events and both instances hold claims; it returns the most claims A and B
// were seen to hold.
func waitClaimsHeld(t *testing.T, rc *slowReceiver, claims func(pid int) []int64, a, b *timdProc) (maxA, maxB int) {
	deadline := time.Now().Add(15 * time.Second)
	for {
		na, nb := len(claims(a.cmd.Process.Pid)), len(claims(b.cmd.Process.Pid))
		maxA, maxB = max(maxA, na), max(maxB, nb)
		rc.mu.Lock()
		byA := rc.by["a"]
		rc.mu.Unlock()
		if na >= 6 && nb >= 3 && byA >= 30 {
			return maxA, maxB
		}
		if time.Now().After(deadline) {
			t.Fatalf("the instances never held claims together after A delivered 30 events: %d delivered by A; "+
				"claims at most %d (A) and %d (B)", byA, maxA, maxB)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkDeliveredAtMostTwice checks every event is delivered, at most twice,
// twice only if the killed instance held it; it returns the events
// delivered twice. rc.mu is held.
func checkDeliveredAtMostTwice(t *testing.T, rc *slowReceiver, events []loggedEvent, held []int64) (dups int) {
	heldSet := map[int64]bool{}
	for _, id := range held {
		heldSet[id] = true
	}
	for _, ev := range events {
		if ev.State != "delivered" {
			t.Errorf("event %d is %s", ev.Id, ev.State)
		}
		switch n := rc.count[ev.Id]; {
		case n == 0:
			t.Errorf("event %d (%s %s) was never delivered", ev.Id, ev.CallbackCommand, ev.Key)
		case n > 2:
			t.Errorf("event %d (%s %s) was delivered %d times", ev.Id, ev.CallbackCommand, ev.Key, n)
		case n == 2:
			dups++
			if !heldSet[ev.Id] {
				t.Errorf("event %d (%s %s) was delivered twice but the killed instance did not hold it", ev.Id, ev.CallbackCommand, ev.Key)
			}
		}
	}
	return dups
}

// takenOver checks the survivor delivered each event the killed instance
// held, and returns how long after the kill it delivered the first and the
// last of them. rc.mu is held.
func takenOver(t *testing.T, rc *slowReceiver, held []int64, killed time.Time) (first, last time.Duration) {
	for i, id := range held {
		at, ok := rc.lastBy["b"][id]
		if !ok {
			t.Errorf("event %d, claimed by the killed instance, was not delivered by the survivor", id)
			continue
		}
		if d := at.Sub(killed); i == 0 || d < first {
			first = d
		}
		last = max(last, at.Sub(killed))
	}
	return first, last
}

// startTakeoverPair starts TestPGFault_InstanceKilledClaimsTakenOver's two
// timd processes, A and B, on dsn with the callback lease given, delivering
// to receiverURL/a and receiverURL/b, and imports the accounts a and b.
func startTakeoverPair(t *testing.T, bin, dsn, receiverURL string, lease time.Duration) (a, b *timdProc, ca, cb *faultClient) {
	const appID, key = 1400000078, "pgfault-key"
	retry := strings.TrimSuffix(strings.Repeat("50ms,", 200), ",")
	env := func(inst string) []string {
		return timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+dsn, "TIMD_SDKAPPID="+strconv.Itoa(appID),
			"TIMD_SECRET_KEY="+key, "TIMD_RATE_LIMIT=off", "TIMD_MAX_CONNS=8", "TIMD_CALLBACK_URL="+receiverURL+"/"+inst,
			"TIMD_CALLBACK_COMMANDS="+afterCallbacks, "TIMD_CALLBACK_RETRY=0s,"+retry, "TIMD_CALLBACK_TIMEOUT=2s", "TIMD_CALLBACK_LEASE="+lease.String(),
			"TIMD_LOG_LEVEL=warn")
	}
	a = startTimd(t, "A", bin, env("a"))
	b = startTimd(t, "B", bin, env("b"))
	sig := TencentSig(t, appID, key, "administrator")
	tr := &http.Transport{MaxIdleConnsPerHost: 16}
	t.Cleanup(tr.CloseIdleConnections)
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	ca = &faultClient{hc: hc, base: a.base, app: appID, sig: sig}
	cb = &faultClient{hc: hc, base: b.base, app: appID, sig: sig}
	cb.mustCall(t, 0, "im_open_login_svc", "multiaccount_import", `{"Accounts":["a","b"]}`)
	return a, b, ca, cb
}
