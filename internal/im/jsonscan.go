package im

import (
	"encoding/json"
	"iter"
	"unicode/utf8"
)

// A walk over JSON text that is valid and compact (json.Compact's output,
// which ParseMsgBody checks with): no whitespace between tokens, so a value
// ends where its string, its brackets, or its literal does. Nothing here
// checks validity; on other text the walk's results mean nothing.

// jsonElems yields the values of the array arr.
func jsonElems(arr []byte) iter.Seq[[]byte] {
	return func(yield func([]byte) bool) {
		for i := 1; arr[i] != ']'; i++ { // i at a value, then at ',' or ']'
			end := skipJSONValue(arr, i)
			if !yield(arr[i:end]) || arr[end] == ']' {
				return
			}
			i = end
		}
	}
}

// jsonMembers yields the keys (quoted, as written) and values of the
// object obj.
func jsonMembers(obj []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func([]byte, []byte) bool) {
		for i := 1; obj[i] != '}'; i++ { // i at a key, then at ',' or '}'
			colon := skipJSONString(obj, i)
			end := skipJSONValue(obj, colon+1)
			if !yield(obj[i:colon], obj[colon+1:end]) || obj[end] == '}' {
				return
			}
			i = end
		}
	}
}

// jsonKey is the quoted key k as a map key decodes it.
func jsonKey(k []byte) string {
	s, _ := jsonString(k)
	return s
}

// jsonString decodes v if it is a string; ok is false for another kind
// (and for nil), as json.Unmarshal into a string errs. A null decodes to
// "" with ok, as json.Unmarshal leaves the string empty.
func jsonString(v []byte) (s string, ok bool) {
	if string(v) == "null" {
		return "", true
	}
	if len(v) == 0 || v[0] != '"' {
		return "", false
	}
	plain := true
	for _, c := range v[1 : len(v)-1] {
		if c == '\\' || c >= utf8.RuneSelf {
			plain = false
			break
		}
	}
	if plain {
		return string(v[1 : len(v)-1]), true
	}
	// Escapes, or bytes json.Unmarshal may replace: its own decoding.
	return s, json.Unmarshal(v, &s) == nil
}

// skipJSONValue returns the index just past the value at b[i].
func skipJSONValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipJSONString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipJSONString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return i
	default: // a number, true, false or null
		for i < len(b) && b[i] != ',' && b[i] != ']' && b[i] != '}' {
			i++
		}
		return i
	}
}

// skipJSONString returns the index just past the string at b[i].
func skipJSONString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return i
}
