package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// fetchOpenAPI gets GET /openapi.json from a server, decoded for the
// schema validator (numbers as json.Number).
func fetchOpenAPI(t *testing.T) any {
	t.Helper()
	srv := httptest.NewServer(NewServer(Options{}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + openAPIPath)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET %s: %d %s: %s", openAPIPath, resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// Every route of the route table is in the document, under /v4/ and, for
// timd's own services, /timd/v1/ too, and commandDocs describes it with
// fields its request type has.
func TestOpenAPI_EveryRoute(t *testing.T) {
	table := (&Server{}).routeTable()
	if _, err := openAPIDocument(table); err != nil {
		t.Fatalf("the document is incomplete:\n%v", err)
	}
	doc := fetchOpenAPI(t).(map[string]any)
	paths := doc["paths"].(map[string]any)
	for _, r := range table {
		want := []string{"/v4/" + r.service + "/" + r.command}
		if name, ok := strings.CutPrefix(r.service, "timd_"); ok {
			want = append(want, "/timd/v1/"+name+"/"+r.command)
		}
		for _, p := range want {
			item, _ := paths[p].(map[string]any)
			if item["post"] == nil {
				t.Errorf("%s/%s: no POST %s in the document", r.service, r.command, p)
			}
		}
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics", openAPIPath} {
		if item, _ := paths[p].(map[string]any); item["get"] == nil {
			t.Errorf("no GET %s in the document", p)
		}
	}
	served := map[string]bool{}
	for _, r := range table {
		served[r.service+"/"+r.command] = true
	}
	for k := range commandDocs {
		if !served[k] {
			t.Errorf("commandDocs describes %s, which the route table does not serve: remove or rename its entry", k)
		}
	}
}

// A route without an entry, or an entry naming a field the request does not
// have, is reported with what to add or fix.
func TestOpenAPI_IncompleteEntries(t *testing.T) {
	s := &Server{}
	_, err := openAPIDocument([]route{{"timd_nothing", "do", 200, rpc(s.clockGet)}})
	want := `"timd_nothing/do": {summary: "...", required: []string{...}},`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("missing entry: got %v, want it to say %s", err, want)
	}
	bad := commandDoc{required: []string{"Tme"}, enums: map[string][]any{"X.Y": {1}}}
	_, err = requestSchema(rpc(s.clockSet), bad)
	for _, want := range []string{`required "Tme"`, `enum "X.Y"`} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("fields clockReq does not have: got %v, want it to say %s", err, want)
		}
	}
}

// The document is a valid OpenAPI 3.1 document (the OpenAPI Initiative's
// schema, testdata/openapi) and each command's schemas are valid JSON
// Schemas (2020-12).
func TestOpenAPI_ValidDocument(t *testing.T) {
	doc := fetchOpenAPI(t)
	c := jsonschema.NewCompiler()
	raw, err := os.ReadFile("testdata/openapi/oas-3.1-schema-2022-10-07.json")
	if err != nil {
		t.Fatal(err)
	}
	meta, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	const metaURL = "https://spec.openapis.org/oas/3.1/schema/2022-10-07"
	if err := c.AddResource(metaURL, meta); err != nil {
		t.Fatal(err)
	}
	oas, err := c.Compile(metaURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := oas.Validate(doc); err != nil {
		t.Fatalf("not a valid OpenAPI 3.1 document: %v", err)
	}
	for name := range componentSchemas(doc) {
		if _, err := compileComponent(doc, name, false); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	// The check can fail: a document without info is refused.
	broken := map[string]any{"openapi": "3.1.0", "paths": map[string]any{}}
	if oas.Validate(broken) == nil {
		t.Error("a document without info passed the OpenAPI schema")
	}
}

func componentSchemas(doc any) map[string]any {
	return doc.(map[string]any)["components"].(map[string]any)["schemas"].(map[string]any)
}

// compileComponent compiles one schema of the document's components on its
// own; closed forbids members the schema does not describe, so a reply
// field timd writes and the document leaves out fails.
func compileComponent(doc any, name string, closed bool) (*jsonschema.Schema, error) {
	s := componentSchemas(doc)[name]
	if s == nil {
		return nil, fmt.Errorf("no schema %s in the document", name)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	cp, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	if closed {
		closeObjects(cp)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := "urn:timd:openapi:" + name
	if err := c.AddResource(url, cp); err != nil {
		return nil, err
	}
	return c.Compile(url)
}

// closeObjects sets additionalProperties false on every object type in s
// that lists its properties and says nothing of others.
func closeObjects(s any) {
	switch v := s.(type) {
	case map[string]any:
		// Only object types: an "if" that lists properties must stay open.
		if _, ok := v["properties"]; ok && v["type"] == "object" && v["additionalProperties"] == nil {
			v["additionalProperties"] = false
		}
		for _, x := range v {
			closeObjects(x)
		}
	case []any:
		for _, x := range v {
			closeObjects(x)
		}
	}
}

// The members timd writes in a reply of each command, built by json.Marshal
// or member by member (objectReply), are the reply schema's properties, and
// those it requires on success are written even for an empty reply.
func TestOpenAPI_ReplyMembers(t *testing.T) {
	for _, r := range (&Server{}).routeTable() {
		svc := services[r.service]
		reply := reflect.New(r.h.resp)
		for i := range reply.Elem().NumField() {
			// Raw JSON is written as it is: the handler always sets it.
			if f := reply.Elem().Field(i); f.Type() == rawJSONType {
				f.SetBytes([]byte("null"))
			}
		}
		body, err := svc.envelope(0, "", reply.Interface())
		if err != nil {
			t.Fatalf("%s/%s: %v", r.service, r.command, err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatalf("%s/%s: %v: %s", r.service, r.command, err, body)
		}
		s := replySchema(r.h, svc)
		props := s["properties"].(jsonSchema)
		for k := range got {
			if props[k] == nil {
				t.Errorf("%s/%s: the reply has %s, its schema does not", r.service, r.command, k)
			}
		}
		then, _ := s["then"].(jsonSchema)
		required, _ := then["required"].([]string)
		for _, k := range append(required, s["required"].([]string)...) {
			if _, ok := got[k]; !ok {
				t.Errorf("%s/%s: the schema requires %s, an empty reply leaves it out: %s", r.service, r.command, k, body)
			}
		}
	}
}
