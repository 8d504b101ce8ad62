package api

import (
	"bytes"
	"encoding/json"
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
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		v, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
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
