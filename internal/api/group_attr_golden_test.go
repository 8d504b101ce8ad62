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

	"github.com/timd/timd/internal/dbtest"
)

// Ensure the group attribute commands answer as recorded in
// testdata/groupattr/NN_<command>.{req,resp}.json: Tencent's samples (on
// an AVChatRoom, Live, for Tencent's sample GroupId cannot be chosen) and
// each code. The files run in name order against one server that has Live
// and a Community, @TGS#_C; -update rewrites the replies.
func TestGroupAttrGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		h.create(`{"Owner_Account":"alice","Type":"Community","GroupId":"@TGS#_C","Name":"c"}`)
		reqs, _ := filepath.Glob("testdata/groupattr/*.req.json")
		sort.Strings(reqs)
		if len(reqs) < 17 {
			t.Fatalf("%d golden requests", len(reqs))
		}
		for _, reqFile := range reqs {
			name := strings.TrimSuffix(filepath.Base(reqFile), ".req.json")
			command := name[strings.Index(name, "_")+1:]
			req, err := os.ReadFile(reqFile)
			if err != nil {
				t.Fatal(err)
			}
			service := grp
			if command == "get_group_attr" {
				service = attrSvc
			}
			goldenReply(t, strings.TrimSuffix(reqFile, ".req.json")+".resp.json", h.Call(service, command, string(req)))
		}
	})
}

// goldenReply compares a reply with the one recorded in respFile as JSON
// values, or with -update records it there.
func goldenReply(t *testing.T, respFile string, got Reply) {
	t.Helper()
	if *update {
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
		t.Fatalf("%v (run with -update to create it)", err)
	}
	var gv, wv any
	if err := json.Unmarshal([]byte(got.Raw), &gv); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(want, &wv); err != nil {
		t.Fatalf("%s: %v", respFile, err)
	}
	if !reflect.DeepEqual(gv, wv) {
		t.Errorf("%s:\n got %s\nwant %s", respFile, got.Raw, want)
	}
}
