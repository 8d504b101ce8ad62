// Package server is timd's start-up: it opens the database, resolves the
// apps, wires the REST API, the callback sender and the listeners together,
// serves, and shuts down. cmd/timd runs it as a process; timdtest runs it
// inside a user's test process (a package main cannot be imported).
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"github.com/prometheus/client_golang/prometheus"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/config"
	"github.com/timd/timd/internal/fault"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Server is one running timd server: its configuration and the parts it
// wires together. cmd/timd runs one per process; timdtest and end-to-end
// tests run it in-process on :0.
type Server struct {
	Config config.Config
	// Version is what the welcome and the log call this build (cmd/timd's
	// stamped version).
	Version string
	Store   *sqlstore.DB
	API     *api.Server
	Apps    []*im.App
	Logger  *slog.Logger
	// DevAppCreated reports that this start created the development app.
	DevAppCreated bool
	// dataWhere is where the data lives (dataPlace); dataExisted reports
	// that the SQLite file was there before this start.
	dataWhere   string
	dataExisted bool
	readyFile   string // the handshake file this start wrote (ready.go); Close removes it

	Stdout, Stderr io.Writer
	logBuf         *logBuffer // Logger's way to Stderr (logbuf.go)

	ln        net.Listener
	http      *http.Server
	pprof     *http.Server  // TIMD_PPROF_ADDR; nil when off
	pprofAddr string        // its listening address
	proxy     *proxyFront   // TIMD_PROXY_ADDR; nil when off
	served    chan struct{} // closed when http.Serve returns

	sender     *callback.Sender
	stopSender context.CancelFunc
	senderDone chan struct{}
	// stopRefresh ends the refresh of runtime apps (PostgreSQL only).
	stopRefresh context.CancelFunc
	refreshDone chan struct{}
	serveErr    error // what it returned
}

// New returns a Server with the default configuration.
func New() *Server {
	return &Server{Config: config.Default(), Stdout: os.Stdout, Stderr: os.Stderr}
}

// ParseFlags loads the configuration from args and the environment and
// validates it, reporting every problem at once.
func (m *Server) ParseFlags(args []string, getenv func(string) string) error {
	c, err := config.Load(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	// Validate even when a value did not parse, so one run shows every problem.
	if err := errors.Join(err, c.Validate()); err != nil {
		return fmt.Errorf("invalid configuration:\n%w", err)
	}
	m.Config = c
	return nil
}

// Run opens the database, resolves the apps, starts serving and prints how
// to make a first call. It returns once the server is listening.
func (m *Server) Run(ctx context.Context) error {
	c := m.Config
	m.logBuf = newLogBuffer(m.Stderr)
	m.Logger = newLogger(m.logBuf, c.LogLevel, c.LogFormat)

	openCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	// A commit that recorded callback events wakes the sender at once. The
	// sender is built below; nothing commits before the server starts.
	wake := func() {
		if m.sender != nil {
			m.sender.Kick()
		}
	}
	var clocks *im.Clocks // time control: off unless configured
	if c.TimeControl {
		clocks = &im.Clocks{}
	}
	m.dataWhere, m.dataExisted = dataPlace(c.Data)
	db, err := sqlstore.Open(openCtx, c.Data, sqlstore.Options{MaxConns: c.MaxConns, OnEvents: wake, Clocks: clocks})
	if err != nil {
		return fmt.Errorf("open database: %w", err)
	}
	m.Store = db

	if err := m.resolveApps(openCtx); err != nil {
		return err
	}
	if err := m.seed(openCtx); err != nil {
		return err
	}
	m.startServices(db, clocks)
	if err := m.serveRuntimeApps(openCtx); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	ln = api.LimitListener(ln, c.MaxConnections)
	m.ln = ln
	m.http = &http.Server{
		Handler:           m.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn),
	}
	m.served = make(chan struct{})
	go func() {
		m.serveErr = m.http.Serve(ln)
		close(m.served)
	}()

	if err := m.serveBeside(); err != nil {
		return err
	}

	m.Logger.Info("timd started", "version", m.Version, "addr", ln.Addr().String(),
		"database", db.Dialect(), "data", m.dataWhere, "apps", len(m.Apps))
	_ = m.logBuf.Flush() // the start's lines at once, before the welcome
	m.printWelcome()
	return m.writeReady()
}

// startServices starts the callback sender and builds the REST API, which
// share the metrics, the apps' clocks (the store's too) and the faults of
// timd_fault.
func (m *Server) startServices(db *sqlstore.DB, clocks *im.Clocks) {
	c := m.Config
	rate, _ := c.RateLimitPerSec() // Validate has checked it
	metrics := api.NewMetrics()
	// Faults of timd_fault: one set, for the REST commands and the
	// callbacks both.
	faults := fault.New(metrics.Registry(), m.Logger)
	registerBatchStats(metrics.Registry(), db)
	m.startSender(db, metrics, clocks, faults)
	m.API = api.NewServer(api.Options{
		Apps:         m.Apps,
		Store:        db,
		Logger:       m.Logger,
		Metrics:      metrics,
		MaxBodyBytes: c.MaxBodyBytes,
		PublicURL:    c.PublicURL,
		RateLimit:    rate,
		Clocks:       clocks,
		Faults:       faults,
		Before:       &callback.Before{Client: &http.Client{}, Logger: m.Logger, Capture: db, Faults: faults},
		// Bodies are read only after the query authenticates, within this
		// budget; the listener below caps the connections.
		MaxInflightBytes: c.MaxInflightBytes,
		// ConfigSvc/GetIPList answers where timd listens, once it does.
		IPList:     func() []string { return listenIPs(m.ln) },
		AppWatcher: m.sender, // learns the apps timd_apps creates and deletes
	})
}

// serveBeside starts the listeners configured beside the API's: Go's
// profiles and the proxy front.
func (m *Server) serveBeside() error {
	c := m.Config
	if c.PprofAddr != "" {
		if err := m.servePprof(c.PprofAddr); err != nil {
			return fmt.Errorf("pprof listener: %w", err)
		}
	}
	if c.ProxyAddr != "" {
		if err := m.serveProxy(m.http.Handler); err != nil {
			return fmt.Errorf("proxy front: %w", err)
		}
	}
	return nil
}

// startSender starts the callback sender of the served apps.
func (m *Server) startSender(db *sqlstore.DB, metrics *api.Metrics, clocks *im.Clocks, faults *fault.Injector) {
	c := m.Config
	m.sender = callback.NewSender(callback.Options{
		Store: db, Apps: m.Apps, Logger: m.Logger, Metrics: callback.NewMetrics(metrics.Registry()),
		Retention: c.CallbackRetention, Lease: c.CallbackLease, Clocks: clocks,
		Capture: db, Faults: faults,
	})
	senderCtx, stop := context.WithCancel(context.Background())
	m.stopSender, m.senderDone = stop, make(chan struct{})
	go func() {
		m.sender.Run(senderCtx)
		close(m.senderDone)
	}()
}

// appRefreshInterval is how often an instance on PostgreSQL rereads the
// runtime apps, so that one another instance deleted stops being served
// (one another created is read when first called).
const appRefreshInterval = 2 * time.Second

// serveRuntimeApps serves the apps created at runtime (timd_apps) that
// are stored and, on PostgreSQL, keeps them up to date.
func (m *Server) serveRuntimeApps(ctx context.Context) error {
	if err := m.API.RefreshApps(ctx); err != nil {
		return fmt.Errorf("runtime apps: %w", err)
	}
	if m.Store.Dialect() == "postgres" {
		m.startAppRefresh()
	}
	return nil
}

// startAppRefresh rereads the runtime apps every appRefreshInterval until
// Close.
func (m *Server) startAppRefresh() {
	ctx, stop := context.WithCancel(context.Background())
	m.stopRefresh, m.refreshDone = stop, make(chan struct{})
	go func() {
		defer close(m.refreshDone)
		t := time.NewTicker(appRefreshInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if err := m.API.RefreshApps(ctx); err != nil && ctx.Err() == nil {
				m.Logger.Warn("refresh runtime apps", "err", err)
			}
		}
	}()
}

// resolveApps builds the served apps from the configuration, or, with none
// configured, from the development app stored in the database (created with
// a random SDKAppID and secret key on first start). Every app's admins exist
// as accounts, so they can be named wherever an imported account is needed.
func (m *Server) resolveApps(ctx context.Context) error {
	appCfgs := m.Config.AllApps()
	if len(appCfgs) == 0 {
		dev := m.Config.App
		if dev.Control == nil {
			dev.Control = new(true) // the development app is a test double first
		}
		if dev.Callback.URL == "" && m.Config.ConsoleOn() {
			// Its callbacks are captured, so that the console shows each
			// one arrive (the Callbacks page) with no receiver to set up.
			dev.Callback.URL = im.CaptureURL
		}
		id, key, created, err := m.Store.DevApp(ctx, newDevApp)
		if err != nil {
			return fmt.Errorf("development app: %w", err)
		}
		dev.SDKAppID, dev.SecretKey, m.DevAppCreated = id, key, created
		// Said in the log too: a start in another directory makes a new
		// app, and the log is where an operator looks later.
		if created {
			m.Logger.Info("development app created, its key stored with the data", "sdkappid", id, "data", m.dataWhere)
		} else {
			m.Logger.Info("development app reused", "sdkappid", id, "data", m.dataWhere)
		}
		appCfgs = []config.AppConfig{dev}
	}
	for _, a := range appCfgs {
		app := &im.App{
			SDKAppID:  a.SDKAppID,
			SecretKey: a.SecretKey,
			Admins:    a.Admins,
			Edition:   im.Edition(a.Edition),
			Callback:  a.CallbackConfig(),

			ProfileFields: a.ProfileFields(),
			Control:       a.Control != nil && *a.Control,
		}
		if err := m.Store.EnsureAccounts(ctx, app.SDKAppID, app.Admins); err != nil {
			return fmt.Errorf("app %d admins: %w", app.SDKAppID, err)
		}
		m.Apps = append(m.Apps, app)
	}
	return nil
}

// newDevApp draws a development app: an SDKAppID in Tencent's 14xxxxxxxx
// range and a 64-hex-digit secret key, both random, so no default secret
// ships in the code.
func newDevApp() (uint64, string) {
	n, err := rand.Int(rand.Reader, big.NewInt(100_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	var key [32]byte
	rand.Read(key[:])
	return 1_400_000_000 + n.Uint64(), hex.EncodeToString(key[:])
}

// Addr returns the address timd listens on, with the real port for :0.
func (m *Server) Addr() string {
	if m.ln == nil {
		return ""
	}
	return m.ln.Addr().String()
}

// URL returns a base URL clients on this machine can reach timd at.
func (m *Server) URL() string {
	return "http://" + localAddr(m.Addr())
}

// localAddr is the address clients on this machine reach the listen
// address addr at: an unspecified or named host becomes 127.0.0.1.
func localAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// Wait blocks until ctx is done or the server stops serving on its own (an
// accept error), which it returns.
func (m *Server) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-m.served:
		return fmt.Errorf("server stopped: %w", m.serveErr)
	}
}

// Close stops accepting requests, waits up to ShutdownTimeout for in-flight
// ones to finish (dropping those that do not), and closes the database.
func (m *Server) Close() error {
	m.removeReady()
	var errs []error
	if m.pprof != nil {
		if err := m.pprof.Close(); err != nil {
			errs = append(errs, fmt.Errorf("pprof: %w", err))
		}
		m.pprof = nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
	defer cancel()
	if err := m.closeProxy(ctx); err != nil {
		errs = append(errs, err)
	}
	if m.http != nil {
		if err := m.http.Shutdown(ctx); err != nil {
			errs = append(errs, fmt.Errorf("shutdown: %w", err))
			// Drop the requests still in flight rather than leave them
			// running against the database closed below.
			_ = m.http.Close() // the Shutdown error above is the one reported
		}
		<-m.served
		if err := m.serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs = append(errs, err)
		}
		m.http = nil
	}
	if m.stopRefresh != nil {
		m.stopRefresh()
		<-m.refreshDone
		m.stopRefresh = nil
	}
	if m.stopSender != nil {
		// Deliveries in flight finish and are recorded before the
		// database closes.
		m.stopSender()
		<-m.senderDone
		m.stopSender = nil
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
		m.Store = nil
	}
	if m.Logger != nil {
		m.Logger.Info("timd stopped")
	}
	if m.logBuf != nil {
		errs = append(errs, m.logBuf.Flush())
	}
	return errors.Join(errs...)
}

// newLogger returns a logger writing to w through buf (logbuf.go).
func newLogger(buf *logBuffer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	var h slog.Handler = slog.NewTextHandler(buf, opts)
	if format == "json" {
		h = slog.NewJSONHandler(buf, opts)
	}
	return slog.New(flushingHandler{h, buf})
}

// DataPlace is where the data lives, as the welcome shows it: an absolute
// SQLite path, "in memory", or the PostgreSQL URL without its password.
func (m *Server) DataPlace() string { return m.dataWhere }

// PprofAddr is the address Go's profiles are served on; empty when off.
func (m *Server) PprofAddr() string { return m.pprofAddr }

// registerBatchStats exports the SQLite committer's counts: writes per
// transaction is how well group commit shares each fsync, the first thing
// to look at when writes are slower than expected. Both stay at zero on
// PostgreSQL, which has no committer.
func registerBatchStats(reg *prometheus.Registry, db *sqlstore.DB) {
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "timd_sqlite_write_transactions_total",
			Help: "Write transactions the SQLite committer ran (each one commit and fsync).",
		}, func() float64 { b, _ := db.BatchStats(); return float64(b) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "timd_sqlite_writes_total",
			Help: "Writes those transactions carried (a REST call's change, a delivery record, a claim).",
		}, func() float64 { _, w := db.BatchStats(); return float64(w) }),
	)
}
