package api

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/timd/timd/internal/im"
)

// Ensure an object is written byte for byte as encoding/json writes the
// same members: the replies' bytes must not depend on which path wrote them.
func TestObject_SameBytesAsEncodingJSON(t *testing.T) {
	strs := []string{"", "plain", `q"uote`, `back\slash`, "<b>&amp;", "tab\there", "nul\x00", "中文",
		"\u2028\u2029", "bad\xffutf8", "emoji 😀", "del\x7f"}
	var o object
	for i, s := range strs {
		o.add(s, s)
		o.add("n", i)
	}
	o.add("i64", int64(-1<<62))
	o.add("u64", uint64(1<<63))
	o.add("bool", true)
	o.add("nil", nil)
	o.add("strs", []string{"a", "<"})
	o.add("nilList", []object(nil))
	o.add("emptyObj", object(nil))
	o.add("nested", []object{{{"k", "v"}}, {{"m", object{{"x", 1}}}}})
	o.add("strPtr", &strs[3])
	o.add("nilStrPtr", (*string)(nil))
	o.add("nilKVs", []im.KV(nil))
	o.add("noKVs", []im.KV{})
	kvs := []im.KV{{Key: "k", Value: "v"}}
	for _, s := range strs {
		kvs = append(kvs, im.KV{Key: s, Value: s})
	}
	o.add("kvs", kvs)
	got, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	// The reference: the same members through encoding/json alone.
	var ref func(v any) any
	ref = func(v any) any {
		switch v := v.(type) {
		case object:
			out := []byte{'{'}
			for i, mem := range v {
				if i > 0 {
					out = append(out, ',')
				}
				k, _ := json.Marshal(mem.key)
				val, _ := json.Marshal(ref(mem.value))
				out = append(append(append(out, k...), ':'), val...)
			}
			return json.RawMessage(append(out, '}'))
		case []object:
			if v == nil {
				return nil
			}
			l := make([]any, len(v))
			for i := range v {
				l[i] = ref(v[i])
			}
			return l
		}
		return v
	}
	want, _ := json.Marshal(ref(o))
	if string(got) != string(want) {
		t.Fatalf("object wrote\n%s\nencoding/json writes\n%s", got, want)
	}
}

// Ensure appendRoamItem writes the bytes json.Marshal writes for the same
// message, HTML escaping of the stored MsgBody included.
func TestAppendRoamItem_MatchesMarshal(t *testing.T) {
	type roamItem struct { // the shape json.Marshal would be given
		From_Account    string
		To_Account      string
		MsgSeq          uint32
		MsgRandom       uint32
		MsgTimeStamp    int64
		MsgFlagBits     int
		IsPeerRead      int
		MsgKey          string
		MsgBody         im.MsgBody
		CloudCustomData string
	}
	for _, m := range []im.RoamMsg{
		{From: "alice", To: "bob", Seq: 4294967295, Random: 7, Time: 1700000000, Body: im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`)},
		{From: "a<b>&c", To: "é\u2028", Seq: 1, Random: 0, Time: 0, FlagBits: 2, PeerRead: true, CloudData: "x\"y\\z\n<",
			Body: im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"<script>&amp;\u2029 é \"q\""}}]`)},
		{From: "x", To: "y"}, // no body: []
	} {
		want, err := json.Marshal(roamItem{From_Account: m.From, To_Account: m.To, MsgSeq: m.Seq, MsgRandom: m.Random,
			MsgTimeStamp: m.Time, MsgFlagBits: m.FlagBits, IsPeerRead: b2i(m.PeerRead), MsgKey: im.MsgKey(m.Seq, m.Random, m.Time),
			MsgBody: m.Body, CloudCustomData: m.CloudData})
		if err != nil {
			t.Fatal(err)
		}
		if got := appendRoamItem(nil, m); string(got) != string(want) {
			t.Errorf("appendRoamItem:\n got %s\nwant %s", got, want)
		}
	}
}

// Ensure appendJSONString writes every byte, alone and amid plain text, as
// json.Marshal writes it.
func TestAppendJSONString_EveryByte(t *testing.T) {
	for c := range 256 {
		for _, s := range []string{string([]byte{byte(c)}), "ab" + string([]byte{byte(c)}) + "cd"} {
			want, _ := json.Marshal(s)
			if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
				t.Errorf("byte %#x: %s, json.Marshal %s", c, got[1:], want)
			}
		}
	}
}

// Ensure needsHTMLEscape finds exactly what bytes.ContainsAny finds of the
// characters encoding/json escapes in a MarshalJSON's output.
func FuzzNeedsHTMLEscape(f *testing.F) {
	for _, s := range []string{"", "plain", "a<b", "x>", "&", "\u2028", "\u2029", "\u2027", "\xe2\x80", "\xe2\x80\xa8tail", "é€中文", "\xe2\xe2\x80\xa9"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		if got, want := needsHTMLEscape(v), bytes.ContainsAny(v, "<>&\u2028\u2029"); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	})
}
