package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/usersig"
)

// serveREST answers every request but the health and metrics endpoints:
// POST /v4/{service}/{command}, and with 60009 any other path. The checks run
// in the order docs/decisions.md §1.3 gives, the body read only once the
// query has passed: method, an announced body size over the limit, sdkappid,
// identifier and usersig presence, UserSig verification, admin check, rate
// limit, route, the in-flight body budget, the body itself (size), JSON body,
// fields. Whatever happens, the reply is HTTP 200 with a Tencent envelope.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	x := &exchange{}
	x.svcName, x.cmdName, x.v4 = splitPath(r.URL.Path)
	svc, known := services[x.svcName]
	if !known {
		svc = unknownService
	}
	x.svc = svc
	if x.v4 {
		x.rt = s.route(x.svcName, x.cmdName)
	}
	buf := getBuf()
	body := s.encode((*buf)[:0], x, s.handle(r, x))
	// Counted before the reply goes out: a client that has its reply finds
	// the call in /metrics.
	s.logExchange(r, x, time.Since(start))
	s.reply(w, r, x, body)
	// Written: neither the reply's bytes nor the request's are used again.
	*buf = body
	putBuf(buf)
	putBuf(x.adm.pooled)
}

// exchange is one REST request on its way through serveREST.
type exchange struct {
	svcName, cmdName string // as the path names them
	v4               bool   // the path is under /v4/
	svc              service
	rt               *route // nil: no such command
	adm              admission
	code             int
	info             string
	faulted          bool // code is a fault rule's (timd_fault), not the command's
}

// testHookReplyCode, when set (by the package's tests only), hears of every
// reply to a known command: TestMain holds the codes heard to those
// /openapi.json lists for the command.
var testHookReplyCode func(service, command string, code int, faulted bool)

// handle runs the checks and the command, setting x's admission and
// outcome, and returns the reply's fields (nil unless it succeeded). A panic
// is the service's internal code.
func (s *Server) handle(r *http.Request, x *exchange) (fields any) {
	defer func() {
		if p := recover(); p != nil {
			x.code, x.info = x.svc.internal, "internal server error, please retry"
			s.log.Error("panic serving request", "path", r.URL.Path, "panic", p)
		}
	}()
	var err error
	if x.v4 {
		x.adm, err = s.admit(r, x.rt, x.svc)
	} else {
		err = im.Errorf(im.CodeUnknownResource, "unknown resource: REST API paths are /v4/{service}/{command}")
	}
	if err == nil {
		dl := newLazyDeadline(r.Context(), time.Now().Add(s.timeout+longPoll(x.rt)))
		ctx := im.WithClockOffset(dl, s.clocks.Offset(x.adm.call.App.SDKAppID))
		if err = s.injectFault(ctx, x); err == nil {
			fields, err = x.rt.h.call(ctx, x.adm.call, x.adm.body)
		}
		dl.release()
	}
	var internal bool
	x.code, x.info, internal = x.svc.outcome(err)
	if internal {
		s.log.Error("request failed", "service", x.svcName, "command", x.cmdName, "err", err)
	}
	if x.code != 0 {
		fields = nil
	}
	return fields
}

// encode appends to dst the envelope of x's outcome with fields; a reply
// that cannot be encoded becomes the service's internal code.
func (s *Server) encode(dst []byte, x *exchange, fields any) []byte {
	body, err := x.svc.appendEnvelope(dst, x.code, x.info, fields)
	if err != nil {
		s.log.Error("encode reply", "service", x.svcName, "command", x.cmdName, "err", err)
		body, _ = x.svc.appendEnvelope(dst[:0], x.svc.internal, "internal server error, please retry", nil)
		x.code = x.svc.internal
	}
	return body
}

// reply writes body, gives back the request's in-flight bytes, and closes a
// connection whose body was refused.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, x *exchange, body []byte) {
	h := w.Header()
	// One allocation for both values; each slice is capped so that an
	// append to one cannot write over the other.
	vals := []string{jsonContentType, strconv.Itoa(len(body))}
	h["Content-Type"], h["Content-Length"] = vals[0:1:1], vals[1:2:2]
	// A body refused before or while it was read is not wanted: the
	// connection is closed after the reply rather than drained.
	drop := x.adm.body == nil && r.ContentLength != 0
	if drop {
		h.Set("Connection", "close")
	}
	// The request body is done with: give its bytes back before the reply
	// goes out, so a client that has its reply never finds them still held.
	s.inflight.release(x.adm.reserved)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
	if drop {
		hangUp(w)
	}
}

// logExchange counts and logs a request once its reply is ready.
func (s *Server) logExchange(r *http.Request, x *exchange, elapsed time.Duration) {
	svcName, cmdName := x.svcName, x.cmdName
	if x.rt != nil {
		svcName, cmdName = x.rt.service, x.rt.command
	} else {
		// Unknown names are logged and counted as sent, made safe and
		// bounded; outside /v4/ the path stands as the command.
		if !x.v4 {
			svcName, cmdName = "", strings.TrimPrefix(r.URL.Path, "/")
		}
		svcName, cmdName = cleanName(svcName), cleanName(cmdName)
	}
	s.metrics.observe(svcName, cmdName, x.rt != nil, x.code, elapsed)
	if testHookReplyCode != nil && x.rt != nil {
		testHookReplyCode(svcName, cmdName, x.code, x.faulted)
	}
	var app uint64
	var ident string
	if c := x.adm.call; c != nil {
		app, ident = c.App.SDKAppID, c.Identifier
	}
	s.log.LogAttrs(context.Background(), slog.LevelInfo, "request", slog.String("service", svcName),
		slog.String("command", cmdName), slog.Uint64("sdkappid", app), slog.String("identifier", ident),
		slog.Int("code", x.code), slog.Duration("duration", elapsed))
}

// jsonContentType is the Content-Type of every REST reply.
const jsonContentType = "application/json; charset=utf-8"

// lingerDelay is how long hangUp leaves a connection half-closed.
const lingerDelay = 500 * time.Millisecond

// hangUp sends the reply at once and closes the connection without reading
// what is left of the request. Left to net/http, the server would first read
// up to 256 KiB of the unwanted body, waiting until the read timeout on a
// client that does not send it. The write side is closed first and the rest
// a moment later, as net/http does: closing a connection with unread input
// resets it, and a reset can destroy the reply before the client reads it.
func hangUp(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	if rc.Flush() != nil {
		return
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		return // not a network connection (tests calling the handler)
	}
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		_ = cw.CloseWrite() // fails only if the client is gone: nothing left to send to
	}
	time.AfterFunc(lingerDelay, func() { conn.Close() })
}

// unknownService answers for a service that does not exist.
var unknownService = service{invalid: im.CodeUnknownResource, internal: im.CodeUnknownResource, unknownCommand: im.CodeUnknownResource}

// admission is what the checks before a command established.
type admission struct {
	call *Call  // nil until sdkappid and identifier have been read
	body []byte // the request body, read only once the query has passed; nil until then
	// reserved is how much of the in-flight body budget the request holds
	// until its reply is written.
	reserved int64
	// pooled is the pooled buffer body was read into, if it was: given back
	// once the reply is written.
	pooled *[]byte
}

// admit runs every check before the command itself and returns what they
// established, or the Tencent error that stops the call. The body is not
// read until the query has authenticated an admin of a known app for a known
// command and the in-flight budget has room for it.
func (s *Server) admit(r *http.Request, rt *route, svc service) (a admission, err error) {
	if r.Method != http.MethodPost {
		return a, im.Errorf(im.CodeHTTPParse, "HTTP method must be POST")
	}
	if r.ContentLength > s.maxBody {
		return a, s.tooLarge()
	}
	if a.call, err = s.authorize(r, rt, svc); err != nil {
		return a, err
	}
	// An unannounced size may reach the limit: it reserves the limit.
	n := r.ContentLength
	if n < 0 {
		n = s.maxBody
	}
	if !s.inflight.acquire(n) {
		return a, im.Errorf(im.CodeRateLimited, "server busy: too many request bytes in flight, retry later")
	}
	a.reserved = n
	a.body, a.pooled, err = s.readBody(r)
	return a, err
}

// authorize checks the query parameters, the UserSig, admin rights and the
// rate limit, and finds the route.
func (s *Server) authorize(r *http.Request, rt *route, svc service) (*Call, error) {
	// Query parameters: the first value of each name counts; a malformed
	// escape elsewhere in the query does not hide the ones that parse.
	q := readAuthQuery(r.URL.RawQuery)
	appParam := q.sdkAppID
	if appParam == "" {
		return nil, im.Errorf(im.CodeSDKAppIDMissing, "sdkappid is missing from the URL")
	}
	// Only the canonical decimal form names an app: ParseUint would also
	// take leading zeros.
	id, err := strconv.ParseUint(appParam, 10, 64)
	var app *im.App
	if err == nil && appParam[0] != '0' {
		app = s.lookupApp(r.Context(), id)
	}
	if app == nil {
		return nil, im.Errorf(im.CodeSDKAppIDInvalid, "sdkappid %q is not an app of this server", appParam)
	}
	ident := q.identifier
	if ident == "" {
		return nil, im.Errorf(im.CodeIdentifierError, "identifier is missing from the URL")
	}
	c := &Call{App: app, Identifier: ident, ClientIP: clientIP(r.RemoteAddr), BaseURL: s.baseURL(r)}
	if err := s.verifySig(app, ident, q.userSigQuery, c.ClientIP); err != nil {
		return c, err
	}
	if !app.IsAdmin(ident) {
		return c, im.Errorf(im.CodeAdminRequired, "identifier %q is not an app admin", ident)
	}
	if !s.limiter.allow(app.SDKAppID, rt, s.now()) {
		return c, im.Errorf(im.CodeRateLimited, "REST API call frequency over the limit")
	}
	if rt == nil {
		return c, im.Errorf(svc.unknownCommand, "unknown service or command: %s", r.URL.Path)
	}
	if svc.control && !app.Control {
		return c, im.Errorf(svc.unknownCommand, "the control plane is off for app %d: start timd with TIMD_CONTROL=on (docs/ci-usage.md)", app.SDKAppID)
	}
	return c, nil
}

// clientIP is the host of a remote address, "" when it has none (a Unix
// socket). X-Forwarded-For and similar headers are deliberately ignored:
// any client can set them.
// baseURL is the base of the URLs a reply to r hands out: the configured
// public URL, or scheme://host of r as its client addressed it.
func (s *Server) baseURL(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	if r.TLS != nil {
		return "https://" + r.Host
	}
	return "http://" + r.Host
}

func clientIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return ""
	}
	return host
}

// sigCodes maps each UserSig failure to its Tencent code.
var sigCodes = []struct {
	err  error
	code int
	info string
}{
	{usersig.ErrEmpty, im.CodeSigEmpty, "usersig is missing or empty"},
	{usersig.ErrMalformed, im.CodeSigMalformed, "usersig could not be decoded"},
	{usersig.ErrAppID, im.CodeSigSDKAppID, "usersig was issued for another sdkappid"},
	{usersig.ErrIdentifier, im.CodeSigIdentifier, "usersig was issued for another identifier"},
	{usersig.ErrExpired, im.CodeSigExpired, "usersig expired"},
	{usersig.ErrSignature, im.CodeSigKeyMismatch, "usersig does not match the app's secret key"},
	{usersig.ErrLocked, im.CodeSigLocked, "too many failed usersig checks, retry after a minute"},
}

// verifySig checks the UserSig (as the query has it, escaped) through the cached, lock-out guarded
// verifier; failures are counted per client address.
func (s *Server) verifySig(app *im.App, ident, sigQuery, client string) error {
	err := s.verifier.VerifyQueryFrom(app.SDKAppID, app.SecretKey, ident, sigQuery, client, s.appNow(app))
	if err == nil {
		return nil
	}
	for _, sc := range sigCodes {
		if errors.Is(err, sc.err) {
			return im.Errorf(sc.code, "%s", sc.info)
		}
	}
	return fmt.Errorf("usersig: %w", err)
}

// readBody reads the whole body: into a buffer of the announced size, or,
// when none is announced (chunked), up to the limit, refusing the body as
// soon as it passes it. The body is nil exactly when err is not. A body of
// an announced size up to maxPooledBuf is read into a pooled buffer,
// returned as pooled for putBuf once the body is no longer used.
func (s *Server) readBody(r *http.Request) (body []byte, pooled *[]byte, err error) {
	if n := r.ContentLength; n >= 0 {
		if n <= maxPooledBuf {
			pooled = getBuf()
			body = slices.Grow((*pooled)[:0], int(n))[:n]
			*pooled = body
		} else {
			body = make([]byte, n)
		}
		if _, err := io.ReadFull(r.Body, body); err != nil {
			putBuf(pooled)
			return nil, nil, im.Errorf(im.CodeHTTPParse, "request body could not be read")
		}
		return body, pooled, nil
	}
	body, err = io.ReadAll(http.MaxBytesReader(nil, r.Body, s.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, s.tooLarge()
		}
		return nil, nil, im.Errorf(im.CodeHTTPParse, "request body could not be read")
	}
	return body, nil, nil
}

// maxPooledBuf is the largest buffer bufPool keeps.
const maxPooledBuf = 64 << 10

// bufPool holds the buffers request bodies are read into and replies are
// encoded in.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// getBuf takes an empty buffer from bufPool.
func getBuf() *[]byte {
	b := bufPool.Get().(*[]byte)
	*b = (*b)[:0]
	return b
}

// putBuf gives b back to bufPool, unless it is nil or larger than
// maxPooledBuf. Nothing may use b's bytes afterwards.
func putBuf(b *[]byte) {
	if b == nil || cap(*b) > maxPooledBuf {
		return
	}
	bufPool.Put(b)
}

func (s *Server) tooLarge() error {
	return im.Errorf(im.CodeHTTPParse, "request body larger than %d bytes", s.maxBody)
}
