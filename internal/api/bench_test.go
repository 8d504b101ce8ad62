package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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
		_ = json.Unmarshal(body, &req) // the decode is measured; the body is the benchmark's own
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
		_ = json.NewEncoder(w).Encode(resp) // to the ResponseWriter, as in .ci/errcheck_excludes.txt
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

// BenchmarkREST_GetGroupInfo measures get_group_info of one Public group with
// ten members on SQLite: the read path of the group service.
func BenchmarkREST_GetGroupInfo(b *testing.B) {
	h := MustOpenHarness(b, dbtest.SQLiteDSN(b), func(o *api.Options) { o.RateLimit = 1 << 30 })
	members := `{"Member_Account":"m0"}`
	h.MustCall(0, login, "account_import", `{"UserID":"m0"}`)
	for i := 1; i < 10; i++ {
		id := "m" + string(rune('0'+i))
		h.MustCall(0, login, "account_import", `{"UserID":"`+id+`"}`)
		members += `,{"Member_Account":"` + id + `"}`
	}
	h.MustCall(0, grp, "create_group", `{"Type":"Public","Name":"b","GroupId":"g1","Owner_Account":"m0","MemberList":[`+members+`]}`)
	handler := h.Handler
	target := "/v4/group_open_http_svc/get_group_info?" + AdminQuery(b)
	body := `{"GroupIdList":["g1"]}`
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
			if !strings.Contains(w.Body.String(), `"MemberNum":10`) {
				b.Fatal(w.Body.String())
			}
		}
	})
}

// BenchmarkREST_CreateDestroyGroup measures a write pair from parallel
// callers on SQLite (synchronous=FULL): create_group then destroy_group of a
// group with two members, callbacks recorded. Parallel callers let the
// store's group commit share fsyncs, as concurrent clients do.
func BenchmarkREST_CreateDestroyGroup(b *testing.B) {
	h := MustOpenHarness(b, dbtest.SQLiteDSN(b), func(o *api.Options) { o.RateLimit = 1 << 30 })
	h.MustCall(0, login, "multiaccount_import", `{"Accounts":["a","b"]}`)
	handler := h.Handler
	q := AdminQuery(b)
	var n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := fmt.Sprintf("g%d", n.Add(1))
			w := httptest.NewRecorder()
			handler.ServeHTTP(w, httptest.NewRequest("POST", "/v4/group_open_http_svc/create_group?"+q,
				strings.NewReader(`{"Type":"Public","Name":"b","GroupId":"`+id+`","Owner_Account":"a","MemberList":[{"Member_Account":"b"}]}`)))
			if !strings.Contains(w.Body.String(), `"ErrorCode":0`) {
				b.Fatal(w.Body.String())
			}
			w = httptest.NewRecorder()
			handler.ServeHTTP(w, httptest.NewRequest("POST", "/v4/group_open_http_svc/destroy_group?"+q, strings.NewReader(`{"GroupId":"`+id+`"}`)))
			if !strings.Contains(w.Body.String(), `"ErrorCode":0`) {
				b.Fatal(w.Body.String())
			}
		}
	})
}
