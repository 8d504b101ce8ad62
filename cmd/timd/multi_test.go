package main

// Tests of several timd instances serving one PostgreSQL database at once,
// as a horizontally scaled deployment runs them. Each test starts real Mains
// on 127.0.0.1:0 in one fresh schema and is skipped unless
// TIMD_TEST_POSTGRES_DSN names a server:
//
//	TIMD_TEST_POSTGRES_DSN='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//		go test -race -run Multi ./cmd/timd/

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// startMains starts n timd servers on 127.0.0.1:0 with the TIMD_* variables
// of env (which must name TIMD_DATA), all at the same time, each Run in a
// goroutine of its own, and closes them when the test ends. It does what
// MustRunMain does, which cannot be used here: MustRunMain fails the test
// with Fatal, which only the test's own goroutine may call.
func startMains(t *testing.T, n int, env map[string]string) []*Main {
	t.Helper()
	if env["TIMD_DATA"] == "" {
		t.Fatal("startMains: env has no TIMD_DATA")
	}
	mains := make([]*Main, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range mains {
		m := NewMain()
		m.Stdout, m.Stderr = &syncBuffer{}, &syncBuffer{}
		if err := m.ParseFlags([]string{"--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }); err != nil {
			t.Fatal(err)
		}
		mains[i] = m
		wg.Go(func() {
			<-start
			errs[i] = m.Run(context.Background())
		})
	}
	close(start)
	wg.Wait()

	var failed []error
	for i, m := range mains {
		if errs[i] != nil {
			_ = m.Close() // Run's error is the one to report
			failed = append(failed, fmt.Errorf("instance %d: Run: %w\n%s", i, errs[i], m.Stderr))
			continue
		}
		t.Cleanup(func() {
			if err := m.Close(); err != nil {
				t.Errorf("instance %d: Close: %v", i, err)
			}
			if t.Failed() {
				t.Logf("instance %d stderr:\n%s", i, m.Stderr)
			}
		})
	}
	if err := errors.Join(failed...); err != nil {
		t.Fatal(err)
	}
	return mains
}

// newMultiClient returns an HTTP client for many goroutines calling a few
// instances: unlike http.DefaultClient it keeps a connection per worker
// alive instead of two per host, and it times out rather than hang the test.
func newMultiClient(t *testing.T) *http.Client {
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// tryPost is Post for any goroutine: it returns an error where Post fails
// the test.
func tryPost(hc *http.Client, u, body string) (Reply, error) {
	resp, err := hc.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		return Reply{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return Reply{}, err
	}
	r := Reply{Raw: string(raw)}
	if resp.StatusCode != http.StatusOK {
		return r, fmt.Errorf("HTTP %d: %s", resp.StatusCode, raw)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&r.M); err != nil {
		return r, fmt.Errorf("reply is not JSON: %v: %s", err, raw)
	}
	return r, nil
}

// accountReply is an im_open_login_svc reply: the envelope and the fields
// of every account command.
type accountReply struct {
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
	FailAccounts []string
	ResultItem   []struct {
		UserID        string
		ResultCode    int
		ResultInfo    string
		AccountStatus string
	}
}

// adminClient calls one instance's account commands as the app admin. Its
// UserSig is made once by Tencent's library, in the test's goroutine, so its
// methods are safe for concurrent use and return errors rather than fail the
// test; every error names the instance, the command and the raw reply.
type adminClient struct {
	name string // "A", "B", ... in messages
	m    *Main
	hc   *http.Client
	app  uint64
	sig  string

	slowest atomic.Int64 // longest call, in nanoseconds, since takeSlowest
}

func newAdminClient(t *testing.T, name string, m *Main, hc *http.Client, app uint64, key string) *adminClient {
	t.Helper()
	return &adminClient{name: name, m: m, hc: hc, app: app, sig: TencentSig(t, app, key, "administrator")}
}

// call sends command with body (any value, marshalled) and checks the reply
// is a success: ErrorCode 0 and ActionStatus OK.
func (a *adminClient) call(command string, body any) (accountReply, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return accountReply{}, err
	}
	u := CallURL(a.m.URL(), "im_open_login_svc", command, a.app, "administrator", a.sig)
	began := time.Now()
	r, err := tryPost(a.hc, u, string(b))
	d := int64(time.Since(began)) // raise slowest to d
	for cur := a.slowest.Load(); d > cur && !a.slowest.CompareAndSwap(cur, d); cur = a.slowest.Load() {
	}
	if err != nil {
		return accountReply{}, fmt.Errorf("%s: %s %s: %w", a.name, command, b, err)
	}
	var ar accountReply
	if err := json.Unmarshal([]byte(r.Raw), &ar); err != nil {
		return ar, fmt.Errorf("%s: %s %s: %v: %s", a.name, command, b, err, r.Raw)
	}
	if ar.ErrorCode != 0 || ar.ActionStatus != "OK" {
		return ar, fmt.Errorf("%s: %s %s: ErrorCode %d, want 0: %s", a.name, command, b, ar.ErrorCode, r.Raw)
	}
	return ar, nil
}

// takeSlowest returns the longest call since the last takeSlowest.
func (a *adminClient) takeSlowest() time.Duration {
	return time.Duration(a.slowest.Swap(0)).Round(time.Millisecond)
}

// importOne sends account_import of id with nick.
func (a *adminClient) importOne(id, nick string) error {
	_, err := a.call("account_import", map[string]string{"UserID": id, "Nick": nick})
	return err
}

// multiImport sends multiaccount_import with ids in the old Accounts form
// and the nicks (id to nick) in the AccountList form, and checks no account
// failed.
func (a *adminClient) multiImport(ids []string, nicks map[string]string) error {
	body := map[string]any{}
	if len(ids) > 0 {
		body["Accounts"] = ids
	}
	if len(nicks) > 0 {
		var list []map[string]string
		for id, nick := range nicks {
			list = append(list, map[string]string{"UserID": id, "Nick": nick})
		}
		body["AccountList"] = list
	}
	r, err := a.call("multiaccount_import", body)
	if err == nil && (r.FailAccounts == nil || len(r.FailAccounts) != 0) {
		err = fmt.Errorf("%s: multiaccount_import %v: FailAccounts %q, want []", a.name, body, r.FailAccounts)
	}
	return err
}

// items builds a DeleteItem or CheckItem array.
func items(ids []string) []map[string]string {
	out := make([]map[string]string, len(ids))
	for i, id := range ids {
		out[i] = map[string]string{"UserID": id}
	}
	return out
}

// delete sends account_delete of ids and returns each one's ResultCode,
// which must be 0 (deleted) or 70107 (not imported).
func (a *adminClient) delete(ids []string) ([]int, error) {
	r, err := a.call("account_delete", map[string]any{"DeleteItem": items(ids)})
	if err != nil {
		return nil, err
	}
	if len(r.ResultItem) != len(ids) {
		return nil, fmt.Errorf("%s: account_delete %q: %d ResultItems, want %d: %+v", a.name, ids, len(r.ResultItem), len(ids), r)
	}
	codes := make([]int, len(ids))
	for i, it := range r.ResultItem {
		if it.UserID != ids[i] || (it.ResultCode != 0 && it.ResultCode != im.CodeAccountNotFound) {
			return nil, fmt.Errorf("%s: account_delete %q: item %d is %+v, want UserID %s with ResultCode 0 or 70107", a.name, ids, i, it, ids[i])
		}
		codes[i] = it.ResultCode
	}
	return codes, nil
}

// check sends account_check of ids and returns which are imported.
func (a *adminClient) check(ids []string) ([]bool, error) {
	r, err := a.call("account_check", map[string]any{"CheckItem": items(ids)})
	if err != nil {
		return nil, err
	}
	if len(r.ResultItem) != len(ids) {
		return nil, fmt.Errorf("%s: account_check %q: %d ResultItems, want %d: %+v", a.name, ids, len(r.ResultItem), len(ids), r)
	}
	imported := make([]bool, len(ids))
	for i, it := range r.ResultItem {
		if it.UserID != ids[i] || it.ResultCode != 0 || (it.AccountStatus != "Imported" && it.AccountStatus != "NotImported") {
			return nil, fmt.Errorf("%s: account_check %q: item %d is %+v", a.name, ids, i, it)
		}
		imported[i] = it.AccountStatus == "Imported"
	}
	return imported, nil
}

// mustCheck is check for the test's goroutine.
func (a *adminClient) mustCheck(t *testing.T, ids []string) []bool {
	t.Helper()
	imported, err := a.check(ids)
	if err != nil {
		t.Fatal(err)
	}
	return imported
}

// Ensure instances that start at the same moment on one empty PostgreSQL
// database, with no app configured, agree on one development app: each
// serves and prints the same SDKAppID and key, exactly one says it created
// the app, and a UserSig Tencent's library makes for it works on every
// instance, which all see the same accounts.
//
// The instances' migrations queue on an advisory lock, which staggers their
// starts, so a race in creating the app shows only in some starts: the test
// runs several rounds, each on a schema of its own.
func TestMulti_DevAppAgreed(t *testing.T) {
	dbtest.PostgresDSN(t) // skip early without PostgreSQL
	for round := range 8 {
		t.Run(fmt.Sprint("round", round), testDevAppAgreed)
	}
}

func testDevAppAgreed(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	mains := startMains(t, 3, map[string]string{"TIMD_DATA": dsn})

	app := mains[0].Apps[0]
	if app.SDKAppID < 1_400_000_000 || app.SDKAppID >= 1_500_000_000 || len(app.SecretKey) != 64 {
		t.Fatalf("development app %d/%q is not a 14xxxxxxxx id with a 64-hex key", app.SDKAppID, app.SecretKey)
	}
	created := 0
	for i, m := range mains {
		if len(m.Apps) != 1 || m.Apps[0].SDKAppID != app.SDKAppID || m.Apps[0].SecretKey != app.SecretKey {
			t.Errorf("instance %d serves %+v, instance 0 serves %d/%s", i, m.Apps, app.SDKAppID, app.SecretKey)
		}
		w := m.Welcome(t)
		if w.SDKAppID != app.SDKAppID || w.SecretKey != app.SecretKey {
			t.Errorf("instance %d printed %d/%s, want %d/%s", i, w.SDKAppID, w.SecretKey, app.SDKAppID, app.SecretKey)
		}
		if m.DevAppCreated != strings.Contains(w.Out, "created now") {
			t.Errorf("instance %d: DevAppCreated %v disagrees with its output:\n%s", i, m.DevAppCreated, w.Out)
		}
		if m.DevAppCreated {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d instances say they created the development app, want exactly 1", created)
	}
	if t.Failed() {
		t.FailNow()
	}

	// Each instance imports an account; every instance sees all of them.
	var checkBody []string
	for i, m := range mains {
		id := fmt.Sprintf("dev-%d", i)
		m.MustCall(t, 0, app.SDKAppID, app.SecretKey, "administrator", "im_open_login_svc", "account_import",
			fmt.Sprintf(`{"UserID":%q,"Nick":"N%d"}`, id, i))
		checkBody = append(checkBody, fmt.Sprintf(`{"UserID":%q}`, id))
	}
	for i, m := range mains {
		r := m.MustCall(t, 0, app.SDKAppID, app.SecretKey, "administrator", "im_open_login_svc", "account_check",
			`{"CheckItem":[`+strings.Join(checkBody, ",")+`]}`)
		if n := strings.Count(r.Raw, `"AccountStatus":"Imported"`); n != len(mains) {
			t.Errorf("instance %d sees %d of the %d imported accounts: %s", i, n, len(mains), r.Raw)
		}
	}
}

// Ensure what one instance writes the other reads at once: an import on one
// is Imported on the other, with its nick, which a nick-less re-import on
// the other keeps; a delete on one is NotImported on the other, which then
// cannot delete it again. The instances swap roles each round.
func TestMulti_SameStateAcrossInstances(t *testing.T) {
	const appID, admin = 1400000042, "administrator"
	key := strings.Repeat("5a", 32)
	env := map[string]string{
		"TIMD_DATA":       dbtest.PostgresDSN(t),
		"TIMD_SDKAPPID":   fmt.Sprint(appID),
		"TIMD_SECRET_KEY": key,
		"TIMD_RATE_LIMIT": "off",
	}
	a, b := MustRunMain(t, env), MustRunMain(t, env)
	ctx := context.Background()
	call := func(m *Main, code int, command, body string) Reply {
		t.Helper()
		return m.MustCall(t, code, appID, key, admin, "im_open_login_svc", command, body)
	}
	status := func(m *Main, id string) string {
		t.Helper()
		r := call(m, 0, "account_check", fmt.Sprintf(`{"CheckItem":[{"UserID":%q}]}`, id))
		var ar accountReply
		if err := json.Unmarshal([]byte(r.Raw), &ar); err != nil || len(ar.ResultItem) != 1 || ar.ResultItem[0].UserID != id {
			t.Fatalf("account_check %s: %v: %s", id, err, r.Raw)
		}
		return ar.ResultItem[0].AccountStatus
	}

	for round := range 10 {
		w, r := a, b // writer, reader
		if round%2 == 1 {
			w, r = b, a
		}
		id, nick := fmt.Sprintf("same-%d", round), fmt.Sprintf("Nick %d", round)

		call(w, 0, "account_import", fmt.Sprintf(`{"UserID":%q,"Nick":%q}`, id, nick))
		if s := status(r, id); s != "Imported" {
			t.Fatalf("round %d: %s imported on one instance is %s on the other", round, id, s)
		}
		if acc, err := r.Store.FindAccount(ctx, appID, id); err != nil || acc.Nick != nick {
			t.Fatalf("round %d: the other instance's store finds %+v, %v; want nick %q", round, acc, err, nick)
		}
		call(r, 0, "account_import", fmt.Sprintf(`{"UserID":%q}`, id))
		if acc, err := w.Store.FindAccount(ctx, appID, id); err != nil || acc.Nick != nick {
			t.Fatalf("round %d: after a nick-less re-import on the other instance: %+v, %v; want nick %q", round, acc, err, nick)
		}

		d := call(r, 0, "account_delete", fmt.Sprintf(`{"DeleteItem":[{"UserID":%q}]}`, id))
		if !strings.Contains(d.Raw, `"ResultCode":0`) {
			t.Fatalf("round %d: delete of %s on the other instance: %s", round, id, d.Raw)
		}
		if s := status(w, id); s != "NotImported" {
			t.Fatalf("round %d: %s deleted on one instance is %s on the other", round, id, s)
		}
		if _, err := w.Store.FindAccount(ctx, appID, id); im.ErrorCode(err) != im.CodeAccountNotFound {
			t.Fatalf("round %d: store finds deleted %s: %v, want 70107", round, id, err)
		}
		d = call(w, 0, "account_delete", fmt.Sprintf(`{"DeleteItem":[{"UserID":%q}]}`, id))
		if !strings.Contains(d.Raw, `"ResultCode":70107`) {
			t.Fatalf("round %d: second delete of %s, on the first instance: %s, want 70107", round, id, d.Raw)
		}
	}
}
