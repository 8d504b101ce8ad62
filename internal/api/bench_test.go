package api_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// BenchmarkREST_AccountCheck measures the authenticated request path of one
// account_check on SQLite: query parsing, the cached UserSig check, admin
// check, rate limit (Tencent mode), routing, JSON decode, a read
// transaction and the reply. No network: the handler is called directly.
func BenchmarkREST_AccountCheck(b *testing.B) {
	h := MustOpenHarness(b, dbtest.SQLiteDSN(b), func(o *api.Options) { o.RateLimit = 1 << 30 })
	h.MustCall(0, login, "account_import", `{"UserID":"alice"}`)
	handler := h.Handler
	target := "/v4/im_open_login_svc/account_check?" + AdminQuery(b)
	body := `{"CheckItem":[{"UserID":"alice"}]}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
		if !strings.Contains(w.Body.String(), `"Imported"`) {
			b.Fatal(w.Body.String())
		}
	}
}

// BenchmarkBaseline_Envelope is the floor the REST path is compared with: a
// bare handler that decodes the same body and answers the same reply from
// memory, with no checks and no database.
func BenchmarkBaseline_Envelope(b *testing.B) {
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct{ CheckItem []struct{ UserID string } }
		body, _ := io.ReadAll(r.Body)
		json.Unmarshal(body, &req)
		type item struct {
			UserID, ResultInfo, AccountStatus string
			ResultCode                        int
		}
		resp := struct {
			ActionStatus, ErrorInfo string
			ErrorCode               int
			ResultItem              []item
		}{ActionStatus: "OK", ResultItem: []item{{UserID: req.CheckItem[0].UserID, AccountStatus: "Imported"}}}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(resp)
	})
	target := "/v4/im_open_login_svc/account_check?" + AdminQuery(b)
	body := `{"CheckItem":[{"UserID":"alice"}]}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
		if !strings.Contains(w.Body.String(), `"Imported"`) {
			b.Fatal(w.Body.String())
		}
	}
}
