package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the follow commands answer as recorded in
// testdata/follow/NN_<command>.{req,resp}.json: the samples' shapes, each
// item result and each code, on a clock that stands still at openimEpoch;
// and that follow_add and follow_delete record their callbacks naming only
// the follows they made or ended.
func TestFollowGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openIM(t, dsn, &testClock{t: openimEpoch}, []string{"alice", "bob", "carol", "dave"})
		replayGolden(t, "testdata/follow", 20, *update, func(command, body string) Reply {
			return h.Call("follow", command, body)
		})
		var got []string
		for _, cmd := range []string{im.CallbackAfterFollowAdd, im.CallbackAfterFollowDelete} {
			for _, ev := range h.eventsOf(cmd) {
				got = append(got, ev.Raw)
			}
		}
		want := []string{
			`{"CallbackCommand":"Follow.CallbackAfterFollowAdd","From_Account":"alice","FollowList":[{"To_Account":"bob"},{"To_Account":"carol"}],"EventTime":1584669680000}`,
			`{"CallbackCommand":"Follow.CallbackAfterFollowAdd","From_Account":"bob","FollowList":[{"To_Account":"alice"}],"EventTime":1584669680000}`,
			`{"CallbackCommand":"Follow.CallbackAfterFollowDelete","From_Account":"alice","To_Account":["bob"],"EventTime":1584669680000}`,
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("events\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	})
}

// Ensure the follow commands answer 30005 on an app of another edition
// than Ultimate, before anything else is looked at.
func TestFollow_Edition(t *testing.T) {
	for _, ed := range []im.Edition{im.EditionPro, im.EditionStandard} {
		h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Apps[0].Edition = ed })
		for _, command := range []string{"follow_add", "follow_delete", "follow_check", "follow_get", "follow_get_info"} {
			if r := h.Call("follow", command, `{}`); r.Code(t) != im.CodeFollowDisabled {
				t.Errorf("%s on %s: %s", command, ed, r.Raw)
			}
		}
	}
}
