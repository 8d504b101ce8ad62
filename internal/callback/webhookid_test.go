package callback_test

import (
	"database/sql"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
)

// webhookIDForm is msg_<16 hex digits>_<SDKAppID>_<created ms>_<event id>:
// no '.', which the signed content uses as its separator.
var webhookIDForm = regexp.MustCompile(`^msg_[0-9a-f]{16}_[0-9]+_[0-9]+_[0-9]+$`)

// idsOf returns the distinct webhook-ids the receiver got for group key, in
// order of arrival, and how many requests it got for it.
func idsOf(rc *receiver, key string) (ids []string, n int) {
	for _, h := range rc.hitsOf(key) {
		n++
		if len(ids) == 0 || ids[len(ids)-1] != h.ID {
			ids = append(ids, h.ID)
		}
	}
	return ids, n
}

// Ensure webhook ids are unique beyond one database: two databases whose
// events have the same id and creation time send different webhook ids,
// while each event keeps its id on every retry and after its database is
// opened again.
func TestSender_WebhookIDAcrossDatabases(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsnA string) {
		dsnB := dbtest.SQLiteDSN(t)
		if strings.HasPrefix(dsnA, "postgres") {
			dsnB = dbtest.PostgresDSN(t)
		}
		// Each first attempt fails, so that every event is sent twice.
		rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
			if h.N == 1 {
				w.WriteHeader(http.StatusServiceUnavailable)
			}
		})
		fixed := func() time.Time { return fixedNow }
		a := newEnv(t, dsnA, rc.URL(), fixed, nil)
		b := newEnv(t, dsnB, rc.URL(), fixed, nil)
		if a.db.Nonce() == b.db.Nonce() || len(a.db.Nonce()) != 16 {
			t.Fatalf("nonces %q and %q: want two different ones of 16 hex digits", a.db.Nonce(), b.db.Nonce())
		}
		a.create("wid-a", "alice")
		b.create("wid-b", "alice")
		evA, evB := a.eventsOf("wid-a")[0], b.eventsOf("wid-b")[0]
		if evA.ID != evB.ID || !evA.CreatedAt.Equal(evB.CreatedAt) {
			t.Fatalf("events %d at %v and %d at %v: want the same id and time", evA.ID, evA.CreatedAt, evB.ID, evB.CreatedAt)
		}
		a.start(callback.Options{})
		b.start(callback.Options{})
		a.waitSettled(10 * time.Second)
		b.waitSettled(10 * time.Second)

		idsA, nA := idsOf(rc, "wid-a")
		idsB, nB := idsOf(rc, "wid-b")
		if len(idsA) != 1 || nA != 2 || len(idsB) != 1 || nB != 2 {
			t.Fatalf("webhook-ids %q over %d requests and %q over %d: want one id per event, sent twice", idsA, nA, idsB, nB)
		}
		if idsA[0] == idsB[0] {
			t.Fatalf("two databases sent the same webhook-id %s", idsA[0])
		}
		for _, id := range []string{idsA[0], idsB[0]} {
			if !webhookIDForm.MatchString(id) {
				t.Errorf("webhook-id %q is not msg_<nonce>_<app>_<created ms>_<event id>", id)
			}
		}

		// The database opened again: same nonce, same webhook-id.
		a.stop()
		// A SQLite file is served by one store at a time.
		if err := a.db.Close(); err != nil {
			t.Fatal(err)
		}
		again := newEnv(t, dsnA, rc.URL(), fixed, nil)
		if again.db.Nonce() != a.db.Nonce() {
			t.Fatalf("nonce %q after reopening, was %q", again.db.Nonce(), a.db.Nonce())
		}
		if err := again.db.ReplayEvent(t.Context(), testApp, evA.ID); err != nil {
			t.Fatal(err)
		}
		again.start(callback.Options{})
		again.waitSettled(10 * time.Second)
		if ids, n := idsOf(rc, "wid-a"); len(ids) != 1 || n != 3 {
			t.Errorf("after reopening: webhook-ids %q over %d requests, want %s again", ids, n, idsA[0])
		}
	})
}

// Ensure a SQLite database restored from a backup, which gives out again the
// event ids issued after the backup, does not send again the webhook-ids of
// the events those ids had.
func TestSender_WebhookIDAfterRestore(t *testing.T) {
	rc := newReceiver(t, nil)
	dsn := dbtest.SQLiteDSN(t)
	orig := newEnv(t, dsn, rc.URL(), nil, nil)
	orig.create("before-backup", "alice")
	backup := filepath.Join(t.TempDir(), "backup.db")
	raw, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("VACUUM INTO '" + backup + "'"); err != nil {
		t.Fatal(err)
	}
	if err := raw.Close(); err != nil {
		t.Fatal(err)
	}
	orig.create("lost", "alice") // after the backup: lost with the original
	orig.start(callback.Options{})
	orig.waitSettled(10 * time.Second)
	orig.stop()

	restored := newEnv(t, backup, rc.URL(), nil, nil)
	if restored.db.Nonce() != orig.db.Nonce() {
		t.Fatalf("restored nonce %q, was %q", restored.db.Nonce(), orig.db.Nonce())
	}
	time.Sleep(2 * time.Millisecond) // a later creation time, as after any restore
	restored.create("after-restore", "alice")
	lost, again := orig.eventsOf("lost")[0], restored.eventsOf("after-restore")[0]
	if lost.ID != again.ID {
		t.Fatalf("event ids %d and %d: the restore should give the id out again", lost.ID, again.ID)
	}
	restored.start(callback.Options{})
	restored.waitSettled(10 * time.Second)
	lostIDs, _ := idsOf(rc, "lost")
	againIDs, _ := idsOf(rc, "after-restore")
	if len(lostIDs) != 1 || len(againIDs) != 1 || lostIDs[0] == againIDs[0] {
		t.Errorf("webhook-ids %q before and %q after the restore: want two different ids", lostIDs, againIDs)
	}
	if want := callback.WebhookID(restored.db.Nonce(), again); againIDs[0] != want {
		t.Errorf("webhook-id %s, want %s", againIDs[0], want)
	}
}
