package api

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// goldenDirService is the service of the golden files of a directory under
// testdata/ whose name is not a service's.
var goldenDirService = map[string]string{
	"conversations": "recentcontact",
	"groupadmin":    "group_open_http_svc",
	"groupattr":     "group_open_http_svc",
	"groupmsg":      "group_open_http_svc",
	"openim":        "openim",
}

// goldenRoute finds the route of a golden request file: NN_<command>,
// NN_<command>.<case> or NN_<service>.<command>[.<case>], the service
// otherwise the directory's, or the one route of that command.
func goldenRoute(routes map[string]route, dirService, file string) (route, bool) {
	name := strings.TrimSuffix(filepath.Base(file), ".req.json")
	name = name[strings.Index(name, "_")+1:]
	parts := strings.Split(name, ".")
	if _, ok := services[parts[0]]; ok && len(parts) > 1 {
		r, ok := routes[parts[0]+"/"+parts[1]]
		return r, ok
	}
	if r, ok := routes[dirService+"/"+parts[0]]; ok {
		return r, true
	}
	var found []route
	for _, r := range routes {
		if r.command == parts[0] {
			found = append(found, r)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return route{}, false
}

// goldenFiles lists every golden request file with its directory's service.
func goldenFiles(t *testing.T) map[string]string {
	out := map[string]string{}
	golden, _ := filepath.Glob("testdata/golden/*/*.req.json")
	for _, f := range golden {
		out[f] = filepath.Base(filepath.Dir(f))
	}
	others, _ := filepath.Glob("testdata/*/*.req.json")
	for _, f := range others {
		out[f] = goldenDirService[filepath.Base(filepath.Dir(f))]
	}
	if len(out) < 300 {
		t.Fatalf("found only %d golden request files", len(out))
	}
	return out
}

// Every golden reply validates against its command's reply schema, closed:
// a member timd writes that the schema does not describe fails. Every
// golden request that was answered OK validates against its command's
// request schema, so no field the document requires is one a successful
// call goes without.
func TestOpenAPI_Goldens(t *testing.T) {
	doc := fetchOpenAPI(t)
	routes := map[string]route{}
	for _, r := range (&Server{}).routeTable() {
		routes[r.service+"/"+r.command] = r
	}
	files := goldenFiles(t)
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	checked := map[string]bool{}
	for _, reqFile := range names {
		r, ok := goldenRoute(routes, files[reqFile], reqFile)
		if !ok {
			continue // an unknown command, answered 60009/10003
		}
		checked[r.service+"/"+r.command] = true
		checkGolden(t, doc, r, reqFile)
	}
	if len(checked) < 60 {
		t.Errorf("golden files of only %d commands were checked", len(checked))
	}
	checkCanFail(t, doc)
}

// checkCanFail shows the reply check refusing a member the schema does not
// describe and a success without its fields.
func checkCanFail(t *testing.T, doc any) {
	t.Helper()
	s, err := compileComponent(doc, "timd_clock.get.Reply", true)
	if err != nil {
		t.Fatal(err)
	}
	ok := `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"Now":1,"Offset":0}`
	for body, valid := range map[string]bool{
		ok: true,
		`{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":60009}`:             true,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"Now":1}`:            false,
		strings.TrimSuffix(ok, "}") + `,"Extra":1}`:                             false,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"now":1,"Offset":0}`: false,
	} {
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Validate(v); (err == nil) != valid {
			t.Errorf("%s: valid %v, want %v (%v)", body, err == nil, valid, err)
		}
	}
}

// checkGolden validates one golden pair against r's schemas.
func checkGolden(t *testing.T, doc any, r route, reqFile string) {
	t.Helper()
	name := r.service + "." + r.command
	reply := readJSON(t, strings.TrimSuffix(reqFile, ".req.json")+".resp.json")
	replySchema, err := compileComponent(doc, name+".Reply", true)
	if err != nil {
		t.Fatal(err)
	}
	if err := replySchema.Validate(reply); err != nil {
		t.Errorf("%s: reply does not match %s.Reply: %#v", reqFile, name, err)
	}
	if m, _ := reply.(map[string]any); m["ActionStatus"] != "OK" {
		return // a refused request may lack what the schema requires
	}
	reqSchema, err := compileComponent(doc, name+".Request", false)
	if err != nil {
		t.Fatal(err)
	}
	if err := reqSchema.Validate(readJSON(t, reqFile)); err != nil {
		t.Errorf("%s: request answered OK does not match %s.Request: %#v", reqFile, name, err)
	}
}

func readJSON(t *testing.T, file string) any {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return map[string]any{} // an empty body is {}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return v
}
