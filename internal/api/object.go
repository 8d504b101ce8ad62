package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/timd/timd/internal/im"
)

// object is a JSON object whose members keep the order they were added in.
// Replies whose fields depend on a request's filters (get_group_info,
// get_joined_group_list) are built with it, in the order Tencent's samples
// show.
type object []member

type member struct {
	key   string
	value any
}

// add appends a member.
func (o *object) add(key string, value any) { *o = append(*o, member{key, value}) }

// MarshalJSON writes the members in order.
func (o object) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64*len(o))
	return o.appendJSON(b)
}

// appendJSON appends o to b. Nested objects and lists of them are written
// here directly: going through json.Marshal for each would have the encoder
// validate and copy every nested object's bytes again at each level, which
// profiled as two fifths of a get_group_info.
func (o object) appendJSON(b []byte) ([]byte, error) {
	b = append(b, '{')
	for i, m := range o {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, m.key)
		b = append(b, ':')
		var err error
		if b, err = appendJSONValue(b, m.value); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendJSONValue appends v as encoding/json would write it.
func appendJSONValue(b []byte, v any) ([]byte, error) {
	switch v := v.(type) {
	case object:
		return v.appendJSON(b)
	case []object:
		return appendObjects(b, v)
	case rawJSON:
		return append(b, v...), nil
	case []rawJSON:
		return appendRawList(b, v), nil
	case []im.KV:
		return appendKVs(b, v), nil
	case string:
		return appendJSONString(b, v), nil
	case *string:
		if v == nil {
			return append(b, "null"...), nil
		}
		return appendJSONString(b, *v), nil
	case int:
		return strconv.AppendInt(b, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(b, v, 10), nil
	case uint64:
		return strconv.AppendUint(b, v, 10), nil
	case bool:
		return strconv.AppendBool(b, v), nil
	}
	j, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

// appendObjects appends a list of objects.
func appendObjects(b []byte, v []object) ([]byte, error) {
	if v == nil {
		return append(b, "null"...), nil
	}
	b = append(b, '[')
	for i, o := range v {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = o.appendJSON(b); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

// appendRawList appends a list of JSON texts, each as it is.
func appendRawList(b []byte, v []rawJSON) []byte {
	b = append(b, '[')
	for i, r := range v {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, r...)
	}
	return append(b, ']')
}

// appendKVs appends custom fields as encoding/json writes them.
func appendKVs(b []byte, kvs []im.KV) []byte {
	if kvs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, kv := range kvs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(append(b, `{"Key":`...), kv.Key)
		b = appendJSONString(append(b, `,"Value":`...), kv.Value)
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendJSONString appends s quoted. Plain printable ASCII, the usual case,
// is copied as it is; anything encoding/json would escape (quotes,
// backslashes, control characters, <, >, &, non-ASCII) goes through it, so
// the bytes are always the same as json.Marshal's.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if !jsonPlain[s[i]] {
			j, _ := json.Marshal(s)
			return append(b, j...)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// jsonPlain marks the bytes appendJSONString copies as they are: printable
// ASCII but for the quote, the backslash, <, > and &.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// rawJSON is JSON text a reply carries as it is: compact, and escaped as
// encoding/json escapes (appendStoredJSON makes it so).
type rawJSON []byte

// appendStoredJSON appends compact JSON text that timd stored (a MsgBody),
// or empty when there is none, as json.Marshal would write it: encoding/json
// escapes <, >, &, U+2028 and U+2029 in the output of a MarshalJSON too.
func appendStoredJSON(b []byte, v []byte, empty string) []byte {
	if len(v) == 0 {
		return append(b, empty...)
	}
	if !needsHTMLEscape(v) {
		return append(b, v...)
	}
	var buf bytes.Buffer
	json.HTMLEscape(&buf, v)
	return append(b, buf.Bytes()...)
}

// needsHTMLEscape reports whether v holds <, >, & or U+2028 or U+2029
// (E2 80 A8, E2 80 A9): a byte loop, where bytes.ContainsAny, whose set is
// not all ASCII, looked for each rune of the set in turn (40% of building
// an admin_getroammsg page in a profile).
func needsHTMLEscape(v []byte) bool {
	for i, c := range v {
		switch c {
		case '<', '>', '&':
			return true
		case 0xE2:
			if i+2 < len(v) && v[i+1] == 0x80 && (v[i+2] == 0xA8 || v[i+2] == 0xA9) {
				return true
			}
		}
	}
	return false
}

// objectReply is a reply whose fields are built as objects; the envelope
// writes its members itself instead of through json.Marshal.
type objectReply interface{ replyObject() object }

func (r *getGroupInfoResp) replyObject() object {
	if r.memo != nil {
		return object{{"GroupInfo", r.memo}}
	}
	return object{{"GroupInfo", r.GroupInfo}}
}

func (r *getJoinedGroupListResp) replyObject() object {
	return object{{"TotalCount", r.TotalCount}, {"GroupIdList", r.GroupIdList}}
}

func (r *getGroupMemberInfoResp) replyObject() object {
	o := object{{"MemberNum", r.MemberNum}, {"MemberList", r.MemberList}}
	if r.Next != nil {
		o.add("Next", *r.Next)
	}
	return o
}

// fieldSet is a filter: the names a request asked for. A nil set passes
// everything.
type fieldSet map[string]bool

func newFieldSet(names []string) fieldSet {
	s := fieldSet{}
	for _, n := range names {
		s[n] = true
	}
	return s
}

// has reports whether name passes the filter.
func (s fieldSet) has(name string) bool { return s == nil || s[name] }
