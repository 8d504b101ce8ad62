package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/usersig"
)

// serveREST answers POST /v4/{service}/{command}. The checks run in the order
// decisions.md §1 gives: method and size, sdkappid, identifier and usersig
// presence, UserSig verification, admin check, rate limit, route, JSON body,
// fields. Whatever happens, the reply is HTTP 200 with a Tencent envelope.
func (s *Server) serveREST(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	svcName, cmdName := splitPath(r.URL.Path)
	svc, known := services[svcName]
	if !known {
		svc = service{invalid: im.CodeUnknownResource, internal: im.CodeUnknownResource, unknownCommand: im.CodeUnknownResource}
	}
	rt := s.routes[svcName+"/"+cmdName]

	var (
		code     int
		info     string
		fields   any
		internal bool
		app      uint64
		ident    string
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				code, info, internal = svc.internal, "internal server error, please retry", true
				s.log.Error("panic serving request", "path", r.URL.Path, "panic", p)
			}
		}()
		c, body, err := s.admit(r, rt, svc)
		if c != nil {
			app, ident = c.App.SDKAppID, c.Identifier
		}
		if err == nil {
			ctx, cancel := context.WithTimeout(r.Context(), s.timeout)
			fields, err = rt.call(ctx, c, body)
			cancel()
		}
		code, info, internal = svc.outcome(err)
		if internal {
			s.log.Error("request failed", "service", svcName, "command", cmdName, "err", err)
		}
		if code != 0 {
			fields = nil
		}
	}()

	body, err := svc.envelope(code, info, fields)
	if err != nil {
		s.log.Error("encode reply", "service", svcName, "command", cmdName, "err", err)
		body, _ = svc.envelope(svc.internal, "internal server error, please retry", nil)
		code = svc.internal
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)

	elapsed := time.Since(start)
	if rt == nil {
		svcName, cmdName = "unknown", "unknown" // bound label cardinality
	}
	s.metrics.observe(svcName, cmdName, code, elapsed)
	s.log.Info("request", "service", svcName, "command", cmdName, "sdkappid", app,
		"identifier", ident, "code", code, "duration", elapsed)
}

// admit runs every check before the command itself and returns the call's
// context, or the Tencent error that stops it.
func (s *Server) admit(r *http.Request, rt *route, svc service) (*Call, []byte, error) {
	if r.Method != http.MethodPost {
		return nil, nil, im.Errorf(im.CodeHTTPParse, "HTTP method must be POST")
	}
	body, err := s.readBody(r)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.authorize(r, rt, svc)
	return c, body, err
}

// authorize checks the query parameters, the UserSig, admin rights and the
// rate limit, and finds the route.
func (s *Server) authorize(r *http.Request, rt *route, svc service) (*Call, error) {
	// Query parameters: the first value of each name counts; a malformed
	// escape elsewhere in the query does not hide the ones that parse.
	q, _ := url.ParseQuery(r.URL.RawQuery)
	appParam := q.Get("sdkappid")
	if appParam == "" {
		return nil, im.Errorf(im.CodeSDKAppIDMissing, "sdkappid is missing from the URL")
	}
	id, err := strconv.ParseUint(appParam, 10, 64)
	app := s.apps[id]
	if err != nil || app == nil {
		return nil, im.Errorf(im.CodeSDKAppIDInvalid, "sdkappid %q is not an app of this server", appParam)
	}
	ident := q.Get("identifier")
	if ident == "" {
		return nil, im.Errorf(im.CodeIdentifierError, "identifier is missing from the URL")
	}
	c := &Call{App: app, Identifier: ident, ClientIP: clientIP(r.RemoteAddr)}
	if err := s.verifySig(app, ident, q.Get("usersig")); err != nil {
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
	return c, nil
}

// clientIP is the host of a remote address, "" when it has none (a Unix
// socket). X-Forwarded-For and similar headers are deliberately ignored:
// any client can set them.
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

// verifySig checks the UserSig through the cached, lock-out guarded verifier.
func (s *Server) verifySig(app *im.App, ident, sig string) error {
	err := s.verifier.Verify(app.SDKAppID, app.SecretKey, ident, sig, s.now())
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

// readBody reads the whole body, refusing one over the limit before reading
// it when its length is announced, and as soon as it passes the limit when not.
func (s *Server) readBody(r *http.Request) ([]byte, error) {
	if r.ContentLength > s.maxBody {
		return nil, im.Errorf(im.CodeHTTPParse, "request body larger than %d bytes", s.maxBody)
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, im.Errorf(im.CodeHTTPParse, "request body larger than %d bytes", s.maxBody)
		}
		return nil, im.Errorf(im.CodeHTTPParse, "request body could not be read")
	}
	return body, nil
}
