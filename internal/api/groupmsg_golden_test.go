package api_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// msgClock is the clock of a harness whose tests move time.
type msgClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *msgClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *msgClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// msgT0 is where a clocked harness's clock starts: 2026-01-02T03:04:05Z.
var msgT0 = time.Unix(1767323045, 0)

// openClocked is MustOpenHarness with the store and the server on clk.
func openClocked(tb testing.TB, dsn string, clk *msgClock, opts ...func(*api.Options)) *Harness {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Now: clk.Now})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	apps := []*im.App{{SDKAppID: TestAppID, SecretKey: TestKey, Admins: []string{Admin, "admin2"}, Edition: im.EditionUltimate}}
	if err := db.EnsureAccounts(context.Background(), TestAppID, apps[0].Admins); err != nil {
		tb.Fatal(err)
	}
	o := api.Options{Apps: apps, Store: db, RateLimit: api.RateOff, Now: clk.Now}
	for _, f := range opts {
		f(&o)
	}
	handler := api.NewServer(o).Handler()
	srv := httptest.NewServer(handler)
	tb.Cleanup(srv.Close)
	return &Harness{tb: tb, URL: srv.URL, Handler: handler, Store: db, Apps: apps}
}

// msgGroups sets up the groups the group message tests use: MsgGroup
// (Public: alice owner, bob, carol), Muted (bob muted with all ordinary
// members), Imp (for imports) and AV (an AVChatRoom); dave belongs to none.
func msgGroups(h *Harness) {
	h.tb.Helper()
	h.importUsers("alice", "bob", "carol", "dave")
	h.create(`{"Owner_Account":"alice","Type":"Public","Name":"msgs","GroupId":"MsgGroup","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"}]}`)
	h.create(`{"Owner_Account":"alice","Type":"Public","Name":"muted","GroupId":"Muted","MemberList":[{"Member_Account":"bob"}]}`)
	h.MustCall(0, grp, "modify_group_base_info", `{"GroupId":"Muted","MuteAllMember":"On"}`)
	h.create(`{"Owner_Account":"alice","Type":"Public","Name":"imports","GroupId":"Imp","MemberList":[{"Member_Account":"bob"}]}`)
	h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","Name":"live","GroupId":"AV"}`)
}

// msgService is the service a group message command is served under.
func msgService(command string) string {
	if command == "modify_group_msg" {
		return "openim"
	}
	return grp
}

// Ensure the group message commands answer as recorded in
// testdata/groupmsg/NN_<command>.{req,resp}.json: Tencent's samples where
// it gives them, and each error code. The files run in name order against
// one server whose clock starts at msgT0 (the groups are created then) and
// moves 60 s before each; -update rewrites the replies.
func TestGroupMsgGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &msgClock{t: msgT0}
		h := openClocked(t, dsn, clk)
		msgGroups(h)
		replayGolden(t, "testdata/groupmsg", 30, *update, func(command, body string) Reply {
			clk.add(time.Minute)
			return h.Call(msgService(command), command, body)
		})
	})
}
