package api

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// keyOuterNames is every JSON field name of keyOuter, keyEmbedded and
// keyInner.
var keyOuterNames = []string{"GroupId", "tagged_Name", "Ptr", "PtrPtr", "List", "PtrList", "Fixed", "Nested",
	"ByName", "Data", "Any", "Raw", "Num", "Kind", "Tag", "Inner", "Member_Account", "Role"}

// miscasedKey reports whether valid JSON body has, at any level, a key that
// case-folds to one of names without being one of them: the bodies where
// the strict decoder and json.Unmarshal may differ.
func miscasedKey(body []byte, names []string) bool {
	dec := json.NewDecoder(bytes.NewReader(body))
	type frame struct{ object, wantKey bool }
	var stack []frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		top := len(stack) - 1
		switch tok {
		case json.Delim('{'), json.Delim('['):
			if top >= 0 && stack[top].object {
				stack[top].wantKey = true
			}
			stack = append(stack, frame{object: tok == json.Delim('{'), wantKey: true})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
			continue
		}
		if top < 0 || !stack[top].object {
			continue
		}
		if !stack[top].wantKey {
			stack[top].wantKey = true // a scalar value
			continue
		}
		stack[top].wantKey = false
		key := tok.(string)
		if slices.Contains(names, key) {
			continue
		}
		for _, n := range names {
			if strings.EqualFold(key, n) {
				return true
			}
		}
	}
}

// FuzzDecodeExactKeys checks the strict decoder against json.Unmarshal: on
// a body without mis-cased keys (or not JSON at all) both give the same
// value and both fail or neither does.
func FuzzDecodeExactKeys(f *testing.F) {
	for _, s := range []string{
		`{"GroupId":"g","List":[{"Member_Account":"a","Role":"r"}],"Ptr":{"Role":"x"}}`,
		`{"Tag":"t","Inner":{"Member_Account":"m"},"ByName":{"k":{"Role":"r"}},"Data":{"groupid":"v"}}`,
		`{"Any":{"groupid":[1,{"GroupId":"x"}]},"Raw":{"a":"\"}"},"Num":1.5e3,"Kind":"k"}`,
		`{"Nested":[[{"Role":"a"}],[]],"Fixed":[{"Role":"b"},{"Role":"c"},{"Role":"d"}],"PtrPtr":{"Role":"p"}}`,
		`{"GroupId":1,"List":{"Role":2}}`,
		`{"Group\u0049d":"e","tagged_Name":"t","Tagged":"u","Unknown":{"GroupId":"x"}}`,
		`{"groupid":"x","GroupId":"y"}`,
		`{"GroupId":"a\\\"b\\\\","PtrList":[null,{"Role":"r"}]}`,
		`[{"GroupId":"x"}]`, `"s"`, `null`, `{"GroupId":"x"`, `{"a":1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(bytes.TrimSpace(body)) == 0 {
			return // decode reads it as {}, json.Unmarshal refuses it
		}
		if json.Valid(body) && miscasedKey(body, keyOuterNames) {
			return
		}
		var got, want keyOuter
		errGot := decode(body, &got)
		errWant := json.Unmarshal(body, &want)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%q: decode error %v, json.Unmarshal error %v", body, errGot, errWant)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\ndecode         %+v\njson.Unmarshal %+v", body, got, want)
		}
	})
}

// jsonNode is a JSON value read token by token, object members in order
// and repeated keys kept, to rebuild a body without some members.
type jsonNode struct {
	scalar  any // string, json.Number, bool or nil; for non-containers
	isObj   bool
	isArr   bool
	keys    []string
	members []*jsonNode
}

func readNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch tok {
	case json.Delim('{'):
		n := &jsonNode{isObj: true}
		for dec.More() {
			k, err := dec.Token()
			if err != nil {
				return nil, err
			}
			v, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.keys, n.members = append(n.keys, k.(string)), append(n.members, v)
		}
		_, err := dec.Token()
		return n, err
	case json.Delim('['):
		n := &jsonNode{isArr: true}
		for dec.More() {
			v, err := readNode(dec)
			if err != nil {
				return nil, err
			}
			n.members = append(n.members, v)
		}
		_, err := dec.Token()
		return n, err
	}
	return &jsonNode{scalar: tok}, nil
}

// write encodes n, leaving out the members of struct objects whose key
// only case-folds to a field name of s: the reference for strictKeys.
func (n *jsonNode) write(b *bytes.Buffer, s *shape) {
	switch {
	case n.isArr:
		b.WriteByte('[')
		for i, m := range n.members {
			if i > 0 {
				b.WriteByte(',')
			}
			var es *shape
			if s != nil && s.kind == kindList {
				es = s.elem
			}
			m.write(b, es)
		}
		b.WriteByte(']')
	case n.isObj:
		b.WriteByte('{')
		first := true
		for i, m := range n.members {
			var ms *shape
			if s != nil && s.kind == kindMap {
				ms = s.elem
			}
			if s != nil && s.kind == kindStruct {
				exact, folded := false, false
				for _, f := range s.fields {
					if f.name == n.keys[i] {
						exact, ms = true, f.shape
						break
					}
					folded = folded || strings.EqualFold(f.name, n.keys[i])
				}
				if !exact && folded {
					continue
				}
			}
			if !first {
				b.WriteByte(',')
			}
			first = false
			k, _ := json.Marshal(n.keys[i])
			b.Write(k)
			b.WriteByte(':')
			m.write(b, ms)
		}
		b.WriteByte('}')
	default:
		v, _ := json.Marshal(n.scalar)
		b.Write(v)
	}
}

// FuzzDecodeStrictKeys checks the strict decoder on any valid body against
// json.Unmarshal of the body rebuilt without its mis-cased members.
func FuzzDecodeStrictKeys(f *testing.F) {
	for _, s := range []string{
		`{"groupid":"x","GroupId":"g","List":[{"member_account":"a","Role":"r"}],"ptr":{"Role":"x"}}`,
		`{"Tag":"t","inner":{"Member_Account":"m"},"ByName":{"k":{"role":"r"}},"Data":{"groupid":"v"}}`,
		`{"Any":{"groupid":[1,{"GroupId":"x"}]},"Raw":{"a":"\"}"},"NUM":1.5e3,"Kind":"k","\u212aind":"x"}`,
		`{"Nested":[[{"ROLE":"a"}],[]],"Fixed":[{"Role":"b"},{"rOle":"c"}],"PtrPtr":{"Role":"p","role":"q"}}`,
		`{"Group\u0069d":"e","TAGGED_NAME":"t","Unknown":{"groupid":"x"},"GroupId":"z"}`,
	} {
		f.Add([]byte(s))
	}
	sh := shapeOf(reflect.TypeFor[keyOuter]())
	f.Fuzz(func(t *testing.T, body []byte) {
		if !json.Valid(body) {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		n, err := readNode(dec)
		if err != nil {
			return
		}
		var ref bytes.Buffer
		n.write(&ref, sh)
		var got, want keyOuter
		errGot := decode(body, &got)
		errWant := json.Unmarshal(ref.Bytes(), &want)
		if (errGot == nil) != (errWant == nil) {
			t.Fatalf("%q (reference %s): decode error %v, reference error %v", body, ref.Bytes(), errGot, errWant)
		}
		// Raw keeps its bytes, which the rebuilt body spells differently;
		// absent, it is empty on both sides, which both fail to decode.
		var rawGot, rawWant any
		errGot, errWant = json.Unmarshal(got.Raw, &rawGot), json.Unmarshal(want.Raw, &rawWant)
		if (errGot == nil) != (errWant == nil) || !reflect.DeepEqual(rawGot, rawWant) {
			t.Fatalf("%q: Raw %s, reference %s", body, got.Raw, want.Raw)
		}
		got.Raw, want.Raw = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q (reference %s):\ndecode    %+v\nreference %+v", body, ref.Bytes(), got, want)
		}
	})
}
