package proxyfront

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// startFront serves a front on 127.0.0.1:0 with a handler that echoes what
// it was asked, and returns its address, the CA and the handler's call count.
func startFront(t *testing.T) (string, *CA, *atomic.Int64) {
	t.Helper()
	ca, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		_, _ = fmt.Fprintf(w, "%s %s %s", r.Method, r.Host, r.URL.RequestURI())
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := New(ca, h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 1)
	go func() { done <- f.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("Serve returned %v", err)
		}
	})
	return ln.Addr().String(), ca, &calls
}

// caPool is a pool holding only the CA, read from its PEM file as a client would.
func caPool(t *testing.T, ca *CA) *x509.CertPool {
	t.Helper()
	b, err := os.ReadFile(ca.CertPath())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatal("CA file holds no certificate")
	}
	return pool
}

// proxyClient is an HTTP client using the front as its proxy and trusting
// only its CA.
func proxyClient(t *testing.T, addr string, ca *CA) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy:           http.ProxyURL(&url.URL{Scheme: "http", Host: addr}),
		TLSClientConfig: &tls.Config{RootCAs: caPool(t, ca)},
	}}
}

// Ensure a CONNECT to each Tencent REST host reaches the handler over TLS
// verified against the CA, with the request as the client sent it.
func TestFront_ConnectServesTencentHosts(t *testing.T) {
	addr, ca, calls := startFront(t)
	c := proxyClient(t, addr, ca)
	for _, host := range []string{"console.tim.qq.com", "adminapisgp.im.qcloud.com", "adminapi.my-imcloud.com"} {
		resp, err := c.Post("https://"+host+"/v4/im_open_login_svc/account_import?sdkappid=1&random=7", "application/json", strings.NewReader("{}"))
		if err != nil {
			t.Fatalf("%s: %v", host, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		want := "POST " + host + " /v4/im_open_login_svc/account_import?sdkappid=1&random=7"
		if resp.StatusCode != 200 || string(body) != want {
			t.Errorf("%s: %d %q, want %q", host, resp.StatusCode, body, want)
		}
		if len(resp.TLS.PeerCertificates) == 0 || resp.TLS.PeerCertificates[0].DNSNames[0] != host {
			t.Errorf("%s: served certificate %v", host, resp.TLS.PeerCertificates)
		}
	}
	if calls.Load() != 3 {
		t.Errorf("handler called %d times, want 3", calls.Load())
	}
}

// Ensure the front is no open proxy: CONNECT to another host or port is
// answered 403, a plain proxied request 405, and nothing reaches the handler.
func TestFront_RefusesOtherTargets(t *testing.T) {
	addr, _, calls := startFront(t)
	for target, want := range map[string]string{
		"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n":                         "403 Forbidden",
		"CONNECT console.tim.qq.com:8443 HTTP/1.1\r\nHost: console.tim.qq.com:8443\r\n\r\n":         "403 Forbidden",
		"CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n":                             "403 Forbidden",
		"CONNECT tim.qq.com.evil.example:443 HTTP/1.1\r\nHost: tim.qq.com.evil.example:443\r\n\r\n": "403 Forbidden",
		"GET http://console.tim.qq.com/v4/x/y HTTP/1.1\r\nHost: console.tim.qq.com\r\n\r\n":         "405 Method Not Allowed",
		"hello\r\n\r\n": "400 Bad Request",
	} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, target); err != nil {
			t.Fatal(err)
		}
		status, err := bufio.NewReader(c).ReadString('\n')
		_ = c.Close()
		if err != nil || !strings.HasPrefix(status, "HTTP/1.1 "+want) {
			t.Errorf("%q: answered %q %v, want %s", target, status, err, want)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("handler called %d times", calls.Load())
	}
}

// Ensure TLS sent straight to the front (a hosts-file entry pointing a
// Tencent host at it) is served for Tencent's hosts and refused for others.
func TestFront_DirectTLS(t *testing.T) {
	addr, ca, calls := startFront(t)
	pool := caPool(t, ca)
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "adminapiger.im.qcloud.com"},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, addr)
		},
	}}
	resp, err := c.Get("https://adminapiger.im.qcloud.com/v4/a/b")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if string(body) != "GET adminapiger.im.qcloud.com /v4/a/b" {
		t.Errorf("direct TLS answered %q", body)
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{ServerName: "example.com", InsecureSkipVerify: true})
	if err == nil {
		_ = conn.Close()
		t.Error("TLS for example.com accepted")
	}
	if calls.Load() != 1 {
		t.Errorf("handler called %d times, want 1", calls.Load())
	}
}

// failingOnce is a listener whose first Accept fails as when file
// descriptors run out.
type failingOnce struct {
	net.Listener
	failed atomic.Bool
}

func (l *failingOnce) Accept() (net.Conn, error) {
	if !l.failed.Swap(true) {
		return nil, &net.OpError{Op: "accept", Net: "tcp", Err: os.NewSyscallError("accept4", syscall.EMFILE)}
	}
	return l.Listener.Accept()
}

// Ensure an accept error other than a closed listener does not stop the
// front: it keeps serving, and Shutdown still ends Serve.
func TestFront_AcceptErrorRetried(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := New(ca, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}), slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 1)
	go func() { done <- f.Serve(&failingOnce{Listener: inner}) }()
	resp, err := proxyClient(t, inner.Addr().String(), ca).Get("https://console.tim.qq.com/v4/x/y")
	if err != nil {
		t.Fatalf("after an accept error: %v", err)
	}
	_ = resp.Body.Close()
	if err := f.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, http.ErrServerClosed) {
		t.Errorf("Serve returned %v", err)
	}
}
