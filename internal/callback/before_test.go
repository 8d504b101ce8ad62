package callback_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/im"
)

// beforeFields are what the create_group handler asks the app backend.
var beforeFields = im.BeforeCreateGroupBody{
	Operator: "administrator", Owner: "alice", Type: "Public", Name: "g",
	CreateGroupNum: 3, MemberList: []im.MemberAccount{{Account: "bob"}},
}

// beforeApp is an app whose before-callbacks go to url.
func beforeApp(url string, reject bool) *im.App {
	return &im.App{SDKAppID: testApp, Callback: im.CallbackConfig{
		URL: url, BeforeTimeout: 50 * time.Millisecond, RejectOnFailure: reject,
	}}
}

// wantErr fails unless err is nil (code 0) or an *im.Error with the code and,
// unless info is "", that info.
func wantErr(t *testing.T, err error, code int, info string) {
	t.Helper()
	if code == 0 {
		if err != nil {
			t.Fatalf("err = %v, want nil", err)
		}
		return
	}
	var ie *im.Error
	if !errors.As(err, &ie) || ie.Code != code || (info != "" && ie.Info != info) {
		t.Fatalf("err = %#v, want *im.Error{%d, %q}", err, code, info)
	}
}

// Ensure a before-callback carries the fields with CallbackCommand and
// EventTime (a JSON number, now), Tencent's query with the caller's ClientIP
// and both signatures.
func TestBefore_Request(t *testing.T) {
	rc := newReceiver(t, nil)
	rc.token = "before-token"
	rc.secrets = []string{"whsec_" + "c2VjcmV0LWZvci1iZWZvcmUtY2FsbGJhY2tz"}
	app := beforeApp(rc.URL(), false)
	app.Callback.Token, app.Callback.Secret = rc.token, rc.secrets
	start := time.Now().UnixMilli()
	if err := (&callback.Before{}).Before(t.Context(), app, "203.0.113.7", beforeFields); err != nil {
		t.Fatal(err)
	}
	end := time.Now().UnixMilli()
	hits := rc.Hits()
	if len(hits) != 1 {
		t.Fatalf("%d requests", len(hits))
	}
	h := hits[0]
	var body map[string]any
	d := json.NewDecoder(strings.NewReader(string(h.Body)))
	d.UseNumber()
	if err := d.Decode(&body); err != nil {
		t.Fatal(err)
	}
	et, err := body["EventTime"].(json.Number).Int64()
	if err != nil || et < start || et > end {
		t.Errorf("EventTime %v, want a number from %d to %d", body["EventTime"], start, end)
	}
	if body["CallbackCommand"] != im.CallbackBeforeCreateGroup {
		t.Errorf("CallbackCommand %v", body["CallbackCommand"])
	}
	delete(body, "EventTime")
	delete(body, "CallbackCommand")
	var want map[string]any
	raw, _ := json.Marshal(beforeFields)
	d = json.NewDecoder(strings.NewReader(string(raw)))
	d.UseNumber()
	if err := d.Decode(&want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body fields %v, want %v", body, want)
	}
	if got := queryKeys(h.RawQuery); !reflect.DeepEqual(got, []string{"SdkAppid", "CallbackCommand", "contenttype", "ClientIP", "OptPlatform", "Sign", "RequestTime"}) {
		t.Errorf("query keys %q", got)
	}
	if h.Query.Get("contenttype") != "json" || h.Query.Get("OptPlatform") != "RESTAPI" || h.Query.Get("ClientIP") != "203.0.113.7" {
		t.Errorf("query %s", h.RawQuery)
	}
	if got := rc.verifiedCount(); got != 2 {
		t.Errorf("%d signatures verified, want 2", got)
	}
}

// Ensure the reply decides: ErrorCode 0 allows, 1 rejects with 10016, 10100
// to 10200 pass through with their ErrorInfo, anything else rejects with
// 10016; and the body decides only on a 2xx reply.
func TestBefore_Replies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply string
		code  int
		info  string
	}{
		{"allow", `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, 0, ""},
		{"allow-bare", `{"ErrorCode":0}`, 0, ""},
		{"reject", `{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":1}`, im.CodeGroupCallbackDenied, ""},
		{"custom", `{"ActionStatus":"FAIL","ErrorInfo":"custom","ErrorCode":10150}`, 10150, "custom"},
		{"custom-low", `{"ActionStatus":"FAIL","ErrorInfo":"lowest","ErrorCode":10100}`, 10100, "lowest"},
		{"custom-high", `{"ActionStatus":"FAIL","ErrorInfo":"highest","ErrorCode":10200}`, 10200, "highest"},
		{"below-range", `{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":10099}`, im.CodeGroupCallbackDenied, ""},
		{"above-range", `{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":10201}`, im.CodeGroupCallbackDenied, ""},
		{"other", `{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":2}`, im.CodeGroupCallbackDenied, ""},
		{"negative", `{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":-1}`, im.CodeGroupCallbackDenied, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tc.reply)
			})
			for _, reject := range []bool{false, true} { // a reply is no failure
				err := (&callback.Before{}).Before(t.Context(), beforeApp(rc.URL(), reject), "127.0.0.1", beforeFields)
				wantErr(t, err, tc.code, tc.info)
			}
		})
	}
}

// Ensure a receiver that times out, fails or answers something unreadable
// lets the operation go ahead, or rejects it with 10016 when the app says
// so, within the before-callback timeout.
func TestBefore_Failures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter, r *http.Request)
	}{
		{"timeout", func(w http.ResponseWriter, r *http.Request) { hang(r); io.WriteString(w, okReply) }},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500); io.WriteString(w, okReply) }},
		{"404", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(404); io.WriteString(w, okReply) }},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>not json</html>") }},
		{"empty", func(w http.ResponseWriter, r *http.Request) {}},
		{"no-ErrorCode", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ActionStatus":"OK"}`) }},
		{"string-ErrorCode", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ErrorCode":"0"}`) }},
		{"dropped", func(w http.ResponseWriter, r *http.Request) { hijackClose(t, w) }},
		{"redirect", func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/elsewhere" {
				io.WriteString(w, okReply)
				return
			}
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) { tc.respond(w, r) })
			for _, reject := range []bool{false, true} {
				start := time.Now()
				err := (&callback.Before{}).Before(t.Context(), beforeApp(rc.URL(), reject), "127.0.0.1", beforeFields)
				if took := time.Since(start); took > 2*time.Second {
					t.Errorf("Before took %v with a 50 ms timeout", took)
				}
				if reject {
					wantErr(t, err, im.CodeGroupCallbackDenied, "")
				} else {
					wantErr(t, err, 0, "")
				}
			}
		})
	}
}
