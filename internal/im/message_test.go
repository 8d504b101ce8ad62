package im

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseMsgBody(t *testing.T) {
	big := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + strings.Repeat("x", MaxMsgBodyBytes) + `"}}]`
	for _, tc := range []struct {
		body string
		code int // 0: valid
	}{
		{`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`, 0},
		{`[ {"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi", "Extra": 1}} ]`, 0},
		{`[{"MsgType":"TIMLocationElem","MsgContent":{"Desc":"d","Latitude":29.3,"Longitude":-116.7}}]`, 0},
		{`[{"MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Data":"abc\u0000"}}]`, 0},
		{`[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"d"}},{"MsgType":"TIMTextElem","MsgContent":{"Text":"t"}}]`, 0},
		{`[{"MsgType":"TIMImageElem","MsgContent":{"UUID":"u","ImageFormat":1,"ImageInfoArray":[]}}]`, 0},
		{`[{"MsgType":"TIMRelayElem","MsgContent":{"Title":"t","MsgNum":2,"MsgList":[]}}]`, 0},
		{``, 1},
		{`null`, 1},
		{`{"MsgType":"TIMTextElem"}`, 2},
		{`"text"`, 2},
		{`[]`, 1},
		{`[1]`, 1},
		{`[{"MsgType":"TIMNoSuchElem","MsgContent":{}}]`, 1},
		{`[{"MsgType":"TIMTextElem"}]`, 1},
		{`[{"MsgType":"TIMTextElem","MsgContent":{}}]`, 1},
		{`[{"MsgType":"TIMTextElem","MsgContent":{"Text":1}}]`, 1},
		{`[{"MsgType":"TIMTextElem","MsgContent":[]}]`, 1},
		{`[{"MsgType":1,"MsgContent":{"Text":"x"}}]`, 1},
		{`[{"MsgType":"TIMLocationElem","MsgContent":{"Desc":"d","Latitude":"29","Longitude":1}}]`, 1},
		{`[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"a"}},{"MsgType":"TIMCustomElem","MsgContent":{"Data":"b"}}]`, 1},
		{big, 3},
	} {
		got, err := ParseMsgBody(json.RawMessage(tc.body), 1, 2, 3)
		if code := ErrorCode(err); code != tc.code {
			t.Errorf("ParseMsgBody(%.60s) = code %d (%v), want %d", tc.body, code, err, tc.code)
			continue
		}
		if tc.code == 0 && strings.ContainsAny(string(got), "\n ") && !strings.Contains(tc.body, `"hi", "Extra"`) {
			t.Errorf("ParseMsgBody(%s) = %s, not compact", tc.body, got)
		}
	}
	got, _ := ParseMsgBody(json.RawMessage(`[ {"MsgType": "TIMTextElem", "MsgContent": {"Text": "a b"}} ]`), 1, 2, 3)
	if want := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"a b"}}]`; string(got) != want {
		t.Errorf("compacted body = %s, want %s", got, want)
	}
}

func TestMsgKey(t *testing.T) {
	key := MsgKey(48374, 2837546, 1557481126)
	if key != "48374_2837546_1557481126" {
		t.Fatalf("MsgKey = %q", key)
	}
	seq, random, at, ok := ParseMsgKey(key)
	if !ok || seq != 48374 || random != 2837546 || at != 1557481126 {
		t.Fatalf("ParseMsgKey(%q) = %d %d %d %v", key, seq, random, at, ok)
	}
	for _, bad := range []string{"", "1_2", "1_2_3_4", "a_2_3", "01_2_3", "4294967296_1_1", "1_2_-3", "1__3"} {
		if _, _, _, ok := ParseMsgKey(bad); ok {
			t.Errorf("ParseMsgKey(%q) ok, want not", bad)
		}
	}
}
