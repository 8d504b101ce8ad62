package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// slowRequest is an account_import whose body is only half sent, so the
// server holds it in flight until Finish.
type slowRequest struct {
	conn net.Conn
	br   *bufio.Reader
	rest string
}

// startSlowRequest sends one whole request on a new connection (so the
// server has surely accepted it), then the headers and half the body of a
// second one, and gives the server a moment to start handling it.
func startSlowRequest(tb testing.TB, m *Main) *slowRequest {
	tb.Helper()
	w := m.DevWelcome(tb)
	u, err := url.Parse(w.CurlURL)
	if err != nil {
		tb.Fatal(err)
	}
	conn, err := net.Dial("tcp", m.Addr())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close() })
	s := &slowRequest{conn: conn, br: bufio.NewReader(conn)}
	send := func(body string, n int) {
		if _, err := fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n%s", u.RequestURI(), u.Host, len(body), body[:n]); err != nil {
			tb.Fatal(err)
		}
	}
	send(w.CurlBody, len(w.CurlBody))
	if r := s.response(tb); r != okReply {
		tb.Fatalf("first request: %s", r)
	}
	body := `{"UserID":"slow","Nick":"Slow"}`
	send(body, len(body)/2)
	s.rest = body[len(body)/2:]
	time.Sleep(200 * time.Millisecond)
	return s
}

// response reads one response and returns its body.
func (s *slowRequest) response(tb testing.TB) string {
	tb.Helper()
	s.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(s.br, nil)
	if err != nil {
		tb.Fatalf("read response: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// Finish sends the rest of the body and returns the reply.
func (s *slowRequest) Finish(tb testing.TB) string {
	tb.Helper()
	if _, err := io.WriteString(s.conn, s.rest); err != nil {
		tb.Fatal(err)
	}
	return s.response(tb)
}

// closeAsync runs m.Close in the background.
func closeAsync(m *Main) <-chan error {
	done := make(chan error, 1)
	go func() { done <- m.Close() }()
	return done
}

// waitRefused waits up to 2s for addr to stop accepting connections.
func waitRefused(tb testing.TB, addr string) {
	tb.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return
		}
		c.Close()
	}
	tb.Fatalf("%s still accepts connections during shutdown", addr)
}

// Ensure Close drains: it stops accepting connections at once, lets an
// in-flight request finish against the still-open database, then returns nil.
func TestMain_CloseDrainsInFlight(t *testing.T) {
	m := MustRunMain(t, nil)
	slow := startSlowRequest(t, m)
	addr := m.Addr()

	done := closeAsync(m)
	waitRefused(t, addr)
	select {
	case err := <-done:
		t.Fatalf("Close returned %v with a request in flight", err)
	case <-time.After(100 * time.Millisecond):
	}
	if r := slow.Finish(t); r != okReply {
		t.Fatalf("in-flight request answered %s during shutdown", r)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after the in-flight request finished")
	}
}

// Ensure that when ShutdownTimeout passes with a request still in flight,
// Close reports it, returns promptly, and drops the connection rather than
// leave it served against a closed database.
func TestMain_CloseTimeout(t *testing.T) {
	m := MustRunMain(t, map[string]string{"TIMD_SHUTDOWN_TIMEOUT": "300ms"})
	slow := startSlowRequest(t, m)

	start := time.Now()
	select {
	case err := <-closeAsync(m):
		if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "shutdown") {
			t.Errorf("Close after the timeout = %v, want a shutdown deadline error", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return after ShutdownTimeout")
	}
	if d := time.Since(start); d < 250*time.Millisecond {
		t.Errorf("Close returned after %v, before ShutdownTimeout", d)
	}

	// The server must have closed the stuck connection: a read ends at once
	// instead of waiting for our deadline.
	slow.conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	_, err := slow.br.ReadByte()
	if errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatal("the in-flight connection is still open after Close returned")
	}
}
