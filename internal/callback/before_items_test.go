package callback_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/im"
)

// prevFriendAdd is what the friend_add handler asks the app backend.
var prevFriendAdd = im.PrevFriendAddBody{
	Requester: "alice", From: "alice", AddType: "Add_Type_Both", ForceAddFlags: 0,
	FriendItem: []im.PrevFriendItem{
		{To: "bob", Remark: "r", GroupName: "g", AddSource: "AddSource_Type_Web", AddWording: "hi"},
		{To: "carol", Remark: "", GroupName: "", AddSource: "AddSource_Type_Web", AddWording: ""},
	},
}

// Ensure Sns.CallbackPrevFriendAdd carries the fields with CallbackCommand
// and EventTime, and Tencent's query.
func TestBeforeItems_Request(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
		io.WriteString(w, `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}]}`)
	})
	rejected, err := (&callback.Before{}).BeforeItems(t.Context(), beforeApp(rc.URL(), false), "127.0.0.1", prevFriendAdd)
	if err != nil || len(rejected) != 0 {
		t.Fatalf("BeforeItems = %v, %v", rejected, err)
	}
	hits := rc.Hits()
	if len(hits) != 1 {
		t.Fatalf("%d requests", len(hits))
	}
	var body map[string]any
	if err := json.Unmarshal(hits[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body["CallbackCommand"] != im.CallbackPrevFriendAdd || body["EventTime"] == nil {
		t.Errorf("body %s", hits[0].Body)
	}
	delete(body, "CallbackCommand")
	delete(body, "EventTime")
	var want map[string]any
	raw, _ := json.Marshal(prevFriendAdd)
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body fields %v, want %v", body, want)
	}
	if q := hits[0].Query; q.Get("CallbackCommand") != im.CallbackPrevFriendAdd || q.Get("OptPlatform") != "RESTAPI" {
		t.Errorf("query %s", hits[0].RawQuery)
	}
}

// Ensure the reply decides per item: a non-zero ResultCode rejects its
// To_Account with that code and ResultInfo (Tencent asks for 38000 to
// 39000), other items go ahead; a reply whose ErrorCode is not 0 counts as a
// failed receiver.
func TestBeforeItems_Replies(t *testing.T) {
	for _, tc := range []struct {
		name  string
		reply string
		want  map[string]*im.Error // for both failure policies, when the reply counts
		fails bool                 // the reply counts as a failure
	}{
		{"allow", `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},{"To_Account":"carol","ResultCode":0,"ResultInfo":""}]}`,
			map[string]*im.Error{}, false},
		{"no-items", `{"ErrorCode":0}`, map[string]*im.Error{}, false},
		{"null-items", `{"ErrorCode":0,"ResultItem":null}`, map[string]*im.Error{}, false},
		{"reject-one", `{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","ResultItem":[{"To_Account":"bob","ResultCode":38001,"ResultInfo":"not bob"},{"To_Account":"carol","ResultCode":0,"ResultInfo":""}]}`,
			map[string]*im.Error{"bob": {Code: 38001, Info: "not bob"}}, false},
		{"reject-range-ends", `{"ErrorCode":0,"ResultItem":[{"To_Account":"bob","ResultCode":38000,"ResultInfo":"a"},{"To_Account":"carol","ResultCode":39000,"ResultInfo":"b"}]}`,
			map[string]*im.Error{"bob": {Code: 38000, Info: "a"}, "carol": {Code: 39000, Info: "b"}}, false},
		{"reject-other-code", `{"ErrorCode":0,"ResultItem":[{"To_Account":"carol","ResultCode":1,"ResultInfo":"x"}]}`,
			map[string]*im.Error{"carol": {Code: 1, Info: "x"}}, false},
		{"error-code", `{"ActionStatus":"FAIL","ErrorCode":38001,"ErrorInfo":"no","ResultItem":[{"To_Account":"bob","ResultCode":38001,"ResultInfo":"no"}]}`, nil, true},
		{"bad-items", `{"ErrorCode":0,"ResultItem":{"To_Account":"bob"}}`, nil, true},
		{"bad-code", `{"ErrorCode":0,"ResultItem":[{"To_Account":"bob","ResultCode":"38001"}]}`, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) { io.WriteString(w, tc.reply) })
			for _, reject := range []bool{false, true} {
				got, err := (&callback.Before{}).BeforeItems(t.Context(), beforeApp(rc.URL(), reject), "127.0.0.1", prevFriendAdd)
				switch {
				case tc.fails && reject:
					wantErr(t, err, im.CodeSNSInternal, "")
				case tc.fails:
					if err != nil || len(got) != 0 {
						t.Errorf("failure let through: %v, %v", got, err)
					}
				case err != nil || !reflect.DeepEqual(got, tc.want):
					t.Errorf("reject=%v: %v, %v; want %v", reject, got, err, tc.want)
				}
			}
		})
	}
}

// Ensure a receiver that times out, fails or answers something unreadable
// lets every item go ahead, or, for an app that rejects on failure, fails
// every item with 30006, within the before-callback timeout.
func TestBeforeItems_Failures(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter, r *http.Request)
	}{
		{"timeout", func(w http.ResponseWriter, r *http.Request) { hang(r); io.WriteString(w, okReply) }},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500); io.WriteString(w, okReply) }},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<html>not json</html>") }},
		{"no-ErrorCode", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"ResultItem":[]}`) }},
		{"dropped", func(w http.ResponseWriter, r *http.Request) { hijackClose(t, w) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) { tc.respond(w, r) })
			for _, reject := range []bool{false, true} {
				start := time.Now()
				got, err := (&callback.Before{}).BeforeItems(t.Context(), beforeApp(rc.URL(), reject), "127.0.0.1", prevFriendAdd)
				if took := time.Since(start); took > 2*time.Second {
					t.Errorf("BeforeItems took %v with a 50 ms timeout", took)
				}
				if reject {
					wantErr(t, err, im.CodeSNSInternal, "")
					if ie := err.(*im.Error); !strings.Contains(ie.Info, im.CallbackPrevFriendAdd) {
						t.Errorf("info %q", ie.Info)
					}
				} else if err != nil || len(got) != 0 {
					t.Errorf("failure rejected: %v, %v", got, err)
				}
			}
		})
	}
}

// Ensure the per-item field does not change how Before reads a
// create_group reply.
func TestBefore_IgnoresResultItem(t *testing.T) {
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
		io.WriteString(w, `{"ErrorCode":0,"ResultItem":"whatever"}`)
	})
	if err := (&callback.Before{}).Before(t.Context(), beforeApp(rc.URL(), true), "127.0.0.1", beforeFields); err != nil {
		t.Fatal(err)
	}
}
