package api_test

import (
	"math"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the AVChatRoom ban commands answer as recorded in
// testdata/groupban/NN_<command>.{req,resp}.json: Tencent's sample ban,
// pages of the list, an unban, a banned sender refused, and each code.
// The files run in name order against one server that has the AVChatRoom
// Live and the Public group Pub; -update rewrites the replies. A recorded
// BannedUntil (and MsgTime) is seconds from the start of the test, to
// the nearest ten.
func TestGroupBanGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"Pub","Name":"pub"}`)
		start := time.Now().Unix()
		replayGolden(t, "testdata/groupban", 23, *update, func(command, body string) Reply {
			return h.Call(grp, command, body)
		}, func(v any) { relativeBans(v, start) })
	})
}

// relativeBans replaces each BannedUntil and MsgTime that is a time (a
// unix second) with its distance from start, to the nearest ten seconds.
func relativeBans(v any, start int64) {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if t, ok := x.(float64); ok && (k == "BannedUntil" || k == "MsgTime") && t > 1e9 {
				v[k] = math.Round((t-float64(start))/10) * 10
				continue
			}
			relativeBans(x, start)
		}
	case []any:
		for _, x := range v {
			relativeBans(x, start)
		}
	}
}

// Ensure the ban commands answer 10059 on an app of another edition than
// Ultimate, before anything else is looked at.
func TestGroupBan_Edition(t *testing.T) {
	for _, ed := range []im.Edition{im.EditionPro, im.EditionStandard} {
		h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Apps[0].Edition = ed })
		for command, body := range map[string]string{
			"ban_group_member":     `{"GroupId":"@TGS#_nosuch"}`,
			"unban_group_member":   `{}`,
			"get_group_ban_member": `{"GroupId":"x"}`,
		} {
			if r := h.Call(grp, command, body); r.Code(t) != im.CodeGroupCounterEdition {
				t.Errorf("%s on %s: %s", command, ed, r.Raw)
			}
		}
	}
}
