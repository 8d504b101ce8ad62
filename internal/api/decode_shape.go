package api

import (
	"encoding"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync"
	"unicode"
)

// The description of request types that the strict key check of decode.go
// follows: computed once per type by reflection, as encoding/json sees the
// type's fields.

// shape is what the strict key check needs to know of a Go type: the exact
// JSON names of a struct's fields, and where structs are nested. A nil
// *shape is a value with no struct inside, which the check skips.
type shape struct {
	kind   shapeKind
	fields []shapeField // kindStruct
	elem   *shape       // kindList, kindMap: the elements' shape
}

type shapeKind uint8

const (
	kindStruct shapeKind = iota // a JSON object whose keys are field names
	kindList                    // a JSON array (slice or array)
	kindMap                     // a JSON object whose keys are data
)

type shapeField struct {
	name  string
	shape *shape
}

// shapes caches shapeOf by reflect.Type: a request type is described once.
var shapes sync.Map

// shapeOf returns the shape of t (nil when t holds no struct to check).
func shapeOf(t reflect.Type) *shape {
	if s, ok := shapes.Load(t); ok {
		return s.(*shape)
	}
	s := buildShape(t, map[reflect.Type]*shape{})
	shapes.Store(t, s)
	return s
}

var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// buildShape describes t; building holds the struct types being described,
// so that a recursive type refers to itself instead of recursing forever.
func buildShape(t reflect.Type, building map[reflect.Type]*shape) *shape {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	// Types that decode themselves: their keys are theirs to judge.
	if t.Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(jsonUnmarshaler) ||
		t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		if e := buildShape(t.Elem(), building); e != nil {
			return &shape{kind: kindList, elem: e}
		}
	case reflect.Map:
		if e := buildShape(t.Elem(), building); e != nil {
			return &shape{kind: kindMap, elem: e}
		}
	case reflect.Struct:
		if s, ok := building[t]; ok {
			return s
		}
		s := &shape{kind: kindStruct}
		building[t] = s
		s.fields = structFields(t, building)
		if len(s.fields) == 0 {
			return nil // every key is unknown anyway
		}
		return s
	}
	return nil
}

// structFields lists the JSON names of t's fields as encoding/json sees
// them (jsonFields), each with the shape of its value.
func structFields(t reflect.Type, building map[reflect.Type]*shape) []shapeField {
	fs := jsonFields(t)
	out := make([]shapeField, len(fs))
	for i, f := range fs {
		out[i] = shapeField{name: f.name, shape: buildShape(f.typ, building)}
	}
	return out
}

// jsonField is a struct field as encoding/json sees it.
type jsonField struct {
	name      string
	typ       reflect.Type
	omitEmpty bool // omitempty or omitzero: left out of a reply when empty
}

// jsonFields lists the fields of struct type t as encoding/json sees them:
// tag names, "-" left out, fields of embedded structs promoted. Where
// encoding/json drops a name that embedded structs share, the list keeps
// one: a key of that name is then treated as a field, which json.Unmarshal
// ignores, as it would have. The strict key check (decode.go) and
// /openapi.json (openapi_schema.go) both follow this one list.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	have := map[string]bool{}
	// Breadth first, so that a shallower field hides a deeper one.
	level := []reflect.Type{t}
	visited := map[reflect.Type]bool{t: true}
	for len(level) > 0 {
		var next []reflect.Type
		var names []jsonField
		for _, st := range level {
			var fs []jsonField
			fs, next = levelFields(st, visited, next)
			names = append(names, fs...)
		}
		for _, f := range names {
			if !have[f.name] {
				have[f.name] = true
				out = append(out, f)
			}
		}
		level = next
	}
	return out
}

// levelFields lists st's own fields and appends to next the embedded
// structs not yet visited, whose fields come one level deeper.
func levelFields(st reflect.Type, visited map[reflect.Type]bool, next []reflect.Type) ([]jsonField, []reflect.Type) {
	var names []jsonField
	for i := range st.NumField() {
		f := st.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if !validTagName(name) {
			name = ""
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			if !visited[ft] {
				visited[ft] = true
				next = append(next, ft)
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		o := strings.Split(opts, ",")
		omit := slices.Contains(o, "omitempty") || slices.Contains(o, "omitzero")
		names = append(names, jsonField{name: name, typ: f.Type, omitEmpty: omit})
	}
	return names, next
}

// validTagName is encoding/json's rule for a usable tag name; with any
// other, it uses the Go field name.
func validTagName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		switch {
		case strings.ContainsRune("!#$%&()*+-./:;<=>?@[]^_{|}~ ", c):
		case !unicode.IsLetter(c) && !unicode.IsDigit(c):
			return false
		}
	}
	return true
}
