package api_test

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// BenchmarkREST_SendGroupMsg measures one send_group_msg by a member on
// SQLite through the whole REST path: checks, the group row's lock, the
// MsgSeq, the stored row and the after-send event.
func BenchmarkREST_SendGroupMsg(b *testing.B) {
	h := MustOpenHarness(b, dbtest.SQLiteDSN(b), withCallbacks, func(o *api.Options) { o.RateLimit = 1 << 30 })
	h.importUsers("alice", "bob")
	h.create(`{"Owner_Account":"alice","Type":"Public","Name":"bench","GroupId":"Bench","MemberList":[{"Member_Account":"bob"}]}`)
	target := "/v4/group_open_http_svc/send_group_msg?" + AdminQuery(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := `{"GroupId":"Bench","From_Account":"bob","Random":` + strconv.Itoa(i) +
			`,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello"}}]}`
		w := httptest.NewRecorder()
		h.Handler.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
		if !strings.Contains(w.Body.String(), `"MsgSeq":`+strconv.Itoa(i+1)+`}`) {
			b.Fatal(w.Body.String())
		}
	}
}
