package server

import (
	"errors"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/timd/timd/internal/config"
)

// servePprof serves Go's profiles on their own listener, so that they are
// never reachable on the API's address: CPU and heap profiles of a running
// timd are how its performance work is measured (docs/benchmarks.md).
// Validate has refused a non-loopback address unless the operator allowed it.
func (m *Server) servePprof(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprofCmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	m.pprof, m.pprofAddr = srv, ln.Addr().String()
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			m.Logger.Error("pprof server stopped", "err", err)
		}
	}()
	if config.IsLoopback(addr) {
		m.Logger.Info("pprof profiles served", "addr", ln.Addr().String())
	} else {
		m.Logger.Warn("pprof profiles served on a non-loopback address (TIMD_PPROF_ALLOW_REMOTE)", "addr", ln.Addr().String())
	}
	return nil
}

// pprofCmdline is pprof.Cmdline with secrets taken out of the arguments:
// the command line may carry --secret-key, a callback token or secret, or
// a database URL with its password.
func pprofCmdline(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(strings.Join(redactArgs(os.Args), "\x00")))
}

// secretFlags are the flags whose value is a secret, of every timd command.
var secretFlags = map[string]bool{"secret-key": true, "callback-token": true, "callback-secret": true, "key": true}

const redacted = "xxxxx"

// redactArgs returns args with the value of every secret flag replaced, and
// the password of every URL (a postgres:// DSN, a callback URL with user
// info) hidden as url.URL.Redacted does.
func redactArgs(args []string) []string {
	out := make([]string, len(args))
	secretNext := false
	for i, a := range args {
		switch {
		case secretNext:
			a, secretNext = redacted, false
		case strings.HasPrefix(a, "-"):
			name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
			switch {
			case secretFlags[name] && hasValue:
				a = a[:len(a)-len(value)] + redacted
			case secretFlags[name]:
				secretNext = true
			case hasValue:
				a = a[:len(a)-len(value)] + redactURL(value)
			}
		default:
			a = redactURL(a)
		}
		out[i] = a
	}
	return out
}

// redactURL hides the password of s if s is a URL that has one.
func redactURL(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	u, err := url.Parse(s)
	if err != nil {
		// Unparsable but URL-like: it may still hold a password.
		return redacted
	}
	if _, has := u.User.Password(); has {
		return u.Redacted()
	}
	return s
}
