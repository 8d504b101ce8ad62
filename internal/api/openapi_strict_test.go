package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/timd/timd/internal/api"
)

// Ensure the required fields /openapi.json gives each command agree with
// what timd refuses (strictKeyRoutes): a correct request of a command with
// required fields matches its request schema, and the same request with its
// keys lower-cased, which timd refuses as missing them, does not; a command
// without required fields requires none in the document.
func TestOpenAPI_RequiredFieldsAsTimdRefuses(t *testing.T) {
	schemas := openAPISchemas(t)
	for name, rt := range strictKeyRoutes {
		svc, cmd, _ := strings.Cut(name, "/")
		s := schemas[svc+"."+cmd+".Request"]
		if s == nil {
			t.Errorf("%s: no request schema in /openapi.json", name)
			continue
		}
		required, _ := s["required"].([]any)
		if rt.want == 0 {
			if len(required) > 0 {
				t.Errorf("%s: timd requires no field, the document requires %v", name, required)
			}
			continue
		}
		c := compileSchema(t, name, s)
		if err := c.Validate(decodeJSON(t, rt.body)); err != nil {
			t.Errorf("%s: the correct request %s does not match the document: %v", name, rt.body, err)
		}
		if c.Validate(decodeJSON(t, lowerKeys(rt.body))) == nil {
			t.Errorf("%s: timd refuses %s as missing required fields (%d), the document lets it pass: add the fields to required in commandDocs",
				name, lowerKeys(rt.body), rt.want)
		}
	}
}

// openAPISchemas gets GET /openapi.json and returns its component schemas.
func openAPISchemas(t *testing.T) map[string]map[string]any {
	t.Helper()
	srv := httptest.NewServer(api.NewServer(api.Options{}).Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]map[string]any
		}
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
	return doc.Components.Schemas
}

func compileSchema(t *testing.T, name string, s map[string]any) *jsonschema.Schema {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	url := "urn:timd:" + name
	if err := c.AddResource(url, decodeJSON(t, string(raw))); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(url)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return sch
}

func decodeJSON(t *testing.T, s string) any {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(s)))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}
