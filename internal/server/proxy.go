package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/proxyfront"
	"github.com/timd/timd/internal/sqlstore"
)

// proxyFront is the running proxy front (TIMD_PROXY_ADDR): its listener,
// the CA certificate clients trust, and the end of its Serve.
type proxyFront struct {
	front  *proxyfront.Front
	ln     net.Listener
	caPath string
	done   chan error
}

// serveProxy starts the proxy front: CONNECT and direct TLS for Tencent's
// REST hosts, served by the same handler as the API's own address, within
// the same connection cap. The CA is made on first start in the CA
// directory, by default the SQLite file's.
func (m *Server) serveProxy(h http.Handler) error {
	c := m.Config
	dir := c.ProxyCADir
	if dir == "" {
		if sqlstore.IsMemory(c.Data) || sqlstore.IsPostgres(c.Data) {
			return errors.New("TIMD_PROXY_CA_DIR is needed: the data has no directory to keep the CA in")
		}
		dir = filepath.Dir(sqlstore.SQLitePath(c.Data))
	}
	ca, err := proxyfront.LoadOrCreateCA(dir)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.ProxyAddr)
	if err != nil {
		return err
	}
	p := &proxyFront{
		front:  proxyfront.New(ca, h, m.Logger),
		ln:     api.LimitListener(ln, c.MaxConnections),
		caPath: ca.CertPath(),
		done:   make(chan error, 1),
	}
	go func() { p.done <- p.front.Serve(p.ln) }()
	m.proxy = p
	m.Logger.Info("proxy front started", "addr", ln.Addr().String(), "ca", p.caPath)
	return nil
}

// ProxyURL is the HTTPS_PROXY value that reaches the proxy front from this
// machine; empty when it is off.
func (m *Server) ProxyURL() string {
	if m.proxy == nil {
		return ""
	}
	return "http://" + localAddr(m.proxy.ln.Addr().String())
}

// ProxyCA is the path of the proxy front's CA certificate; empty when off.
func (m *Server) ProxyCA() string {
	if m.proxy == nil {
		return ""
	}
	return m.proxy.caPath
}

// printProxy adds the proxy front to the welcome: the two variables an
// unchanged SDK needs.
func (m *Server) printProxy(w io.Writer) {
	if m.proxy == nil {
		return
	}
	fmt.Fprintf(w, "  Proxy front: HTTPS_PROXY=%s SSL_CERT_FILE=%s\n", m.ProxyURL(), m.ProxyCA())
	fmt.Fprintf(w, "               (for SDKs that hard-code Tencent's hosts; docs/clients.md)\n")
}

// closeProxy stops the proxy front as Close stops the API: requests in
// flight get until ctx is done.
func (m *Server) closeProxy(ctx context.Context) error {
	if m.proxy == nil {
		return nil
	}
	p := m.proxy
	m.proxy = nil
	err := p.front.Shutdown(ctx)
	if err != nil {
		_ = p.front.Close() // the Shutdown error is the one reported
	}
	// Closed by Shutdown once Serve runs; closed here in case it had not
	// started yet (closing twice is harmless).
	_ = p.ln.Close()
	if serr := <-p.done; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	if err != nil {
		return fmt.Errorf("proxy front: %w", err)
	}
	return nil
}
