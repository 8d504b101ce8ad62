package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// openimEpoch is the time the openim tests start at: the MsgTime of
// Tencent's admin_getroammsg sample, so that replies read like its.
var openimEpoch = time.Unix(1584669680, 0)

// testClock is a settable clock shared by the store and the API.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openIM starts the API on dsn as MustOpenHarness does, with clk as the
// store's and the server's clock, TestApp recording every callback, and
// users imported.
func openIM(tb testing.TB, dsn string, clk *testClock, users []string, opts ...func(*api.Options)) *Harness {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Now: clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	apps := []*im.App{
		{SDKAppID: TestAppID, SecretKey: TestKey, Admins: []string{Admin, "admin2"}, Edition: im.EditionUltimate,
			Callback: im.CallbackConfig{URL: "http://127.0.0.1:1/cb"}, Control: true},
		{SDKAppID: OtherAppID, SecretKey: OtherKey, Admins: []string{Admin}, Edition: im.EditionUltimate},
	}
	for _, a := range apps {
		if err := db.EnsureAccounts(context.Background(), a.SDKAppID, a.Admins); err != nil {
			tb.Fatal(err)
		}
	}
	o := api.Options{Apps: apps, Store: db, RateLimit: api.RateOff, Now: clk.Now}
	for _, f := range opts {
		f(&o)
	}
	handler := api.NewServer(o).Handler()
	srv := httptest.NewServer(handler)
	tb.Cleanup(srv.Close)
	h := &Harness{tb: tb, URL: srv.URL, Handler: handler, Store: db, Apps: apps}
	h.importUsers(users...)
	return h
}

// Ensure each openim command answers the requests under
// testdata/openim/NN_<command>.req.json as recorded in the .resp.json
// beside it: Tencent's samples and a request for each code the command
// answers, in name order against one server whose clock stands still at
// openimEpoch (00_setup.accounts lists the accounts imported first). -update
// rewrites the replies.
func TestOpenIMGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		dir := "testdata/openim"
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
		for _, reqFile := range reqs {
			name := strings.TrimSuffix(filepath.Base(reqFile), ".req.json")
			command := name[strings.Index(name, "_")+1:]
			if i := strings.Index(command, "."); i >= 0 {
				command = command[:i] // 04_sendmsg.no_to: a second sample of sendmsg
			}
			req, err := os.ReadFile(reqFile)
			if err != nil {
				t.Fatal(err)
			}
			got := h.Call("openim", command, string(req))
			respFile := strings.TrimSuffix(reqFile, ".req.json") + ".resp.json"
			if *update {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, []byte(got.Raw), "", "  "); err != nil {
					t.Fatalf("%s: reply is not JSON: %v", name, err)
				}
				pretty.WriteByte('\n')
				if err := os.WriteFile(respFile, pretty.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(respFile)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !sameJSON(t, []byte(got.Raw), want) {
				t.Errorf("%s:\n got %s\nwant %s", name, got.Raw, want)
			}
		}
	})
}

// sameJSON compares two JSON texts as values, key order included: a
// reply's keys are in Tencent's order.
func sameJSON(t *testing.T, got, want []byte) bool {
	t.Helper()
	var g, w bytes.Buffer
	if err := json.Compact(&g, got); err != nil {
		t.Fatal(err)
	}
	if err := json.Compact(&w, want); err != nil {
		t.Fatal(err)
	}
	var gv, wv any
	if err := json.Unmarshal(g.Bytes(), &gv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(w.Bytes(), &wv); err != nil {
		t.Fatal(err)
	}
	return g.String() == w.String() && reflect.DeepEqual(gv, wv)
}
