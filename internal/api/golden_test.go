package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

var update = flag.Bool("update", false, "rewrite the golden reply files under testdata/golden")

// Ensure each command answers the documented sample requests as recorded in
// testdata/golden/<service>/NN_<command>.{req,resp}.json. Files of a service
// run in name order against one server, so later samples see earlier ones.
// Replies are compared as JSON values; go test ./internal/api -update
// rewrites them. A service directory's 00_setup.accounts lists accounts to
// import before its first sample; a file NN_<other>.<command> is a step of
// another service.
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/golden/*")
	for _, dir := range dirs {
		service := filepath.Base(dir)
		t.Run(service, func(t *testing.T) {
			dbtest.ForEach(t, func(t *testing.T, dsn string) {
				h := MustOpenHarness(t, dsn)
				// 00_setup.accounts, if present, names accounts (one UserID a
				// line) to import first, for services that cannot import them.
				if setup, err := os.ReadFile(filepath.Join(dir, "00_setup.accounts")); err == nil {
					h.importUsers(strings.Fields(string(setup))...)
				}
				reqs, _ := filepath.Glob(filepath.Join(dir, "*.req.json"))
				sort.Strings(reqs)
				for _, reqFile := range reqs {
					name := strings.TrimSuffix(filepath.Base(reqFile), ".req.json")
					command := name[strings.Index(name, "_")+1:]
					svc := service
					// NN_<service>.<command> calls another service's command, as
					// a step of this service's story (a profile a later sample
					// depends on).
					if other, cmd, ok := strings.Cut(command, "."); ok {
						svc, command = other, cmd
					}
					req, err := os.ReadFile(reqFile)
					if err != nil {
						t.Fatal(err)
					}
					got := h.Call(svc, command, string(req))
					respFile := strings.TrimSuffix(reqFile, ".req.json") + ".resp.json"
					if *update {
						var pretty bytes.Buffer
						if err := json.Indent(&pretty, []byte(got.Raw), "", "  "); err != nil {
							t.Fatalf("%v: %s", err, got.Raw)
						}
						pretty.WriteByte('\n')
						if err := os.WriteFile(respFile, pretty.Bytes(), 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(respFile)
					if err != nil {
						t.Fatalf("%v (run with -update to create it)", err)
					}
					var gv, wv any
					if err := json.Unmarshal([]byte(got.Raw), &gv); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(want, &wv); err != nil {
						t.Fatalf("%s: %v", respFile, err)
					}
					// A conversation's Timestamp and a blocklist entry's
					// AddBlackTimeStamp are the time of the call that made
					// them: only their presence is compared.
					blankTimestamps(gv)
					blankTimestamps(wv)
					if !reflect.DeepEqual(gv, wv) {
						t.Errorf("%s:\n got %s\nwant %s", name, got.Raw, want)
					}
				}
			})
		})
	}
}

// blankTimestamps sets every "Timestamp" and "AddBlackTimeStamp" member in
// a decoded JSON value to 0.
func blankTimestamps(v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if _, ok := x.(float64); ok && (k == "Timestamp" || k == "AddBlackTimeStamp") {
				v[k] = 0.0
				continue
			}
			blankTimestamps(x)
		}
	case []any:
		for _, x := range v {
			blankTimestamps(x)
		}
	}
}
