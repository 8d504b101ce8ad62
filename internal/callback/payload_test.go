package callback_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata")

// queryKeys returns the query's keys in the order they were sent.
func queryKeys(raw string) []string {
	var keys []string
	for _, kv := range strings.Split(raw, "&") {
		k, _, _ := strings.Cut(kv, "=")
		keys = append(keys, k)
	}
	return keys
}

// checkQuery checks a delivery's query parameters exactly: Tencent's five,
// in the documented order, then Sign and RequestTime when signed, after any
// the configured URL carried itself (prefix).
func checkQuery(t *testing.T, h hit, prefix []string, signed bool) {
	t.Helper()
	want := append(slices.Clone(prefix), "SdkAppid", "CallbackCommand", "contenttype", "ClientIP", "OptPlatform")
	if signed {
		want = append(want, "Sign", "RequestTime")
	}
	if got := queryKeys(h.RawQuery); !slices.Equal(got, want) {
		t.Errorf("%s: query keys %q, want %q", h.Command, got, want)
	}
	for k, v := range map[string]string{
		"SdkAppid": strconv.Itoa(testApp), "CallbackCommand": h.Command, "contenttype": "json",
		"ClientIP": clientIP, "OptPlatform": "RESTAPI",
	} {
		if got := h.Query[k]; len(got) != 1 || got[0] != v {
			t.Errorf("%s: query %s = %q, want %q", h.Command, k, got, v)
		}
	}
}

// Ensure each after-callback timd records reaches the receiver with the
// documented body (golden files; EventTime from the store's fixed clock, as
// a JSON number) and exactly Tencent's query parameters, unsigned when the
// app has no token and no secret. Run with -update to rewrite the files.
func TestSender_Payloads(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, nil)
		e := newEnv(t, dsn, rc.URL(), func() time.Time { return fixedNow }, nil)
		ng := newGroup("golden-group", "alice", "bob")
		ng.Name = "Golden"
		ng.AppDefined = []im.KV{{Key: "Level", Value: "3"}}
		if _, err := e.db.CreateGroup(t.Context(), e.op, ng); err != nil {
			t.Fatal(err)
		}
		e.add("golden-group", "carol", "dave")
		e.del("golden-group", "dave")
		e.destroy("golden-group")
		e.start(callback.Options{})

		evs := e.waitSettled(10 * time.Second)
		commands := []string{im.CallbackAfterCreateGroup, im.CallbackAfterNewMemberJoin,
			im.CallbackAfterMemberExit, im.CallbackAfterGroupDestroyed}
		if len(evs) != len(commands) {
			t.Fatalf("%d events recorded, want %d", len(evs), len(commands))
		}
		hits := rc.Hits()
		if len(hits) != len(commands) {
			t.Fatalf("receiver got %d requests, want %d", len(hits), len(commands))
		}
		for i, h := range hits {
			if h.Command != commands[i] || h.EventID != evs[i].ID || evs[i].State != im.EventDelivered {
				t.Fatalf("request %d: %s (event %d), want %s (event %d, %s)", i, h.Command, h.EventID, commands[i], evs[i].ID, evs[i].State)
			}
			checkQuery(t, h, nil, false)
			if !bytes.Equal(h.Body, evs[i].Body) {
				t.Errorf("%s: body sent differs from the one recorded:\n%s\n%s", h.Command, h.Body, evs[i].Body)
			}
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(h.Body, &fields); err != nil {
				t.Fatalf("%s: body is not a JSON object: %v", h.Command, err)
			}
			if got, want := string(fields["EventTime"]), strconv.FormatInt(fixedNow.UnixMilli(), 10); got != want {
				t.Errorf("%s: EventTime %s, want the number %s", h.Command, got, want)
			}
			checkGolden(t, filepath.Join("testdata", h.Command+".json"), h.Body)
		}
	})
}

// checkGolden compares a JSON body, indented, with a golden file, or
// rewrites the file under -update.
func checkGolden(t *testing.T, path string, body []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	buf.WriteByte('\n')
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("%s: body differs from the golden file\ngot:\n%s\nwant:\n%s", path, buf.Bytes(), want)
	}
}

// Ensure deliveries carry a Tencent Sign and Standard Webhooks signatures
// that a receiver verifies with its own code (one signature per configured
// secret, each verifying), that webhook-id is stable across the retries of
// one event and differs between events, and that a configured URL's own
// query survives.
func TestSender_Signatures(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		secrets := []string{
			"whsec_" + base64.StdEncoding.EncodeToString([]byte("the newest signing secret, 32 by")),
			"whsec_" + base64.StdEncoding.EncodeToString([]byte("the older one, still accepted")),
		}
		// The first attempt of every event fails, so that each is sent twice.
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if h.N == 1 {
				w.WriteHeader(http.StatusInternalServerError)
			}
		})
		rc.token, rc.secrets = "tok-Az09_secret", secrets
		e := newEnv(t, dsn, rc.srv.URL+"/hook?tenant=t1", nil, func(c *im.CallbackConfig) {
			c.Token, c.Secret = rc.token, secrets
		})
		e.create("sig-1", "alice", "bob")
		e.add("sig-1", "carol")
		e.create("sig-2", "alice")
		e.start(callback.Options{})
		evs := e.waitSettled(10 * time.Second)

		hits := rc.Hits()
		if len(evs) != 3 || len(hits) != 6 {
			t.Fatalf("%d events, %d requests; want 3 and 6", len(evs), len(hits))
		}
		idsByBody := map[string][]string{}
		for _, h := range hits {
			checkQuery(t, h, []string{"tenant"}, true)
			if h.Query.Get("tenant") != "t1" || h.Path != "/hook" {
				t.Errorf("configured URL lost: %s?%s", h.Path, h.RawQuery)
			}
			if sigs := strings.Split(h.Header.Get("webhook-signature"), " "); len(sigs) != 2 {
				t.Errorf("webhook-signature %q: want one signature per secret", h.Header.Get("webhook-signature"))
			}
			idsByBody[string(h.Body)] = append(idsByBody[string(h.Body)], h.ID)
		}
		seen := map[string]bool{}
		for _, ev := range evs {
			ids := idsByBody[string(ev.Body)]
			if len(ids) != 2 || ids[0] != ids[1] {
				t.Errorf("event %d was sent with webhook-ids %q, want the same id twice", ev.ID, ids)
				continue
			}
			if !strings.HasSuffix(ids[0], "_"+strconv.FormatInt(ev.ID, 10)) {
				t.Errorf("event %d: webhook-id %q does not end in its id", ev.ID, ids[0])
			}
			if seen[ids[0]] {
				t.Errorf("webhook-id %s used for two events", ids[0])
			}
			seen[ids[0]] = true
		}
		// Each request: one Sign and two webhook signatures verified.
		if got := rc.verifiedCount(); got != 3*len(hits) {
			t.Errorf("receiver verified %d signatures, want %d", got, 3*len(hits))
		}

		// The receiver's verifier is no rubber stamp.
		h := hits[0]
		ts, sig := h.Header.Get("webhook-timestamp"), h.Header.Get("webhook-signature")
		if !verifyStandardWebhook(secrets[1], h.ID, ts, h.Body, sig) {
			t.Fatal("verifier rejects a good signature")
		}
		if verifyStandardWebhook(secrets[1], h.ID, ts, append(slices.Clone(h.Body), ' '), sig) ||
			verifyStandardWebhook(secrets[1], h.ID+"x", ts, h.Body, sig) ||
			verifyStandardWebhook("whsec_"+base64.StdEncoding.EncodeToString([]byte("other")), h.ID, ts, h.Body, sig) {
			t.Fatal("verifier accepts a bad signature")
		}
	})
}
