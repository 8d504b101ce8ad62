package proxyfront

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// preambleTimeout bounds the CONNECT request and the first byte: a client
// that opens a connection and says nothing does not hold it.
const preambleTimeout = 10 * time.Second

// tlsHandshake is the first byte of a TLS record carrying a ClientHello.
const tlsHandshake = 0x16

// Front is the proxy front: one listener answering CONNECT and direct TLS,
// and an http.Server serving the TLS connections with Handler.
type Front struct {
	ca     *CA
	logger *slog.Logger
	srv    *http.Server
	conns  *connListener

	mu     sync.Mutex
	ln     net.Listener
	closed bool // Shutdown or Close was called: Serve serves no more
}

// New returns a front that serves the requests it terminates with h, with
// certificates of ca, logging refusals to logger.
func New(ca *CA, h http.Handler, logger *slog.Logger) *Front {
	return &Front{
		ca:     ca,
		logger: logger,
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			ReadTimeout:       60 * time.Second,
			IdleTimeout:       120 * time.Second,
			ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
		},
	}
}

// Serve accepts connections on ln until Shutdown or Close, and returns
// http.ErrServerClosed then. Other accept errors (out of file descriptors,
// say) are logged and retried after a pause, as http.Server does.
func (f *Front) Serve(ln net.Listener) error {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		return http.ErrServerClosed
	}
	f.ln = ln
	f.conns = newConnListener(ln.Addr())
	f.mu.Unlock()
	served := make(chan error, 1)
	go func() { served <- f.srv.Serve(f.conns) }()
	var pause time.Duration
	for {
		c, err := ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			// Closing conns cannot fail; the server then returns that
			// conns is closed.
			_ = f.conns.Close()
			<-served
			return http.ErrServerClosed
		}
		if err != nil {
			pause = min(max(2*pause, 5*time.Millisecond), time.Second)
			f.logger.Warn("proxy front accept failed; retrying", "err", err, "pause", pause)
			time.Sleep(pause)
			continue
		}
		pause = 0
		go f.handle(c)
	}
}

// Shutdown stops accepting, then waits until ctx is done for the requests in
// flight, as http.Server.Shutdown.
func (f *Front) Shutdown(ctx context.Context) error {
	ln := f.markClosed()
	var err error
	if ln != nil {
		if cerr := ln.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
			err = cerr
		}
	}
	return errors.Join(err, f.srv.Shutdown(ctx))
}

// Close closes the listener and every connection at once.
func (f *Front) Close() error {
	ln := f.markClosed()
	if ln != nil {
		_ = ln.Close() // Close below reports what matters
	}
	return f.srv.Close()
}

// markClosed records that the front is closing and returns the listener
// Serve accepts on, nil when Serve has not started.
func (f *Front) markClosed() net.Listener {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return f.ln
}

// handle reads what a new connection starts with: TLS goes straight to the
// server, a CONNECT to a Tencent host is answered 200 and its tunnel's TLS
// goes there; anything else is answered and closed.
func (f *Front) handle(c net.Conn) {
	_ = c.SetDeadline(time.Now().Add(preambleTimeout)) // a failure shows on the reads below
	br := bufio.NewReader(c)
	first, err := br.Peek(1)
	if err != nil {
		_ = c.Close() // gone before saying anything
		return
	}
	host := ""
	if first[0] != tlsHandshake {
		var ok bool
		if host, ok = f.connect(c, br); !ok {
			_ = c.Close() // answered in connect
			return
		}
	}
	_ = c.SetDeadline(time.Time{}) // the server sets its own from here
	f.conns.push(tls.Server(&bufConn{Conn: c, r: br}, f.tlsConfig(host)))
}

// connect reads the proxy request on c. A CONNECT to port 443 of one of
// Hosts is answered 200 and its host returned; anything else is refused.
func (f *Front) connect(c net.Conn, br *bufio.Reader) (string, bool) {
	req, err := http.ReadRequest(br)
	if err != nil {
		reply(c, http.StatusBadRequest, "timd's proxy front: not an HTTP request: "+err.Error())
		return "", false
	}
	if req.Method != http.MethodConnect {
		reply(c, http.StatusMethodNotAllowed, "timd's proxy front answers CONNECT to Tencent's REST hosts only; "+
			"use https:// URLs through it, or call timd's own address directly")
		return "", false
	}
	host, port, err := net.SplitHostPort(req.Host)
	if err != nil || port != "443" || !Allowed(host) {
		f.logger.Warn("proxy front refused a CONNECT", "target", req.Host, "remote", c.RemoteAddr().String())
		reply(c, http.StatusForbidden, fmt.Sprintf("timd's proxy front does not connect to %q: it answers only "+
			"for Tencent Cloud Chat's REST hosts on port 443 and is not an open proxy", req.Host))
		return "", false
	}
	if _, err := io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return "", false
	}
	return normalHost(host), true
}

// reply writes a short plain-text HTTP answer that closes the connection.
func reply(w io.Writer, code int, text string) {
	_, _ = fmt.Fprintf(w, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s\n",
		code, http.StatusText(code), len(text)+1, text) // the connection closes next either way
}

// tlsConfig is the TLS configuration of one connection: the certificate of
// the name the client asks for (SNI), or else of the CONNECT host; a name
// not among Hosts gets none, and the handshake fails.
func (f *Front) tlsConfig(connectHost string) *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := normalHost(hello.ServerName)
			if name == "" {
				name = connectHost
			}
			if !Allowed(name) {
				return nil, fmt.Errorf("timd's proxy front has no certificate for %q: it answers only for Tencent Cloud Chat's REST hosts", name)
			}
			return f.ca.Leaf(name)
		},
	}
}

// bufConn is a connection whose first bytes were read into r.
type bufConn struct {
	net.Conn
	r *bufio.Reader
}

func (b *bufConn) Read(p []byte) (int, error) { return b.r.Read(p) }

// connListener hands the connections handle prepared to the http.Server.
type connListener struct {
	ch   chan net.Conn
	done chan struct{}
	once sync.Once
	addr net.Addr
}

func newConnListener(addr net.Addr) *connListener {
	return &connListener{ch: make(chan net.Conn), done: make(chan struct{}), addr: addr}
}

func (l *connListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ch:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *connListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *connListener) Addr() net.Addr { return l.addr }

// push gives c to the server, or closes it once the listener is closed.
func (l *connListener) push(c net.Conn) {
	select {
	case l.ch <- c:
	case <-l.done:
		_ = c.Close() // the front is shutting down
	}
}
