// Package timdtest starts a timd for a Go test: Run gives the base URL, the
// app's SdkAppId and key, and a ready admin UserSig, on a fresh in-memory
// database with callbacks captured (TIMD_CALLBACK_URL=internal), the clock
// and the rest of the control plane on, and no rate limit.
//
// By default timd runs inside the test's process: no binary, no Docker.
// WithImage, or TIMDTEST_IMAGE in the environment, runs the timd image in
// a container instead, through the docker (or TIMDTEST_ENGINE's) command.
// Users of testcontainers-go have a module of their own:
// github.com/timd/timd/testcontainers.
//
//	srv := timdtest.Start(t) // Run, failing t on an error, and Close when t ends
//	resp, err := http.Post(srv.CallURL("im_open_login_svc", "account_import"), "application/json",
//		strings.NewReader(`{"UserID":"alice"}`))
//
// timdtest is a package of the timd module, not a module of its own: it
// runs timd's server, which is internal to the module, and so adds no
// dependency timd does not have.
package timdtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/usersig"
)

// Server is a running timd.
type Server struct {
	URL       string // base URL, http://127.0.0.1:PORT, without a trailing slash
	SdkAppID  uint64 // the app served
	SecretKey string // its key, for UserSigs of other identifiers (Sig)
	Admin     string // its first admin, "administrator" unless TIMD_ADMINS says otherwise
	UserSig   string // the admin's UserSig, valid 180 days

	stop func() error
}

// Close stops timd and drops its data. Calling it again does nothing.
func (s *Server) Close() error {
	if s.stop == nil {
		return nil
	}
	stop := s.stop
	s.stop = nil
	return stop()
}

// Query is the query string of a REST call as the admin, in Tencent's
// order: sdkappid, identifier, usersig, random, contenttype.
func (s *Server) Query() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<31))
	return fmt.Sprintf("sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json",
		s.SdkAppID, url.QueryEscape(s.Admin), url.QueryEscape(s.UserSig), n.Int64())
}

// CallURL is the URL of the REST command service/command (Tencent's
// /v4/{service}/{command}, or timd's control plane with service
// "timd_capture", "timd_fault", ...) called as the admin.
func (s *Server) CallURL(service, command string) string {
	return s.URL + "/v4/" + service + "/" + command + "?" + s.Query()
}

// Sig returns a UserSig of identifier for the app, valid 180 days, made with
// Tencent's algorithm: what an SDK logging in as identifier would use.
func (s *Server) Sig(identifier string) (string, error) {
	return usersig.Gen(s.SdkAppID, s.SecretKey, identifier, usersig.DefaultExpire, time.Now())
}

// Option changes how Run starts timd.
type Option func(*options)

type options struct {
	env    map[string]string // TIMD_* settings
	image  string            // run this image in a container; "" runs in-process
	engine string            // the container command: docker or podman
	log    io.Writer         // timd's log (in-process)
	wait   time.Duration     // how long a container may take to be ready
}

// WithEnv sets one of timd's settings (`timd help` lists them), such as
// TIMD_EDITION or TIMD_PROFILE_FIELDS, over Run's defaults.
func WithEnv(key, value string) Option {
	return func(o *options) { o.env[key] = value }
}

// WithImage runs timd from image in a container (the Dockerfile's image,
// say "timd" after `docker build -t timd .`), instead of in-process.
func WithImage(image string) Option {
	return func(o *options) { o.image = image }
}

// WithLog sends timd's log to w; by default it is discarded. A container's
// log stays with the container engine.
func WithLog(w io.Writer) Option {
	return func(o *options) { o.log = w }
}

// Run starts a timd and returns once it serves. ctx bounds the start only;
// Close stops it.
func Run(ctx context.Context, opts ...Option) (*Server, error) {
	o := &options{
		env:    defaultEnv(),
		image:  os.Getenv("TIMDTEST_IMAGE"),
		engine: os.Getenv("TIMDTEST_ENGINE"),
		log:    io.Discard,
		wait:   time.Minute,
	}
	for _, opt := range opts {
		opt(o)
	}
	if o.image != "" {
		return runContainer(ctx, o)
	}
	return runInProcess(ctx, o)
}

// defaultEnv is what a test wants of timd: nothing kept, callbacks
// captured for timd_capture, the clock movable, no rate limit, and an app
// with a random SdkAppId and key whose control plane is on.
func defaultEnv() map[string]string {
	id, key := newApp()
	return map[string]string{
		"TIMD_DATA":         ":memory:",
		"TIMD_ADDR":         "127.0.0.1:0",
		"TIMD_SDKAPPID":     strconv.FormatUint(id, 10),
		"TIMD_SECRET_KEY":   key,
		"TIMD_CONTROL":      "on",
		"TIMD_CALLBACK_URL": "internal",
		"TIMD_TIME_CONTROL": "on",
		"TIMD_RATE_LIMIT":   "off",
	}
}

// newApp draws an SdkAppId in Tencent's 14xxxxxxxx range and a
// 64-hex-digit key, as timd's development app is drawn.
func newApp() (uint64, string) {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000)) // crypto/rand does not fail
	var key [32]byte
	_, _ = rand.Read(key[:])
	return 1_400_000_000 + n.Uint64(), hex.EncodeToString(key[:])
}

// adminOf is the first admin TIMD_ADMINS names, else timd's default.
func adminOf(env map[string]string) string {
	if first, _, _ := strings.Cut(env["TIMD_ADMINS"], ","); strings.TrimSpace(first) != "" {
		return strings.TrimSpace(first)
	}
	return "administrator"
}

// newServer fills in the admin's UserSig.
func newServer(base string, id uint64, key, admin string, stop func() error) (*Server, error) {
	s := &Server{URL: strings.TrimSuffix(base, "/"), SdkAppID: id, SecretKey: key, Admin: admin, stop: stop}
	sig, err := s.Sig(admin)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("admin UserSig: %w", err), stop())
	}
	s.UserSig = sig
	return s, nil
}

// Start is Run for a test: it fails tb when timd does not start, and stops
// timd when the test and its subtests have finished.
func Start(tb testing.TB, opts ...Option) *Server {
	tb.Helper()
	s, err := Run(tb.Context(), opts...)
	if err != nil {
		tb.Fatalf("timdtest: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("timdtest: stop timd: %v", err)
		}
	})
	return s
}
