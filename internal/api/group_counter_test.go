package api_test

import (
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the group counter commands answer as recorded in
// testdata/groupcounter/NN_<command>.{req,resp}.json: Tencent's samples (on
// an AVChatRoom, Live, for Tencent's sample GroupId cannot be chosen) and
// each code. The files run in name order against one server that has Live
// and a Community, @TGS#_C; -update rewrites the replies.
func TestGroupCounterGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		h.create(`{"Owner_Account":"alice","Type":"Community","GroupId":"@TGS#_C","Name":"c"}`)
		replayGolden(t, "testdata/groupcounter", 26, *update, func(command, body string) Reply {
			return h.Call(grp, command, body)
		})
		if n := len(h.events()); n != 2 {
			t.Errorf("%d callback events, want the two creations' only", n)
		}
	})
}

// Ensure the counter commands answer 10059 on an app of another edition
// than Ultimate, before anything else is looked at.
func TestGroupCounter_Edition(t *testing.T) {
	for _, ed := range []im.Edition{im.EditionPro, im.EditionStandard} {
		h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Apps[0].Edition = ed })
		for command, body := range map[string]string{
			"get_group_counter":    `{"GroupId":"@TGS#_nosuch"}`,
			"update_group_counter": `{}`,
			"delete_group_counter": `{"GroupId":"x"}`,
		} {
			if r := h.Call(grp, command, body); r.Code(t) != im.CodeGroupCounterEdition {
				t.Errorf("%s on %s: %s", command, ed, r.Raw)
			}
		}
	}
}
