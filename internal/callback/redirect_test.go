package callback_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// redirectStatuses are the redirects a client may follow: 301 to 303 turn
// the POST into a GET without the body, 307 and 308 repeat the POST.
var redirectStatuses = []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
	http.StatusTemporaryRedirect, http.StatusPermanentRedirect}

// approver is a second receiver that approves whatever reaches it; it counts
// the requests, which a callback sender must never make.
func approver(t *testing.T) (url string, hits *atomic.Int64) {
	hits = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		io.WriteString(w, okReply)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/approve", hits
}

// redirector answers every request with status and a Location pointing to.
func redirector(t *testing.T, status int, to string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to, status)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/cb"
}

// Ensure a before-callback answered with a redirect is a failed callback,
// decided by the on-failure policy, even with a caller's client that
// follows redirects (as a plain &http.Client{} does): the server redirected
// to, which would approve, is never asked.
func TestBefore_RedirectNeverFollowed(t *testing.T) {
	for _, status := range redirectStatuses {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			to, hits := approver(t)
			url := redirector(t, status, to)
			for _, client := range []*http.Client{nil, {}, {Timeout: time.Second}} {
				b := &callback.Before{Client: client}
				err := b.Before(t.Context(), beforeApp(url, true), "127.0.0.1", beforeFields)
				wantErr(t, err, im.CodeGroupCallbackDenied, "") // a failure, rejected by the policy
				wantErr(t, b.Before(t.Context(), beforeApp(url, false), "127.0.0.1", beforeFields), 0, "")
				rejected, err := b.BeforeItems(t.Context(), beforeApp(url, true), "127.0.0.1", prevFriendAdd)
				if rejected != nil {
					t.Errorf("BeforeItems after a redirect: %v, want a failure", rejected)
				}
				wantErr(t, err, im.CodeSNSInternal, "")
			}
			if n := hits.Load(); n != 0 {
				t.Errorf("HTTP %d: the redirect was followed %d times", status, n)
			}
		})
	}
}

// Ensure an after-callback answered with a redirect is a failed attempt,
// retried like any non-2xx reply, also with a caller's client that follows
// redirects: the server redirected to, which would accept it, is never
// called and the event is not delivered.
func TestSender_RedirectNeverFollowed(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		to, hits := approver(t)
		status := http.StatusFound
		e := newEnv(t, dsn, redirector(t, status, to), nil, func(c *im.CallbackConfig) {
			c.Retry = []time.Duration{0, 10 * time.Millisecond} // two attempts, then dead
		})
		e.create("redir-1", "alice")
		e.start(callback.Options{Client: &http.Client{}})
		e.waitSettled(10 * time.Second)
		ev := e.eventsOf("redir-1")[0]
		if ev.State != im.EventDead || ev.Attempts != 2 || ev.LastStatus != status {
			t.Errorf("event after redirects: %s after %d attempts, last status %d; want dead after 2, %d",
				ev.State, ev.Attempts, ev.LastStatus, status)
		}
		if n := hits.Load(); n != 0 {
			t.Errorf("the sender followed the redirect %d times", n)
		}
	})
}
