package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// Ensure that when PostgreSQL goes away calls answer the internal code
// promptly (no hang, no crash) and /readyz says 503, and that both recover
// by themselves once the database is back.
func TestOutage_PostgresRecovers(t *testing.T) {
	proxy, dsn := dbtest.NewProxy(t, dbtest.PostgresDSN(t))
	h := MustOpenHarness(t, dsn, func(o *api.Options) { o.RequestTimeout = 3 * time.Second })
	h.MustCall(0, login, "account_import", `{"UserID":"alice"}`)

	proxy.Cut()
	start := time.Now()
	h.MustCall(70500, login, "account_import", `{"UserID":"bob"}`)
	h.MustCall(70500, login, "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("calls during the outage took %v", d)
	}
	if code := statusOf(t, h.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz during outage = %d", code)
	}

	proxy.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := h.Call(login, "account_import", `{"UserID":"bob"}`)
		if r.Code(t) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery: %v", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := h.MustCall(0, login, "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"}]}`)
	if got := r.Raw; !contains(got, `"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`) ||
		!contains(got, `"UserID":"bob","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`) {
		t.Fatalf("after recovery: %s", got)
	}
	if code := statusOf(t, h.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz after recovery = %d", code)
	}
}

func statusOf(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
