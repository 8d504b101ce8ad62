package callback_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"testing"

	"github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/im"
)

// c2cSend is the C2C.CallbackBeforeSendMsg sendmsg sends for Tencent's
// sample message.
var c2cSend = im.C2CBeforeSendMsgBody{
	From: "jared", To: "John", MsgSeq: 48374, MsgRandom: 2837546, MsgTime: 1557481126,
	MsgKey: "48374_2837546_1557481126", OnlineOnlyFlag: 0,
	MsgBody:   im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}]`),
	CloudData: "your cloud custom data",
}

// Ensure C2C.CallbackBeforeSendMsg carries the sample's keys in the sample's
// order, then EventTime.
func TestBeforeSend_C2CBody(t *testing.T) {
	var got []byte
	rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
		got = h.Body
		io.WriteString(w, okReply)
	})
	if _, err := (&callback.Before{}).BeforeSend(t.Context(), beforeApp(rc.URL(), false), "127.0.0.1", c2cSend); err != nil {
		t.Fatal(err)
	}
	var keys []string
	dec := json.NewDecoder(bytes.NewReader(got))
	if _, err := dec.Token(); err != nil {
		t.Fatalf("callback body %s: %v", got, err)
	}
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("callback body %s: %v", got, err)
		}
	}
	want := []string{"CallbackCommand", "From_Account", "To_Account", "MsgSeq", "MsgRandom", "MsgTime", "MsgKey",
		"OnlineOnlyFlag", "MsgBody", "CloudCustomData", "EventTime"}
	if len(keys) != len(want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	for i := range want {
		if keys[i] != want[i] {
			t.Fatalf("keys %v, want %v", keys, want)
		}
	}
}

// Ensure the reply to C2C.CallbackBeforeSendMsg decides the message's fate:
// 0 sends it (rewritten by a MsgBody or CloudCustomData in the reply, an
// invalid MsgBody ignored), 2 discards it, 1 refuses it with 20006, a code
// from 120001 to 130000 refuses it with that code and ErrorInfo, anything
// else refuses it with 20006.
func TestBeforeSend_C2CReplies(t *testing.T) {
	rewritten := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}},{"MsgType":"TIMCustomElem","MsgContent":{"Desc":" CustomElement.MemberLevel ","Data":" LV1"}}]`
	for _, tc := range []struct {
		name, reply string
		code        int
		info        string
		discard     bool
		body        string // the rewritten MsgBody, "" for none
		cloud       string // the rewritten CloudCustomData, "-" for none
	}{
		{"allow", `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, 0, "", false, "", "-"},
		{"rewrite", `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgBody":` + rewritten + `,"CloudCustomData":"your new cloud custom data"}`,
			0, "", false, rewritten, "your new cloud custom data"},
		{"rewrite-cloud-only", `{"ErrorCode":0,"CloudCustomData":""}`, 0, "", false, "", ""},
		{"rewrite-invalid-body", `{"ErrorCode":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{}}]}`, 0, "", false, "", "-"},
		{"discard", `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":2}`, 0, "", true, "", "-"},
		{"deny", `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":1}`, im.CodeMsgCallbackDenied, "", false, "", "-"},
		{"custom", `{"ActionStatus":"OK","ErrorInfo":"level too low","ErrorCode":120001}`, 120001, "level too low", false, "", "-"},
		{"custom-high", `{"ActionStatus":"OK","ErrorInfo":"highest","ErrorCode":130000}`, 130000, "highest", false, "", "-"},
		{"above-range", `{"ActionStatus":"OK","ErrorInfo":"x","ErrorCode":130001}`, im.CodeMsgCallbackDenied, "", false, "", "-"},
		{"group-range", `{"ActionStatus":"OK","ErrorInfo":"x","ErrorCode":10100}`, im.CodeMsgCallbackDenied, "", false, "", "-"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tc.reply)
			})
			for _, reject := range []bool{false, true} { // a reply is no failure
				v, err := (&callback.Before{}).BeforeSend(t.Context(), beforeApp(rc.URL(), reject), "127.0.0.1", c2cSend)
				wantErr(t, err, tc.code, tc.info)
				if v.Discard != tc.discard || string(v.MsgBody) != tc.body {
					t.Errorf("verdict %+v, want discard %v body %s", v, tc.discard, tc.body)
				}
				switch {
				case tc.cloud == "-" && v.CloudCustomData != nil:
					t.Errorf("CloudCustomData rewritten to %q", *v.CloudCustomData)
				case tc.cloud != "-" && (v.CloudCustomData == nil || *v.CloudCustomData != tc.cloud):
					t.Errorf("CloudCustomData %v, want %q", v.CloudCustomData, tc.cloud)
				}
			}
		})
	}
}

// Ensure a receiver that fails lets the message go unchanged, or refuses it
// with 20006 when the app rejects on failure.
func TestBeforeSend_C2CFailure(t *testing.T) {
	for _, tc := range []struct {
		name    string
		respond func(w http.ResponseWriter, r *http.Request)
	}{
		{"timeout", func(w http.ResponseWriter, r *http.Request) { hang(r); io.WriteString(w, okReply) }},
		{"500", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(500) }},
		{"garbage", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "not json") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, func(w http.ResponseWriter, r *http.Request, h hit) { tc.respond(w, r) })
			for _, reject := range []bool{false, true} {
				v, err := (&callback.Before{}).BeforeSend(t.Context(), beforeApp(rc.URL(), reject), "127.0.0.1", c2cSend)
				if reject {
					wantErr(t, err, im.CodeMsgCallbackDenied, "")
				} else {
					wantErr(t, err, 0, "")
				}
				if v.Discard || v.MsgBody != nil || v.CloudCustomData != nil {
					t.Errorf("reject %v: verdict %+v, want none", reject, v)
				}
			}
		})
	}
}
