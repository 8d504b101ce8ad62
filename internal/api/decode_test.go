package api

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/timd/timd/internal/im"
)

// keyInner and keyOuter exercise every place the strict key check follows:
// nested structs, pointers, arrays and slices of structs, map values,
// embedded structs, tags, and values it must leave alone.
type keyInner struct {
	Member_Account *string
	Role           string
}

type keyEmbedded struct {
	Tag   *string
	Inner *keyInner
}

type keyOuter struct {
	keyEmbedded
	GroupId    *string
	Tagged     string `json:"tagged_Name"`
	Ignored    string `json:"-"`
	Ptr        *keyInner
	PtrPtr     **keyInner
	List       []keyInner
	PtrList    []*keyInner
	Fixed      [2]keyInner
	Nested     [][]keyInner
	ByName     map[string]keyInner
	Data       map[string]string
	Any        any
	Raw        json.RawMessage
	Num        *json.Number
	Kind       string
	unexported string //lint:ignore U1000 never used: UnexportedNotAField sends a key of its name, to be ignored
}

func strp(s string) *string { return &s }

// Ensure a key that only case-folds to a field name is an unknown field at
// every level the type describes, while exact keys and data keys decode as
// json.Unmarshal decodes them.
func TestDecodeStrictKeys(t *testing.T) {
	alice := strp("alice")
	tests := []struct {
		name string
		body string
		want keyOuter
	}{
		{"Exact", `{"GroupId":"g"}`, keyOuter{GroupId: strp("g")}},
		{"Lower", `{"groupid":"g"}`, keyOuter{}},
		{"Upper", `{"GROUPID":"g"}`, keyOuter{}},
		{"DuplicateExactFirst", `{"GroupId":"a","groupid":"b"}`, keyOuter{GroupId: strp("a")}},
		{"DuplicateExactLast", `{"groupid":"b","GroupId":"a"}`, keyOuter{GroupId: strp("a")}},
		{"DuplicateMiscasedOnly", `{"groupid":"b","GROUPID":"c"}`, keyOuter{}},
		{"EscapedExact", `{"Group\u0049d":"g"}`, keyOuter{GroupId: strp("g")}},
		{"EscapedMiscased", `{"group\u0069d":"g"}`, keyOuter{}},
		// Unicode folding, as encoding/json folds: the Kelvin sign is a k,
		// the long s an s.
		{"KelvinSign", `{"Kind":"a","\u212aind":"x"}`, keyOuter{Kind: "a"}},
		{"KelvinSignRaw", "{\"\u212aind\":\"x\"}", keyOuter{}},
		{"LongS", `{"Ne\u017fted":[[{"Role":"r"}]]}`, keyOuter{}},
		{"TagDuplicates", `{"Tagged_name":"x","tagged_Name":"y","tagged_Name":"z"}`, keyOuter{Tagged: "z"}},
		{"TagNameNotGoName", `{"Tagged":"x"}`, keyOuter{}},
		{"TagMiscased", `{"TAGGED_NAME":"x"}`, keyOuter{}},
		{"DashField", `{"Ignored":"x","ignored":"y"}`, keyOuter{}},
		{"UnexportedNotAField", `{"unexported":"x"}`, keyOuter{}},
		{"EmbeddedExact", `{"Tag":"t","Inner":{"Member_Account":"alice"}}`,
			keyOuter{keyEmbedded: keyEmbedded{Tag: strp("t"), Inner: &keyInner{Member_Account: alice}}}},
		{"EmbeddedMiscased", `{"tag":"t","Inner":{"member_account":"alice","Role":"r"}}`,
			keyOuter{keyEmbedded: keyEmbedded{Inner: &keyInner{Role: "r"}}}},
		{"EmbeddedTypeNameIsNoKey", `{"keyEmbedded":{"Tag":"t"},"KeyEmbedded":{"Tag":"t"}}`, keyOuter{}},
		{"Pointer", `{"Ptr":{"member_account":"alice","Role":"r"}}`, keyOuter{Ptr: &keyInner{Role: "r"}}},
		{"PointerToPointer", `{"PtrPtr":{"Member_Account":"alice","role":"r"}}`, keyOuter{PtrPtr: func() **keyInner { p := &keyInner{Member_Account: alice}; return &p }()}},
		{"MiscasedPointerField", `{"ptr":{"Member_Account":"alice"}}`, keyOuter{}},
		{"Array", `{"List":[{"Member_Account":"alice"},{"member_account":"bob","Role":"x"},{"MEMBER_ACCOUNT":"c"}]}`,
			keyOuter{List: []keyInner{{Member_Account: alice}, {Role: "x"}, {}}}},
		{"ArrayOfPointers", `{"PtrList":[{"member_Account":"bob"},null,{"Role":"r"}]}`,
			keyOuter{PtrList: []*keyInner{{}, nil, {Role: "r"}}}},
		{"FixedArray", `{"Fixed":[{"role":"r"},{"Role":"s"}]}`, keyOuter{Fixed: [2]keyInner{{}, {Role: "s"}}}},
		{"ArrayOfArrays", `{"Nested":[[{"role":"r","Role":"s"}],[]]}`, keyOuter{Nested: [][]keyInner{{{Role: "s"}}, {}}}},
		{"MapKeysAreData", `{"ByName":{"groupid":{"Role":"r","role":"x"},"GroupId":{"member_account":"m"}}}`,
			keyOuter{ByName: map[string]keyInner{"groupid": {Role: "r"}, "GroupId": {}}}},
		{"StringMapKeysAreData", `{"Data":{"groupid":"x","Tag":"y"}}`, keyOuter{Data: map[string]string{"groupid": "x", "Tag": "y"}}},
		{"AnyIsData", `{"Any":{"groupid":"x","GroupId":["y"]}}`, keyOuter{Any: map[string]any{"groupid": "x", "GroupId": []any{"y"}}}},
		{"RawIsData", `{"Raw":{"groupid":"x"}}`, keyOuter{Raw: json.RawMessage(`{"groupid":"x"}`)}},
		{"NumberIsNoStruct", `{"Num":12}`, keyOuter{Num: func() *json.Number { n := json.Number("12"); return &n }()}},
		{"MiscasedWithObjectValue", `{"list":[{"Member_Account":"alice"}],"groupid":{"a":[1,{"b":"}"}]},"GroupId":"g"}`,
			keyOuter{GroupId: strp("g")}},
		{"StringsWithQuotesAndBraces", `{"Tag":"a\"}{,\\","groupid":"x\\\"y","GroupId":"[\"]"}`,
			keyOuter{keyEmbedded: keyEmbedded{Tag: strp("a\"}{,\\")}, GroupId: strp("[\"]")}},
		{"Spaces", " \n{ \"groupid\" : \"x\" ,\t\"GroupId\"\r: \"g\" } ", keyOuter{GroupId: strp("g")}},
		{"NullValues", `{"groupid":null,"GroupId":null,"Ptr":null,"List":null}`, keyOuter{}},
		{"WrongShapeIgnoredByCheck", `{"List":{"member_account":"x"},"Ptr":[1]}`, keyOuter{}},
		{"UnknownKeys", `{"NoSuchField":{"GroupId":"x"},"group":"y"}`, keyOuter{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got keyOuter
			err := decode([]byte(tt.body), &got)
			if tt.name == "WrongShapeIgnoredByCheck" {
				// The check leaves mistyped values to json.Unmarshal.
				if err == nil {
					t.Fatalf("decode(%s): no error for mistyped fields", tt.body)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode(%s): %v", tt.body, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("decode(%s):\n got %+v\nwant %+v", tt.body, got, tt.want)
			}
		})
	}
}

// Ensure what decode keeps of encoding/json: empty body, null, unknown
// fields, 60003 for text that is not JSON (also when it has a mis-cased
// key) and an invalid parameter for a wrong type.
func TestDecodeErrors(t *testing.T) {
	for _, body := range []string{"", "  \n", "{}", "null", `{"x":1}`} {
		var v keyOuter
		if err := decode([]byte(body), &v); err != nil {
			t.Errorf("decode(%q): %v", body, err)
		}
	}
	for _, body := range []string{`{"groupid":"x",}`, `{"groupid":"x"`, `{"groupid":"x"} {}`, `{"groupid":tru}`,
		`{"groupid":"x","GroupId":"\q"}`, "{\"groupid\":\"x\",\"a\":\"\x01\"}", `{"group\qid":"x"}`, `{"groupid" "x"}`} {
		var v keyOuter
		var ie *im.Error
		if err := decode([]byte(body), &v); !errors.As(err, &ie) || ie.Code != im.CodeJSONParse {
			t.Errorf("decode(%q) = %v, want 60003", body, err)
		}
	}
	for _, body := range []string{`{"GroupId":1}`, `{"groupid":"x","List":"y"}`, `[]`, `"s"`} {
		var v keyOuter
		var pe *paramError
		if err := decode([]byte(body), &v); !errors.As(err, &pe) {
			t.Errorf("decode(%q) = %v, want an invalid parameter", body, err)
		}
	}
	// A mis-cased key is unknown, so its value's type does not matter.
	var v keyOuter
	if err := decode([]byte(`{"groupid":1,"list":"y"}`), &v); err != nil {
		t.Errorf("mistyped values of mis-cased keys: %v", err)
	}
}

// Ensure every request type of the route table is checked: the shape of a
// type with fields is not nil, and a recursive type does not loop.
func TestDecodeShapes(t *testing.T) {
	type node struct {
		Name     string
		Children []node
		Next     *node
	}
	var n node
	if err := decode([]byte(`{"Name":"a","Children":[{"name":"x","Name":"b","Next":{"NAME":"y"}}]}`), &n); err != nil {
		t.Fatal(err)
	}
	want := node{Name: "a", Children: []node{{Name: "b", Next: &node{}}}}
	if !reflect.DeepEqual(n, want) {
		t.Errorf("recursive type: got %+v, want %+v", n, want)
	}
	if s := shapeOf(reflect.TypeFor[empty]()); s != nil {
		t.Errorf("shape of a struct without fields: %+v, want nil", s)
	}
	if s := shapeOf(reflect.TypeFor[*createGroupReq]()); s == nil || len(s.fields) != 13 {
		t.Errorf("shape of createGroupReq: %+v", s)
	}
	// friendAddReq's items embed friendItemReq: its fields are the item's.
	s := shapeOf(reflect.TypeFor[friendAddReq]())
	items, _ := s.field([]byte("AddFriendItem"))
	if items == nil || items.elem == nil {
		t.Fatalf("AddFriendItem: no shape")
	}
	var names []string
	for _, f := range items.elem.fields {
		names = append(names, f.name)
	}
	if got := strings.Join(names, ","); got != "GroupName,To_Account,Remark,AddSource,AddWording" {
		t.Errorf("AddFriendItem fields: %s", got)
	}
}

// Ensure a body whose keys are all exact is decoded as json.Unmarshal
// decodes it, and is not copied.
func TestDecodeExactKeysUntouched(t *testing.T) {
	body := []byte(`{"Owner_Account":"a","Type":"Public","Name":"n","MemberList":[{"Member_Account":"b","Role":"Admin","AppMemberDefinedData":[{"Key":"k","Value":"v"}]}],"Unknown":{"type":1}}`)
	out := strictKeys(body, shapeOf(reflect.TypeFor[createGroupReq]()))
	if &out[0] != &body[0] {
		t.Errorf("a body with exact keys was copied")
	}
}
