package im

import (
	"bytes"
	"encoding/json"
	"fmt"
	"testing"
)

// parseMsgBodyMaps is ParseMsgBody as it was written before it walked the
// compact text: decoding into maps. The fuzz test holds the walk to it.
func parseMsgBodyMaps(raw json.RawMessage, code, notArray, tooLong int) (MsgBody, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, Errorf(code, "MsgBody is required")
	}
	if raw[0] != '[' {
		return nil, Errorf(notArray, "MsgBody must be an array")
	}
	var elems []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &elems); err != nil {
		return nil, Errorf(code, "MsgBody must be an array of {MsgType, MsgContent} objects")
	}
	if len(elems) == 0 {
		return nil, Errorf(code, "MsgBody must hold at least one element")
	}
	custom := 0
	for i, e := range elems {
		typ, err := checkElemMaps(e)
		if err != "" {
			return nil, Errorf(code, "MsgBody[%d]: %s", i, err)
		}
		if typ == "TIMCustomElem" {
			if custom++; custom > 1 {
				return nil, Errorf(code, "MsgBody may hold only one TIMCustomElem")
			}
		}
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, Errorf(code, "MsgBody is not valid JSON")
	}
	if out.Len() > MaxMsgBodyBytes {
		return nil, Errorf(tooLong, "MsgBody is %d bytes, over the %d-byte limit", out.Len(), MaxMsgBodyBytes)
	}
	return MsgBody(out.Bytes()), nil
}

func checkElemMaps(e map[string]json.RawMessage) (string, string) {
	var typ string
	if json.Unmarshal(e["MsgType"], &typ) != nil || typ == "" {
		return "", "MsgType must be a string"
	}
	spec, ok := msgElems[typ]
	if !ok {
		return "", fmt.Sprintf("unknown MsgType %q", typ)
	}
	var content map[string]json.RawMessage
	if c := bytes.TrimSpace(e["MsgContent"]); len(c) == 0 || c[0] != '{' || json.Unmarshal(c, &content) != nil {
		return "", "MsgContent must be an object"
	}
	for _, f := range spec.fields[:spec.nRequired] {
		if v, ok := content[f]; !ok || string(v) == "null" {
			return "", fmt.Sprintf("%s needs MsgContent.%s", typ, f)
		}
	}
	for i, f := range spec.fields {
		if v, ok := content[f]; ok && string(v) != "null" && spec.kinds[i] != 0 && !jsonKind(v, spec.kinds[i]) {
			return "", fmt.Sprintf("%s: MsgContent.%s has the wrong JSON type", typ, f)
		}
	}
	return typ, ""
}

func FuzzParseMsgBody(f *testing.F) {
	for _, s := range []string{
		`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`,
		`[ {"MsgType": "TIMTextElem", "MsgContent": {"Text": "hi", "Extra": [1, {"a": "]}"}]}} ]`,
		`[{"Msg\u0054ype":"TIMTextElem","MsgContent":{"T\u0065xt":"x"}}]`,
		`[{"MsgType":"TIMTextElem","MsgType":"TIMFaceElem","MsgContent":{"Index":1,"Index":"x"}}]`,
		`[null,{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]`,
		`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}},5]`,
		`[{"MsgType":"TIM\u00e9","MsgContent":{}}]`,
		`[{"MsgType":"TIMLocationElem","MsgContent":{"Desc":5,"Latitude":null,"Longitude":"1"}}]`,
		`[{"MsgType":"TIMImageElem","MsgContent":{"UUID":"u","ImageInfoArray":{}}}]`,
		`[{"MsgType":"TIMCustomElem","MsgContent":{"Data":"a\"}"}},{"MsgType":"TIMCustomElem","MsgContent":{"Data":"b"}}]`,
		`[{"MsgType":null,"MsgContent":{}}]`, `[{}]`, `[[]]`, `[]`, `[`, `{}`, `null`, ``, `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"\ud800"}}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := ParseMsgBody(b, 1, 2, 3)
		want, werr := parseMsgBodyMaps(b, 1, 2, 3)
		if fmt.Sprint(err) != fmt.Sprint(werr) || !bytes.Equal(got, want) {
			t.Fatalf("ParseMsgBody(%q) = %s, %v; decoding into maps: %s, %v", b, got, err, want, werr)
		}
	})
}

func BenchmarkParseMsgBody(b *testing.B) {
	body := json.RawMessage(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello from timd-bench"}}]`)
	for _, impl := range []struct {
		name  string
		parse func(json.RawMessage, int, int, int) (MsgBody, error)
	}{{"walk", ParseMsgBody}, {"maps", parseMsgBodyMaps}} {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := impl.parse(body, 1, 2, 3); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
