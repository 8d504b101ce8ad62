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
	"time"

	"github.com/timd/timd/internal/dbtest"
)

// adminService is the service a group administration command is served
// under.
func adminService(command string) string {
	switch command {
	case "setnospeaking", "getnospeaking":
		return "openconfigsvr"
	}
	return grp
}

// Ensure the group administration commands and the global mute answer as
// recorded in testdata/groupadmin/NN_<command>.{req,resp}.json: Tencent's
// samples where it gives them, and each error code. The files run in name
// order against one server (the groups of msgGroups and a Work group, W)
// whose clock starts at msgT0 and moves 60 s before each; -update rewrites
// the replies.
func TestGroupAdminGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &msgClock{t: msgT0}
		h := openClocked(t, dsn, clk)
		msgGroups(h)
		h.create(`{"Owner_Account":"alice","Type":"Work","Name":"work","GroupId":"Work","MemberList":[{"Member_Account":"bob"}]}`)
		reqs, _ := filepath.Glob("testdata/groupadmin/*.req.json")
		sort.Strings(reqs)
		if len(reqs) < 29 {
			t.Fatalf("%d golden requests", len(reqs))
		}
		for _, reqFile := range reqs {
			clk.add(time.Minute)
			name := strings.TrimSuffix(filepath.Base(reqFile), ".req.json")
			command := name[strings.Index(name, "_")+1:]
			req, err := os.ReadFile(reqFile)
			if err != nil {
				t.Fatal(err)
			}
			got := h.Call(adminService(command), command, string(req))
			respFile := strings.TrimSuffix(reqFile, ".req.json") + ".resp.json"
			if *update {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, []byte(got.Raw), "", "  "); err != nil {
					t.Fatalf("%s: reply is not JSON: %v", command, err)
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
			if !reflect.DeepEqual(gv, wv) {
				t.Errorf("%s:\n got %s\nwant %s", name, got.Raw, want)
			}
		}
	})
}
