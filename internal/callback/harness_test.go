package callback_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// The app every test delivers for, and the REST caller its ops come from.
const (
	testApp  = 1400000042
	clientIP = "10.1.2.3"
)

// fixedNow is the store clock of tests that need deterministic EventTimes.
// It must lie in the past: an event is due at its commit time, and the sender
// compares that with the real clock.
var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// fastRetry is a short schedule: at once, then twice 20 ms later.
var fastRetry = []time.Duration{0, 20 * time.Millisecond, 20 * time.Millisecond}

// okReply is what a well-behaved receiver answers.
const okReply = `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`

// hit is one request the test receiver got.
type hit struct {
	At       time.Time
	ID       string // webhook-id
	EventID  int64  // the event id the webhook-id ends in
	Path     string
	RawQuery string
	Query    url.Values
	Header   http.Header
	Body     []byte
	Command  string // the body's CallbackCommand
	GroupID  string // the body's GroupId
	N        int    // requests with this webhook-id so far, this one included
}

// receiver is a real HTTP server standing for the app backend. It records
// every request and checks every signature on it with code of its own (not
// timd's): Tencent's Sign when token is set, Standard Webhooks' when secrets
// are. respond answers; nil answers 200 with okReply.
type receiver struct {
	t       testing.TB
	srv     *httptest.Server
	appID   uint64 // the SdkAppid expected: testApp unless set
	token   string
	secrets []string
	respond func(w http.ResponseWriter, r *http.Request, h hit)

	mu             sync.Mutex
	hits           []hit
	perID          map[string]int
	inflight       int
	maxInflight    int
	keyInflight    map[string]int
	maxKeyInflight int
	verified       int // signatures checked and found good
}

// newReceiver starts a receiver; it is closed when t ends, after the
// cleanups registered later (the sender's, the store's) have run.
func newReceiver(t testing.TB, respond func(w http.ResponseWriter, r *http.Request, h hit)) *receiver {
	rc := &receiver{t: t, appID: testApp, respond: respond, perID: map[string]int{}, keyInflight: map[string]int{}}
	rc.srv = httptest.NewServer(rc)
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		rc.t.Errorf("receiver: read body: %v", err)
	}
	h := hit{At: time.Now(), ID: r.Header.Get("webhook-id"), Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Query: r.URL.Query(), Header: r.Header.Clone(), Body: body}
	if i := strings.LastIndexByte(h.ID, '_'); i >= 0 {
		h.EventID, _ = strconv.ParseInt(h.ID[i+1:], 10, 64)
	}
	var fields struct{ CallbackCommand, GroupId string }
	_ = json.Unmarshal(body, &fields)
	h.Command, h.GroupID = fields.CallbackCommand, fields.GroupId
	good := rc.verify(r, h)

	rc.mu.Lock()
	rc.perID[h.ID]++
	h.N = rc.perID[h.ID]
	rc.hits = append(rc.hits, h)
	rc.verified += good
	rc.inflight++
	rc.maxInflight = max(rc.maxInflight, rc.inflight)
	rc.keyInflight[h.GroupID]++
	rc.maxKeyInflight = max(rc.maxKeyInflight, rc.keyInflight[h.GroupID])
	rc.mu.Unlock()
	defer func() {
		rc.mu.Lock()
		rc.inflight--
		rc.keyInflight[h.GroupID]--
		rc.mu.Unlock()
	}()

	if rc.respond != nil {
		rc.respond(w, r, h)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, okReply)
}

// verify checks what every delivery must carry and returns how many
// signatures it verified.
func (rc *receiver) verify(r *http.Request, h hit) int {
	t, q, now := rc.t, r.URL.Query(), time.Now()
	if r.Method != http.MethodPost {
		t.Errorf("receiver: method %s", r.Method)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("receiver: Content-Type %q", ct)
	}
	if got := q.Get("SdkAppid"); got != strconv.FormatUint(rc.appID, 10) {
		t.Errorf("receiver: SdkAppid %q", got)
	}
	if got := q.Get("CallbackCommand"); got != h.Command {
		t.Errorf("receiver: CallbackCommand %q in the query, %q in the body", got, h.Command)
	}
	if h.ID == "" {
		t.Errorf("receiver: no webhook-id")
	}
	ts, err := strconv.ParseInt(r.Header.Get("webhook-timestamp"), 10, 64)
	if err != nil || absDur(now.Sub(time.Unix(ts, 0))) > 10*time.Second {
		t.Errorf("receiver: webhook-timestamp %q is not unix seconds near now (%v)", r.Header.Get("webhook-timestamp"), err)
	}
	good := 0
	if rc.token == "" {
		if q.Has("Sign") || q.Has("RequestTime") {
			t.Errorf("receiver: Sign/RequestTime without a token: %s", r.URL.RawQuery)
		}
	} else {
		rt, err := strconv.ParseInt(q.Get("RequestTime"), 10, 64)
		if err != nil || absDur(now.Sub(time.Unix(rt, 0))) > time.Minute {
			t.Errorf("receiver: RequestTime %q is not unix seconds within a minute of now", q.Get("RequestTime"))
		}
		sum := sha256.Sum256([]byte(rc.token + q.Get("RequestTime")))
		if want := hex.EncodeToString(sum[:]); q.Get("Sign") != want {
			t.Errorf("receiver: Sign %q, want %q", q.Get("Sign"), want)
		} else {
			good++
		}
	}
	sigHeader, hasSig := r.Header["Webhook-Signature"]
	if len(rc.secrets) == 0 {
		if hasSig {
			t.Errorf("receiver: webhook-signature without a secret: %q", sigHeader)
		}
		return good
	}
	if len(sigHeader) != 1 {
		t.Errorf("receiver: webhook-signature headers %q", sigHeader)
		return good
	}
	for _, secret := range rc.secrets {
		if verifyStandardWebhook(secret, h.ID, r.Header.Get("webhook-timestamp"), h.Body, sigHeader[0]) {
			good++
		} else {
			t.Errorf("receiver: no signature in %q verifies with %s", sigHeader[0], secret)
		}
	}
	return good
}

// verifyStandardWebhook checks a webhook-signature header the way the
// Standard Webhooks 1.0 specification tells receivers to: the key is the
// base64 after "whsec_", the signed content id.timestamp.body, the signature
// base64 (standard) HMAC-SHA256 prefixed "v1,", several space-separated.
func verifyStandardWebhook(secret, id, timestamp string, body []byte, header string) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + timestamp + "." + string(body)))
	want := mac.Sum(nil)
	for _, sig := range strings.Split(header, " ") {
		version, b64, ok := strings.Cut(sig, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// URL is where the app's callbacks go.
func (rc *receiver) URL() string { return rc.srv.URL + "/cb" }

// Hits returns a copy of the requests so far, in arrival order.
func (rc *receiver) Hits() []hit {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.hits)
}

// hitsOf returns the requests of one group, in arrival order.
func (rc *receiver) hitsOf(groupID string) []hit {
	var out []hit
	for _, h := range rc.Hits() {
		if h.GroupID == groupID {
			out = append(out, h)
		}
	}
	return out
}

func (rc *receiver) maxInFlight() (all, perKey int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.maxInflight, rc.maxKeyInflight
}

func (rc *receiver) verifiedCount() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return rc.verified
}

// hang blocks until the client gives up (its timeout) or 10 s pass.
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

// hijackClose drops the connection without an answer: a transport error.
func hijackClose(t testing.TB, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	conn.Close()
}

// env is a store with accounts, an app whose callbacks go to a receiver, and
// (after start) a sender delivering them.
type env struct {
	t      testing.TB
	db     *sqlstore.DB
	app    *im.App
	op     im.Op
	sender atomic.Pointer[callback.Sender]
	stop   func() // stops the sender start ran last
}

// accounts are imported into every env.
var accounts = func() []string {
	ids := []string{"administrator", "alice", "bob", "carol", "dave"}
	for i := range 20 {
		ids = append(ids, fmt.Sprintf("u%02d", i))
	}
	return ids
}()

// newEnv opens a store on dsn (clock now; nil is the real clock) whose
// commits wake the sender, with an app whose callbacks go to url on
// fastRetry; cfg may change the app's callback settings.
func newEnv(t testing.TB, dsn, url string, now func() time.Time, cfg func(*im.CallbackConfig)) *env {
	t.Helper()
	e := &env{t: t}
	e.app = &im.App{SDKAppID: testApp, Admins: []string{"administrator"}, Edition: im.EditionUltimate,
		Callback: im.CallbackConfig{URL: url, Timeout: 5 * time.Second, Retry: fastRetry, Concurrency: 8}}
	if cfg != nil {
		cfg(&e.app.Callback)
	}
	e.op = im.Op{App: e.app, Operator: "administrator", ClientIP: clientIP}
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Now: now, OnEvents: func() {
		if s := e.sender.Load(); s != nil {
			s.Kick()
		}
	}})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	e.db = db
	var imp []im.AccountImport
	for _, id := range accounts {
		imp = append(imp, im.AccountImport{UserID: id})
	}
	if err := db.ImportAccounts(context.Background(), testApp, imp); err != nil {
		t.Fatal(err)
	}
	return e
}

// start runs a sender for the env's app on o (Store, Apps and, unless set,
// a 10 ms Poll filled in) until t ends; it is stopped before the store
// closes, and must then return once its deliveries in flight are done.
func (e *env) start(o callback.Options) *callback.Sender {
	e.t.Helper()
	if o.Store == nil {
		o.Store = e.db
	}
	o.Apps = []*im.App{e.app}
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	s := callback.NewSender(o)
	e.sender.CompareAndSwap(nil, s)
	e.stop = runSender(e.t, s)
	return s
}

// runSender runs s until t ends or stop is called, which returns once Run
// has.
func runSender(t testing.TB, s *callback.Sender) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		s.Run(ctx)
		close(done)
	}()
	stop = func() {
		cancel()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Errorf("Run did not return within 15 s of its context ending")
		}
	}
	t.Cleanup(stop)
	return stop
}

// newGroup describes a Public group with a custom id.
func newGroup(id, owner string, members ...string) im.NewGroup {
	ng := im.NewGroup{Group: im.Group{GroupID: id, Type: im.GroupPublic, Name: "n-" + id, Owner: owner,
		MaxMemberNum: im.MemberCap(im.GroupPublic), ApplyJoin: "NeedPermission", InviteJoin: "FreeAccess"}, CustomID: true}
	for _, m := range members {
		ng.Members = append(ng.Members, im.Member{UserID: m, Role: im.RoleMember})
	}
	return ng
}

func (e *env) create(id, owner string, members ...string) {
	e.t.Helper()
	if _, err := e.db.CreateGroup(context.Background(), e.op, newGroup(id, owner, members...)); err != nil {
		e.t.Fatalf("create %s: %v", id, err)
	}
}

func (e *env) add(id string, users ...string) {
	e.t.Helper()
	if _, err := e.db.AddMembers(context.Background(), e.op, id, users); err != nil {
		e.t.Fatalf("add to %s: %v", id, err)
	}
}

func (e *env) del(id string, users ...string) {
	e.t.Helper()
	if err := e.db.DeleteMembers(context.Background(), e.op, id, users); err != nil {
		e.t.Fatalf("delete from %s: %v", id, err)
	}
}

func (e *env) destroy(id string) {
	e.t.Helper()
	if err := e.db.DestroyGroup(context.Background(), e.op, id); err != nil {
		e.t.Fatalf("destroy %s: %v", id, err)
	}
}

// events lists every event of the app, oldest first.
func (e *env) events() []im.Event {
	e.t.Helper()
	evs, err := e.db.ListEvents(context.Background(), testApp, im.EventFilter{Limit: 1 << 20})
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// event returns one event of the app.
func (e *env) event(id int64) im.Event {
	e.t.Helper()
	for _, ev := range e.events() {
		if ev.ID == id {
			return ev
		}
	}
	e.t.Fatalf("no event %d", id)
	return im.Event{}
}

// eventsOf returns a key's events, oldest first.
func (e *env) eventsOf(key string) []im.Event {
	e.t.Helper()
	evs, err := e.db.ListEvents(context.Background(), testApp, im.EventFilter{Key: key, Limit: 1 << 20})
	if err != nil {
		e.t.Fatal(err)
	}
	return evs
}

// waitSettled waits until no event is pending: each delivered or dead.
func (e *env) waitSettled(d time.Duration) []im.Event {
	e.t.Helper()
	var evs []im.Event
	waitFor(e.t, d, "every event delivered or dead", func() bool {
		evs = e.events()
		return !slices.ContainsFunc(evs, func(ev im.Event) bool { return ev.State == im.EventPending })
	})
	return evs
}

// waitFor polls cond until it holds, failing t after d.
func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up after %v waiting for %s", d, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
