package callback_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure an app whose receiver hangs does not hold back another app's
// deliveries: the sender claims for each app only as many events as that
// app has free slots, so a slow app fills only its own.
func TestSender_SlowAppDoesNotBlockOtherApps(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		slowRC := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) { hang(r) })
		slowRC.appID = testApp + 1
		fastRC := newReceiver(t, nil)
		e := newEnv(t, dsn, fastRC.URL(), nil, nil) // Concurrency 8
		slowApp := &im.App{SDKAppID: testApp + 1, Callback: im.CallbackConfig{
			URL: slowRC.URL(), Timeout: 300 * time.Millisecond, Retry: fastRetry, Concurrency: 1,
		}}
		if err := e.db.ImportAccounts(t.Context(), slowApp.SDKAppID, []im.AccountImport{{UserID: "alice"}}); err != nil {
			t.Fatal(err)
		}
		slowOp := im.Op{App: slowApp, Operator: "administrator", ClientIP: clientIP}
		for i := range 10 {
			if _, err := e.db.CreateGroup(t.Context(), slowOp, newGroup(fmt.Sprintf("slow-%d", i), "alice")); err != nil {
				t.Fatal(err)
			}
		}
		for i := range 5 {
			e.create(fmt.Sprintf("fast-%d", i), "alice")
		}
		s := callback.NewSender(callback.Options{Store: e.db, Apps: []*im.App{e.app, slowApp}, Poll: 10 * time.Millisecond})
		start := time.Now()
		runSender(t, s)
		waitFor(t, 20*time.Second, "the fast app's events delivered", func() bool { return len(fastRC.Hits()) >= 5 })
		if took := time.Since(start); took > 250*time.Millisecond {
			t.Errorf("the fast app's events were delivered after %v: held back by the slow app's 300 ms timeouts", took)
		}
	})
}

// Ensure the sender delivers the events of an app it is told of while it
// runs (an app timd_apps created), and stops claiming those of an app it
// is told is gone.
func TestSender_LearnsAndForgetsApps(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		rc := newReceiver(t, nil)
		e := newEnv(t, dsn, rc.URL(), nil, nil)
		s := callback.NewSender(callback.Options{Store: e.db, Poll: 10 * time.Millisecond})
		runSender(t, s)
		e.create("before", "alice")
		time.Sleep(150 * time.Millisecond)
		if n := len(rc.Hits()); n != 0 {
			t.Fatalf("%d deliveries for an app the sender does not serve", n)
		}
		s.AddApp(e.app)
		waitFor(t, 10*time.Second, "the added app's event delivered", func() bool { return len(rc.hitsOf("before")) == 1 })
		s.RemoveApp(e.app.SDKAppID)
		e.create("after", "alice")
		time.Sleep(150 * time.Millisecond)
		if hits := rc.hitsOf("after"); len(hits) != 0 {
			t.Errorf("%d deliveries for a removed app", len(hits))
		}
	})
}
