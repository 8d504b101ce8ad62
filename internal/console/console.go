// Package console is timd's web console at /console/: a page per section,
// rendered from embedded templates, whose plain JavaScript calls the same
// REST and management APIs (/v4/..., /metrics) a script would, with the
// credentials the user typed. The console keeps no state and no logic about
// the data of its own: the server only renders the page shells.
package console

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

// Path is where the console is served; every page lives under it.
const Path = "/console/"

//go:embed assets/templates/*.html assets/static/*
var assets embed.FS

// page is one section of the console: its path under Path, its title in
// the navigation, and its name, which names its template
// (assets/templates/NAME.html) and its script (assets/static/NAME.js).
type page struct {
	Slug, Name, Title string
}

// pages lists the console's sections in the navigation's order.
var pages = []page{
	{"", "overview", "Overview"},
	{"accounts", "accounts", "Accounts"},
	{"groups", "groups", "Groups"},
	{"friends", "friends", "Friends"},
	{"callbacks", "callbacks", "Callbacks"},
	{"control", "control", "Faults & clock"},
}

// loginPage asks for the credentials; it is not in the navigation.
var loginPage = page{"login", "login", "Log in"}

// Options configure the console's handler.
type Options struct {
	// Version is timd's version, shown in the page footer.
	Version string
	// SDKAppID, when not 0, is the login form's default SDKAppID (the
	// first app timd serves; an SDKAppID is no secret, clients carry it).
	SDKAppID uint64
}

// view is what a page's template sees.
type view struct {
	Page     page
	Pages    []page
	Version  string
	SDKAppID uint64
}

// Handler serves the console's pages and static files under Path.
func Handler(opts Options) http.Handler {
	static, err := fs.Sub(assets, "assets/static")
	if err != nil {
		panic(err) // the embedded tree always has it
	}
	files := http.StripPrefix(Path+"static/", http.FileServer(http.FS(static)))
	bySlug := map[string]page{}
	tmpls := map[string]*template.Template{}
	for _, p := range append([]page{loginPage}, pages...) {
		bySlug[p.Slug] = p
		// One set per page: the layout and the page's "body".
		tmpls[p.Name] = template.Must(template.ParseFS(assets,
			"assets/templates/layout.html", "assets/templates/"+p.Name+".html"))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		rest := strings.TrimPrefix(r.URL.Path, Path)
		if strings.HasPrefix(rest, "static/") {
			// Assets change only with the binary; a short cache keeps an
			// upgraded timd's console fresh.
			w.Header().Set("Cache-Control", "max-age=300")
			files.ServeHTTP(w, r)
			return
		}
		p, ok := bySlug[strings.TrimSuffix(rest, "/")]
		if !ok {
			http.NotFound(w, r)
			return
		}
		render(w, tmpls[p.Name], view{Page: p, Pages: pages, Version: opts.Version, SDKAppID: opts.SDKAppID})
	})
}

// render writes a page, or a 500 if its template fails (it is embedded and
// tested, so that would be a bug of the build).
func render(w http.ResponseWriter, tmpl *template.Template, v view) {
	var b bytes.Buffer
	if err := tmpl.ExecuteTemplate(&b, "layout.html", v); err != nil {
		http.Error(w, "console template: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	// The pages load only their own scripts and talk only to this timd.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(b.Bytes()) // a client gone away is not ours to report
}
