package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// The JSON Schemas of /openapi.json are derived from the Go request and
// reply types by reflection, with the field list encoding/json and the
// strict key check use (jsonFields), so the document cannot drift from what
// timd decodes and answers. What reflection cannot know (which request
// fields are required, enumerations) comes from commandDocs.

// jsonSchema is one JSON Schema (2020-12) object.
type jsonSchema = map[string]any

// schemaMode tells a request's schema from a reply's: a request field is
// optional unless commandDocs requires it (decode leaves a missing field at
// its zero value); a reply field is there unless it is a pointer or
// omitempty.
type schemaMode uint8

const (
	modeRequest schemaMode = iota
	modeReply
)

var (
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	rawJSONType     = reflect.TypeFor[rawJSON]()
	jsonNumberType  = reflect.TypeFor[json.Number]()
	objectType      = reflect.TypeFor[object]()
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	anyJSONDesc     = "any JSON value, kept as sent"
	customJSONDescr = "a value the type encodes itself"
)

// schemaGen derives schemas of one mode; open holds the struct types being
// described, so that a recursive type ends in an open schema instead of
// recursing forever.
type schemaGen struct {
	mode schemaMode
	open map[reflect.Type]bool
}

func newSchemaGen(mode schemaMode) *schemaGen {
	return &schemaGen{mode: mode, open: map[reflect.Type]bool{}}
}

// schema describes a value of type t.
func (g *schemaGen) schema(t reflect.Type) jsonSchema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := g.special(t); ok {
		return s
	}
	switch t.Kind() {
	case reflect.Bool:
		return jsonSchema{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return jsonSchema{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return jsonSchema{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return jsonSchema{"type": "number"}
	case reflect.String:
		return jsonSchema{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 && t.Kind() == reflect.Slice {
			return jsonSchema{"type": "string", "contentEncoding": "base64"}
		}
		return jsonSchema{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return jsonSchema{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		return g.object(t)
	}
	return jsonSchema{} // interfaces: any JSON value
}

// special describes the types that are not what their kind says: JSON
// kept as it is, objects built member by member, and types that encode or
// decode themselves.
func (g *schemaGen) special(t reflect.Type) (jsonSchema, bool) {
	switch t {
	case rawMessageType, rawJSONType:
		return jsonSchema{"description": anyJSONDesc}, true
	case objectType:
		return jsonSchema{"type": "object"}, true
	case jsonNumberType: // decodes a number or a string holding one
		if g.mode == modeReply {
			return jsonSchema{"type": "number"}, true
		}
		return jsonSchema{"type": []string{"number", "string"}}, true
	}
	self := jsonUnmarshaler
	other := textUnmarshaler
	if g.mode == modeReply {
		self, other = jsonMarshaler, textMarshaler
	}
	if t.Implements(self) || reflect.PointerTo(t).Implements(self) {
		return jsonSchema{"description": customJSONDescr}, true
	}
	if t.Implements(other) || reflect.PointerTo(t).Implements(other) {
		return jsonSchema{"type": "string"}, true
	}
	return nil, false
}

// object describes a struct: its fields by their exact JSON names; in a
// reply, the fields always written are required.
func (g *schemaGen) object(t reflect.Type) jsonSchema {
	if g.open[t] {
		return jsonSchema{"type": "object"}
	}
	g.open[t] = true
	defer delete(g.open, t)
	props := jsonSchema{}
	var required []string
	for _, f := range jsonFields(t) {
		fs := g.schema(f.typ)
		optional := f.omitEmpty || f.typ.Kind() == reflect.Pointer || f.typ.Kind() == reflect.Interface
		if g.mode == modeReply && !optional {
			required = append(required, f.name)
		}
		props[f.name] = fs
	}
	s := jsonSchema{"type": "object", "properties": props}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// at returns the schema of the property path names (dot-separated; arrays
// and maps are stepped through to their elements) within s.
func at(s jsonSchema, path string) (jsonSchema, error) {
	cur := s
	for _, name := range strings.Split(path, ".") {
		cur = elements(cur)
		props, _ := cur["properties"].(jsonSchema)
		next, ok := props[name].(jsonSchema)
		if !ok {
			return nil, fmt.Errorf("no field %q (of %q) in the type", name, path)
		}
		cur = next
	}
	return cur, nil
}

// elements steps from an array's or a map's schema to its elements'.
func elements(s jsonSchema) jsonSchema {
	for {
		if items, ok := s["items"].(jsonSchema); ok {
			s = items
			continue
		}
		if add, ok := s["additionalProperties"].(jsonSchema); ok && s["properties"] == nil {
			s = add
			continue
		}
		return s
	}
}

// require marks the field at path required in the object that holds it.
func require(s jsonSchema, path string) error {
	parent := s
	name := path
	if i := strings.LastIndex(path, "."); i >= 0 {
		var err error
		if parent, err = at(s, path[:i]); err != nil {
			return err
		}
		name = path[i+1:]
	}
	if _, err := at(parent, name); err != nil {
		return fmt.Errorf("required %q: %w", path, err)
	}
	parent = elements(parent)
	req, _ := parent["required"].([]string)
	for _, r := range req {
		if r == name {
			return nil
		}
	}
	parent["required"] = append(req, name)
	return nil
}
