package api

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"math/bits"
)

// Tencent matches JSON keys to request fields exactly: {"groupid":"x"} has
// no GroupId, its key is an unknown field (ignored), so a required GroupId
// is missing. encoding/json also accepts a key that differs from a field's
// name only by case, which would let a client pass against timd and fail
// against Tencent. So before json.Unmarshal, decode renames every key that
// case-folds to a field name of the object it is in without being that
// name, at every level the request type describes (struct fields, arrays
// and pointers of structs, map values); json.Unmarshal then ignores it as
// the unknown field it is on Tencent. Keys of maps and everything inside
// any and json.RawMessage values are data and stay as they are.
//
// The common body has only exact keys: one scan over it, following the
// type, finds none to rename and the body goes to json.Unmarshal as is. A
// renamed key keeps its length and quotes (its bytes become commas, which
// no field name can hold), so the body stays valid JSON exactly when it was,
// at the same offsets.

// maxKeyDepth bounds the check's recursion, as encoding/json bounds its
// own (10000 levels); past it the body goes to json.Unmarshal unchanged,
// which refuses it.
const maxKeyDepth = 10000

// keyScan walks a JSON body along a shape and collects the keys to rename.
type keyScan struct {
	data  []byte
	spans [][2]int // content (between the quotes) of each key to rename
	// depth counts open arrays and objects; a failure ends the whole
	// check, so only a success gives its level back.
	depth int
}

// strictKeys returns body with every mis-cased field key renamed, or body
// itself when it has none (or is not JSON: json.Unmarshal reports that).
func strictKeys(body []byte, s *shape) []byte {
	if s == nil {
		return body
	}
	k := keyScan{data: body}
	if _, ok := k.value(skipSpace(body, 0), s); !ok || len(k.spans) == 0 {
		return body
	}
	// Rare: copy and rename. The check above is lenient about syntax; a
	// body that is not JSON goes to json.Unmarshal as it came.
	if !json.Valid(body) {
		return body
	}
	out := bytes.Clone(body)
	for _, sp := range k.spans {
		for i := sp[0]; i < sp[1]; i++ {
			out[i] = ','
		}
	}
	return out
}

// value checks the value at i (not a space) along s and returns the index
// just after it; ok is false on text the check cannot follow.
func (k *keyScan) value(i int, s *shape) (int, bool) {
	if i >= len(k.data) {
		return i, false
	}
	c := k.data[i]
	switch {
	case s == nil && c == '"': // the most common value
		end, _ := skipString(k.data, i)
		return end, end > 0
	case s == nil:
	case s.kind == kindList && c == '[':
		return k.list(i, s.elem)
	case s.kind != kindList && c == '{':
		return k.object(i, s)
	}
	return skipValue(k.data, i)
}

// list checks the elements of the array at i along elem.
func (k *keyScan) list(i int, elem *shape) (int, bool) {
	if k.depth++; k.depth > maxKeyDepth {
		return i, false
	}
	d := k.data
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == ']' {
		k.depth--
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = k.value(i, elem); !ok {
			return i, false
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case ']':
			k.depth--
			return i + 1, true
		default:
			return i, false
		}
	}
}

// object checks the members of the object at i: a struct's keys against
// its fields, or a map's values along its element shape.
func (k *keyScan) object(i int, s *shape) (int, bool) {
	if k.depth++; k.depth > maxKeyDepth {
		return i, false
	}
	d := k.data
	i = skipSpace(d, i+1)
	if i < len(d) && d[i] == '}' {
		k.depth--
		return i + 1, true
	}
	for {
		if i >= len(d) || d[i] != '"' {
			return i, false
		}
		start := i
		end, escaped := skipString(d, i)
		if end < 0 {
			return i, false
		}
		i = skipSpace(d, end)
		if i >= len(d) || d[i] != ':' {
			return i, false
		}
		i = skipSpace(d, i+1)
		vs, ok := k.memberShape(s, start, end, escaped)
		if !ok {
			return i, false
		}
		if vs == nil && i < len(d) && d[i] == '"' { // the most common member
			if i, _ = skipString(d, i); i < 0 {
				return i, false
			}
		} else if i, ok = k.value(i, vs); !ok {
			return i, false
		}
		i = skipSpace(d, i)
		if i >= len(d) {
			return i, false
		}
		switch d[i] {
		case ',':
			i = skipSpace(d, i+1)
		case '}':
			k.depth--
			return i + 1, true
		default:
			return i, false
		}
	}
}

// memberShape is the shape of the value of the member whose key, quotes
// included, is data[start:end] (escaped when it holds escapes), in an object
// of shape s: a struct field's (nil for an unknown key), or a map's element.
// A key that only case-folds to a field is recorded for renaming. ok is false
// for an escaped key that does not decode.
func (k *keyScan) memberShape(s *shape, start, end int, escaped bool) (vs *shape, ok bool) {
	if s.kind != kindStruct {
		return s.elem, true // a map's value
	}
	key := k.data[start+1 : end-1]
	if escaped {
		var str string
		if json.Unmarshal(k.data[start:end], &str) != nil {
			return nil, false
		}
		key = []byte(str)
	}
	vs, miscased := s.field(key)
	if miscased {
		k.spans = append(k.spans, [2]int{start + 1, end - 1})
	}
	return vs, true
}

// field finds the struct field key names exactly and returns its shape;
// miscased reports a key that only case-folds to a field name (the way
// encoding/json folds: bytes.EqualFold).
func (s *shape) field(key []byte) (fs *shape, miscased bool) {
	for i := range s.fields {
		if string(key) == s.fields[i].name {
			return s.fields[i].shape, false
		}
	}
	for i := range s.fields {
		if bytes.EqualFold(key, []byte(s.fields[i].name)) {
			return nil, true
		}
	}
	return nil, false
}

func skipSpace(d []byte, i int) int {
	for i < len(d) {
		switch d[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// skipString returns the index after the string starting at d[i] == '"'
// (-1 if it does not end) and whether it holds an escape. It looks at 8
// bytes at a time for a quote or a backslash: this scan is the bulk of the
// check's time, and keys and most values are too short for bytes.IndexByte
// to pay.
func skipString(d []byte, i int) (int, bool) {
	escaped := false
	i++
	for i+8 <= len(d) {
		w := binary.LittleEndian.Uint64(d[i:])
		m := byteMask(w, '"') | byteMask(w, '\\')
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) / 8
		if d[i] == '"' {
			return i + 1, escaped
		}
		escaped = true
		i += 2 // the backslash and the byte it escapes
	}
	for ; i < len(d); i++ {
		switch d[i] {
		case '"':
			return i + 1, escaped
		case '\\':
			escaped = true
			i++
		}
	}
	return -1, escaped
}

// byteMask has the high bit set in the lowest byte of w equal to b (and
// maybe in higher ones: only the lowest set bit is exact).
func byteMask(w uint64, b byte) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	x := w ^ (lo * uint64(b))
	return (x - lo) &^ x & hi
}

// skipValue returns the index after the value starting at d[i], without
// looking into it.
func skipValue(d []byte, i int) (int, bool) {
	depth := 0
	for i < len(d) {
		switch d[i] {
		case '"':
			end, _ := skipString(d, i)
			if end < 0 {
				return i, false
			}
			i = end
		case '{', '[':
			depth++
			i++
			continue
		case '}', ']':
			if depth == 0 {
				return i, false
			}
			depth--
			i++
		default:
			if depth > 0 {
				i++
				continue
			}
			// A scalar: up to the next delimiter.
			start := i
			for i < len(d) && !isDelim(d[i]) {
				i++
			}
			return i, i > start
		}
		if depth == 0 {
			return i, true
		}
	}
	return i, false
}

func isDelim(c byte) bool {
	switch c {
	case ',', '}', ']', ':', ' ', '\t', '\n', '\r', '"', '{', '[':
		return true
	}
	return false
}
