package api_test

import (
	"flag"
	"os"
	"path/filepath"
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
				// NN_<service>.<command> calls another service's command, as
				// a step of this service's story (a profile a later sample
				// depends on). A conversation's Timestamp and a blocklist
				// entry's AddBlackTimeStamp are the time of the call that
				// made them: only their presence is compared.
				replayGolden(t, dir, 1, *update, func(command, body string) Reply {
					svc := service
					if other, cmd, ok := strings.Cut(command, "."); ok {
						svc, command = other, cmd
					}
					return h.Call(svc, command, body)
				}, blankTimestamps)
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
