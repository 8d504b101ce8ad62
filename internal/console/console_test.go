package console

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func get(t *testing.T, h http.Handler, method, path string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
	res := rec.Result()
	body, _ := io.ReadAll(res.Body)
	return res, string(body)
}

// Ensure every page renders with the navigation, its own script and the
// shared one, under a policy that allows only the console's own files.
func TestConsole_Pages(t *testing.T) {
	h := Handler(Options{Version: "v9", SDKAppID: 1400000042})
	for _, p := range append([]page{loginPage}, pages...) {
		res, body := get(t, h, http.MethodGet, Path+p.Slug)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", p.Slug, res.StatusCode)
		}
		for _, want := range []string{"<title>" + strings.ReplaceAll(p.Title, "&", "&amp;") + " · timd console</title>",
			`src="/console/static/console.js"`, `src="/console/static/` + p.Name + `.js"`, "timd v9"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %s", p.Slug, want)
			}
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: Content-Security-Policy %q", p.Slug, csp)
		}
		if prefilled := strings.Contains(body, `value="1400000042"`); prefilled != (p.Name == "login") {
			t.Errorf("%s: SDKAppID prefilled %v", p.Slug, prefilled)
		}
		if nav := strings.Contains(body, `<a href="/console/accounts"`); nav == (p.Name == "login") {
			t.Errorf("%s: navigation shown %v", p.Slug, nav)
		}
	}
}

// Ensure each page's script and the stylesheet are served from the
// embedded files, and that what is not a page is 404 and a POST 405.
func TestConsole_StaticAndErrors(t *testing.T) {
	h := Handler(Options{})
	for _, p := range append([]page{loginPage}, pages...) {
		if res, _ := get(t, h, http.MethodGet, Path+"static/"+p.Name+".js"); res.StatusCode != http.StatusOK {
			t.Errorf("%s.js: %d", p.Name, res.StatusCode)
		}
	}
	res, body := get(t, h, http.MethodGet, Path+"static/console.css")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") || body == "" {
		t.Errorf("console.css: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	for _, path := range []string{Path + "nope", Path + "static/nope.js", Path + "accounts/x"} {
		if res, _ := get(t, h, http.MethodGet, path); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", path, res.StatusCode)
		}
	}
	if res, _ := get(t, h, http.MethodPost, Path); res.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", res.StatusCode)
	}
}
