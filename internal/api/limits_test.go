package api_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// rawConn is a client connection that writes bytes as given, so a test can
// send a body in part, or never finish it.
type rawConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, url string) *rawConn {
	t.Helper()
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

// head sends the request line and headers of a POST to path?query; with
// length < 0 the body is chunked.
func (rc *rawConn) head(path, query string, length int) {
	rc.t.Helper()
	te := "Transfer-Encoding: chunked"
	if length >= 0 {
		te = fmt.Sprintf("Content-Length: %d", length)
	}
	rc.write(fmt.Sprintf("POST %s?%s HTTP/1.1\r\nHost: timd\r\n%s\r\n\r\n", path, query, te))
}

func (rc *rawConn) write(s string) {
	rc.t.Helper()
	if _, err := io.WriteString(rc.c, s); err != nil {
		rc.t.Fatal(err)
	}
}

// reply reads one reply within d and checks its envelope.
func (rc *rawConn) reply(d time.Duration) (*http.Response, Reply) {
	rc.t.Helper()
	rc.c.SetReadDeadline(time.Now().Add(d))
	resp, err := http.ReadResponse(rc.r, nil)
	if err != nil {
		rc.t.Fatalf("no reply within %v: %v", d, err)
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		rc.t.Fatalf("reply body: %v", err)
	}
	return resp, checkEnvelope(rc.t, "raw", resp.StatusCode, resp.Header.Get("Content-Type"), raw)
}

// answered reports whether a reply (or the end of the connection) is
// waiting to be read, without consuming it.
func (rc *rawConn) answered() bool {
	rc.c.SetReadDeadline(time.Now().Add(time.Millisecond))
	defer rc.c.SetReadDeadline(time.Time{})
	_, err := rc.r.Peek(1)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// closed reports whether the server closes (or resets) the connection
// within d.
func (rc *rawConn) closed(d time.Duration) bool {
	rc.c.SetReadDeadline(time.Now().Add(d))
	_, err := rc.r.ReadByte()
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// Ensure a body over the limit is refused at once with 60002 and the
// connection closed, when the client stops sending right after crossing the
// limit: chunked, or with an announced length over the limit and no body.
func TestREST_OverLimitAnsweredAtOnce(t *testing.T) {
	const limit = 64 << 10
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.MaxBodyBytes = limit })
	check := "/v4/im_open_login_svc/account_check"

	chunked := dialRaw(t, h.URL)
	chunked.head(check, AdminQuery(t), -1)
	chunked.write(fmt.Sprintf("%x\r\n%s\r\n", limit+1, strings.Repeat(" ", limit+1)))
	announced := dialRaw(t, h.URL)
	announced.head(check, AdminQuery(t), limit+1)

	for name, rc := range map[string]*rawConn{"chunked": chunked, "announced": announced} {
		resp, r := rc.reply(2 * time.Second)
		if r.Code(t) != 60002 || !resp.Close {
			t.Errorf("%s: Connection: close %v: %v", name, resp.Close, r)
		}
		if !rc.closed(2 * time.Second) {
			t.Errorf("%s: connection still open 2s after the reply", name)
		}
	}
	h.MustCall(0, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
}

// Ensure the in-flight body budget bounds the bodies being read at once:
// while it is spent, further requests get 60007 at once without their body
// being read (they send none), the server keeps answering, and once the
// bodies in flight are done the budget is whole again.
func TestREST_InflightBudget(t *testing.T) {
	const limit, budget = 64 << 10, 256 << 10
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.MaxBodyBytes = limit
		o.MaxInflightBytes = budget
	})
	check := "/v4/im_open_login_svc/account_check"
	body := `{"CheckItem":[{"UserID":"alice"}]}`
	body += strings.Repeat(" ", limit-len(body))
	small := func() int {
		return h.Call("im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"}]}`).Code(t)
	}

	// Four requests of a full-size body each hold the whole budget while
	// their bodies trickle in. A probe can reach the server before a
	// holder does and take budget first; that holder is then refused, and
	// is sent again.
	hold := func() *rawConn {
		rc := dialRaw(t, h.URL)
		rc.head(check, AdminQuery(t), limit)
		rc.write(body[:100])
		return rc
	}
	holders := make([]*rawConn, budget/limit)
	for i := range holders {
		holders[i] = hold()
	}
	deadline := time.Now().Add(5 * time.Second)
	for small() != 60007 {
		if time.Now().After(deadline) {
			t.Fatal("the held bodies never filled the budget")
		}
		time.Sleep(10 * time.Millisecond)
		for i, rc := range holders {
			if rc.answered() {
				holders[i] = hold()
			}
		}
	}

	// Many more large requests, sending their headers only: each is
	// answered 60007 at once, so none waits for a body.
	checkRefusedAtOnce(t, h, check, limit)

	// The holders finish and are answered; the budget is whole again.
	for _, rc := range holders {
		rc.write(body[100:])
	}
	for i, rc := range holders {
		if _, r := rc.reply(5 * time.Second); r.Code(t) != 0 {
			t.Errorf("holder %d: %v", i, r)
		}
	}
	if code := small(); code != 0 {
		t.Fatalf("after the holders: ErrorCode %d", code)
	}
}

// checkRefusedAtOnce sends 32 requests announcing a body of size bytes to
// path, their headers only, and checks each is answered 60007 within two
// seconds.
func checkRefusedAtOnce(t *testing.T, h *Harness, path string, size int) {
	var wg sync.WaitGroup
	errs := make(chan string, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rc := dialRaw(t, h.URL)
			rc.head(path, AdminQuery(t), size)
			rc.c.SetReadDeadline(time.Now().Add(2 * time.Second))
			resp, err := http.ReadResponse(rc.r, nil)
			if err != nil {
				errs <- fmt.Sprintf("no reply within 2s: %v", err)
				return
			}
			raw, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(raw), `"ErrorCode":60007`) {
				errs <- string(raw)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Ensure LimitListener keeps at most n connections open: the next client is
// served only once one of them closes, and Close ends a waiting Accept.
func TestLimitListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	limited := api.LimitListener(ln, 2)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	srv.Listener.Close()
	srv.Listener = limited
	srv.Start()
	t.Cleanup(srv.Close)

	idle1, idle2 := dialRaw(t, srv.URL), dialRaw(t, srv.URL)
	for _, rc := range []*rawConn{idle1, idle2} { // both accepted and served
		rc.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, err := http.ReadResponse(rc.r, nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("first clients: %v", err)
		}
	}
	third := dialRaw(t, srv.URL) // the kernel accepts it; the server does not
	third.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	third.c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	if _, err := http.ReadResponse(third.r, nil); err == nil {
		t.Fatal("a third connection was served while two were open")
	}
	idle1.c.Close()
	third.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if resp, err := http.ReadResponse(third.r, nil); err != nil || resp.StatusCode != 200 {
		t.Fatalf("third client after one closed: %v", err)
	}
}
