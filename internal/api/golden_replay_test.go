package api_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// replayGolden runs the requests dir holds as NN_<command>.req.json, in
// name order, through call, and compares each reply with the
// NN_<command>.resp.json beside it as JSON values; with rewrite set it
// records the replies there instead. It fails if dir holds fewer than
// atLeast requests, so that a misnamed directory does not pass empty. Each
// of normalize is applied to both values before they are compared.
func replayGolden(t *testing.T, dir string, atLeast int, rewrite bool, call func(command, body string) Reply, normalize ...func(any)) {
	t.Helper()
	reqs, _ := filepath.Glob(filepath.Join(dir, "*.req.json"))
	sort.Strings(reqs)
	if len(reqs) < atLeast {
		t.Fatalf("%s: %d golden requests, want at least %d", dir, len(reqs), atLeast)
	}
	for _, reqFile := range reqs {
		name := strings.TrimSuffix(filepath.Base(reqFile), ".req.json")
		req, err := os.ReadFile(reqFile)
		if err != nil {
			t.Fatal(err)
		}
		got := call(name[strings.Index(name, "_")+1:], string(req))
		goldenReply(t, strings.TrimSuffix(reqFile, ".req.json")+".resp.json", got, rewrite, normalize...)
	}
}

// goldenReply compares a reply with the one recorded in respFile as JSON
// values (each of normalize applied to both), or with rewrite records it
// there.
func goldenReply(t *testing.T, respFile string, got Reply, rewrite bool, normalize ...func(any)) {
	t.Helper()
	if rewrite {
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, []byte(got.Raw), "", "  "); err != nil {
			t.Fatalf("%s: reply is not JSON: %v", respFile, err)
		}
		pretty.WriteByte('\n')
		if err := os.WriteFile(respFile, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(respFile)
	if err != nil {
		t.Fatalf("%v (run with the test's -update flag to create it)", err)
	}
	var gv, wv any
	if err := json.Unmarshal([]byte(got.Raw), &gv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wv); err != nil {
		t.Fatalf("%s: %v", respFile, err)
	}
	for _, f := range normalize {
		f(gv)
		f(wv)
	}
	if !reflect.DeepEqual(gv, wv) {
		t.Errorf("%s:\n got %s\nwant %s", respFile, got.Raw, want)
	}
}
