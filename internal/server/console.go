package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/timd/timd/internal/console"
)

// handler is what timd serves on its address: the REST API and, when the
// console is on, the console's pages under /console/. Paths are split by
// prefix rather than through a ServeMux, which would redirect unclean paths
// that the REST layer answers itself.
func (m *Server) handler() http.Handler {
	rest := m.API.Handler()
	if !m.Config.ConsoleOn() {
		return rest
	}
	pages := console.Handler(console.Options{Version: m.Version, SDKAppID: m.Apps[0].SDKAppID})
	root := strings.TrimSuffix(console.Path, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == root:
			http.Redirect(w, r, console.Path, http.StatusFound)
		case strings.HasPrefix(r.URL.Path, console.Path):
			pages.ServeHTTP(w, r)
		default:
			rest.ServeHTTP(w, r)
		}
	})
}

// printConsole adds the console's address to the welcome, when it is on.
func (m *Server) printConsole(w io.Writer, dev bool) {
	if !m.Config.ConsoleOn() {
		return
	}
	how := "log in with the SDKAppID and secret key above"
	if !dev {
		how = "log in with an app's SDKAppID and its secret key or an admin UserSig"
	}
	fmt.Fprintf(w, "  Console:     %s%s  (%s)\n", m.URL(), console.Path, how)
}
