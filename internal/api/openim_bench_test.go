package api_test

import (
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
)

// BenchmarkREST_SendMsg measures openim/sendmsg from parallel callers on
// SQLite (synchronous=FULL) through the whole REST path: checks, the stored
// message, both conversations and the after-send event. Each caller sends
// from an account of its own, as timd-bench does, so group commit shares
// fsyncs as with concurrent clients.
func BenchmarkREST_SendMsg(b *testing.B) {
	h := MustOpenHarness(b, dbtest.SQLiteDSN(b), withCallbacks, func(o *api.Options) { o.RateLimit = 1 << 30 })
	h.MustCall(0, login, "multiaccount_import", `{"Accounts":["peer","u0","u1","u2","u3","u4","u5","u6","u7"]}`)
	target := "/v4/openim/sendmsg?" + AdminQuery(b)
	var worker, n atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		from := "u" + strconv.Itoa(int(worker.Add(1)-1)%8)
		for pb.Next() {
			body := `{"SyncOtherMachine":2,"From_Account":"` + from + `","To_Account":"peer","MsgRandom":` +
				strconv.Itoa(int(n.Add(1))) + `,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello"}}]}`
			w := httptest.NewRecorder()
			h.Handler.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
			if !strings.Contains(w.Body.String(), `"MsgKey"`) {
				b.Fatal(w.Body.String())
			}
		}
	})
}

// BenchmarkREST_AdminGetRoamMsg measures a page of 20 of admin_getroammsg,
// the newest end of a conversation of 200 messages, from parallel callers.
func BenchmarkREST_AdminGetRoamMsg(b *testing.B) {
	h := MustOpenHarness(b, dbtest.SQLiteDSN(b), func(o *api.Options) { o.RateLimit = 1 << 30 })
	h.MustCall(0, login, "multiaccount_import", `{"Accounts":["alice","bob"]}`)
	for i := range 200 {
		h.MustCall(0, "openim", "sendmsg", `{"SyncOtherMachine":1,"From_Account":"alice","To_Account":"bob","MsgRandom":`+
			strconv.Itoa(i)+`,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"message `+strconv.Itoa(i)+`"}}]}`)
	}
	target := "/v4/openim/admin_getroammsg?" + AdminQuery(b)
	body := `{"Operator_Account":"alice","Peer_Account":"bob","MaxCnt":20,"MinTime":0,"MaxTime":4000000000}`
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			w := httptest.NewRecorder()
			h.Handler.ServeHTTP(w, httptest.NewRequest("POST", target, strings.NewReader(body)))
			if !strings.Contains(w.Body.String(), `"MsgCnt":20`) {
				b.Fatal(w.Body.String())
			}
		}
	})
}
