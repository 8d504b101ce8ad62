package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// fuzzSigToken in a fuzzed query stands for a valid admin UserSig of
// TestApp, which the fuzzer could never find on its own.
const fuzzSigToken = "SIG"

// FuzzREST drives the whole request path in-process: the route (an index into
// the route table; past its end, unknown commands and services), the raw query
// string and the body. Whatever they are, the reply is HTTP 200 with the
// envelope of docs/decisions.md §1.1, and never a service's internal-error
// code: on a healthy SQLite store no input may be an internal failure.
func FuzzREST(f *testing.F) {
	h := MustOpenHarness(f, dbtest.SQLiteDSN(f))
	sig := Sig(f, TestAppID, TestKey, Admin, 86400*365)
	// Some known state for the commands to find.
	seed := func(svc, cmd, body string) {
		r := httptest.NewRecorder()
		req, _ := http.NewRequest("POST", "http://timd/v4/"+svc+"/"+cmd, strings.NewReader(body))
		req.URL.RawQuery = "sdkappid=1400000001&identifier=administrator&usersig=" + sig
		h.Handler.ServeHTTP(r, req)
	}
	seed("im_open_login_svc", "multiaccount_import", `{"Accounts":["alice","bob","carol"]}`)
	seed("group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","GroupId":"fuzzgroup","Name":"g","MemberList":[{"Member_Account":"bob"}]}`)
	seed("sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Test"}],"ForceAddFlags":1}`)

	routes := fuzzRoutes()
	good := "sdkappid=1400000001&identifier=administrator&usersig=" + fuzzSigToken + "&random=1&contenttype=json"
	for i, rt := range hostileRoutes {
		f.Add(i, good, []byte(`{}`))
		f.Add(i, good, []byte(rt.wrongType))
		f.Add(i, good, []byte(strings.ReplaceAll(rt.idBody, "%s", `"alice"`)))
	}
	f.Add(0, good, []byte(`{"Type":"Public","Name":"x","Owner_Account":"alice"}`))
	f.Add(1, good, []byte(`{"GroupIdList":["fuzzgroup","@TGS#nope"]}`))
	f.Add(len(routes)-1, good, []byte(`{}`))
	f.Add(3, "sdkappid=1400000001&identifier=administrator&usersig=junk", []byte(`{}`))
	f.Add(3, "identifier=administrator&usersig="+fuzzSigToken, []byte(`{}`))
	f.Add(3, "sdkappid=9&identifier=administrator&usersig="+fuzzSigToken, []byte(`{}`))
	f.Add(3, "sdkappid=1400000001&usersig="+fuzzSigToken, []byte(`{}`))
	f.Add(3, "sdkappid=1400000001&identifier=alice&usersig="+fuzzSigToken, []byte(`{}`))
	f.Add(3, good+"&sdkappid=2&identifier=x", []byte(`{"From_Account":"alice","ContactItem":`))
	f.Add(5, "%zz&sdkappid=1400000001;x&identifier=administrator&usersig="+fuzzSigToken, []byte("[[[[[[[[[["))
	f.Add(10, good, []byte("{\"From_Account\":\"al\xffice\u0000\"}"))
	f.Add(20, good, []byte(`{"From_Account":"'; DROP TABLE accounts;--","StartIndex":0}`))

	f.Fuzz(func(t *testing.T, route int, query string, body []byte) {
		if route < 0 {
			route = -route
			if route < 0 {
				route = 0
			}
		}
		path := routes[route%len(routes)]
		query = strings.ReplaceAll(query, fuzzSigToken, sig)
		req, err := http.NewRequest("POST", "http://timd"+path, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.URL.RawQuery = query
		req.RemoteAddr = "192.0.2.1:1234"
		w := httptest.NewRecorder()
		h.Handler.ServeHTTP(w, req)
		r := checkEnvelope(t, path, w.Code, w.Header().Get("Content-Type"), w.Body.Bytes())
		code := r.Code(t)
		svc := strings.Split(strings.TrimPrefix(path, "/v4/"), "/")[0]
		if c, ok := hostileServices[svc]; ok && code == c.internal {
			t.Fatalf("%s?%s %q: internal-error code %d: %s", path, query, body, code, r.Raw)
		}
		_, hasDisplay := r.M["ErrorDisplay"]
		if want := svc == "sns" || svc == "recentcontact"; hasDisplay != want {
			t.Fatalf("%s: ErrorDisplay present = %v: %s", path, hasDisplay, r.Raw)
		}
	})
}

// fuzzRoutes is every route of the table, then unknown commands and
// services.
func fuzzRoutes() []string {
	var out []string
	for _, rt := range hostileRoutes {
		out = append(out, rt.path())
	}
	return append(out,
		"/v4/group_open_http_svc/no_such_command",
		"/v4/im_open_login_svc/no_such_command",
		"/v4/no_such_service/account_check",
		"/v4/sns",
		"/v4/",
	)
}
