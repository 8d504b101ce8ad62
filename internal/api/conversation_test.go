package api_test

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

var updateConv = flag.Bool("update-conversations", false, "rewrite the golden replies under testdata/conversations")

// convNow is the clock of the conversation tests: get_list's last page
// carries it as TimeStamp.
var convNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// openConvHarness is MustOpenHarness on a store whose clock stands still,
// with accounts alice, bob, carol and dave, groups G1 (alice, bob), G2
// (alice; no messages), G3 (bob) and messages: bob→alice and carol→alice
// at 1000, alice→dave at 1010, in G1 at 1005 and in G3 at 1020; alice has
// pinned her conversation with carol, and marked and grouped the one with
// dave.
func openConvHarness(t *testing.T, dsn string) *Harness {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{Now: func() time.Time { return convNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	apps := []*im.App{{SDKAppID: TestAppID, SecretKey: TestKey, Admins: []string{Admin}, Edition: im.EditionUltimate}}
	if err := db.EnsureAccounts(ctx, TestAppID, apps[0].Admins); err != nil {
		t.Fatal(err)
	}
	handler := api.NewServer(api.Options{Apps: apps, Store: db, RateLimit: api.RateOff}).Handler()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	h := &Harness{tb: t, URL: srv.URL, Handler: handler, Store: db, Apps: apps}
	h.importUsers("alice", "bob", "carol", "dave")
	h.create(`{"Type":"Public","GroupId":"G1","Name":"one","Owner_Account":"bob","MemberList":[{"Member_Account":"alice"}]}`)
	h.create(`{"Type":"Private","GroupId":"G2","Name":"two","Owner_Account":"alice"}`)
	h.create(`{"Type":"Public","GroupId":"G3","Name":"three","Owner_Account":"bob"}`)
	for _, m := range []struct {
		from, to string
		at       int64
	}{{"bob", "alice", 1000}, {"carol", "alice", 1000}, {"alice", "dave", 1010}} {
		if _, err := db.SeedC2CMessage(ctx, TestAppID, m.from, m.to, m.at); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []struct {
		group string
		at    int64
	}{{"G1", 1005}, {"G3", 1020}} {
		if err := db.SeedGroupMessage(ctx, TestAppID, m.group, "bob", m.at); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SetPinned(ctx, TestAppID, "alice", []im.Contact{{Type: im.ContactC2C, Peer: "carol"}}, true); err != nil {
		t.Fatal(err)
	}
	h.MustCall(0, rc, "mark_contact", markBody("alice", markItem(3, c2c("dave"), `"SetMark":[0,3],"CustomMark":"vip"`)))
	h.MustCall(0, rc, "create_contact_group", createBody("alice", "work", c2c("dave"), grpItem("G1")))
	return h
}

// Ensure get_list and delete answer the requests of
// testdata/conversations/NN_<command>.req.json, in name order against one
// server, with the replies recorded next to them: Tencent's samples, every
// AssistFlags variant, each error code. -update-conversations rewrites them.
func TestConversationsGolden(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openConvHarness(t, dsn)
		replayGolden(t, "testdata/conversations", 1, *updateConv, func(command, body string) Reply {
			return h.Call(rc, command, body)
		})
	})
}

// Ensure a client following get_list's cursors through the API, as the Go
// SDK's PullSessions does, sees every conversation once across pages of
// 100 when they share a few MsgTimes, and that failed calls change nothing.
func TestGetList_PagesAndCodes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		h := openConvHarness(t, dsn)
		var peers []string
		for i := range 230 {
			peers = append(peers, fmt.Sprintf("p%03d", i))
		}
		h.importUsers(peers...)
		for i, p := range peers {
			if _, err := h.Store.SeedC2CMessage(ctx, TestAppID, p, "alice", 900+int64(i%4)); err != nil {
				t.Fatal(err)
			}
		}
		seen := map[string]int{}
		body := `{"From_Account":"alice","TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":7}`
		for pages := 1; ; pages++ {
			var r struct {
				SessionItem []struct {
					To_Account, GroupId string
				}
				CompleteFlag, StartIndex, TopStartIndex int
				TimeStamp, TopTimeStamp                 int64
			}
			if err := json.Unmarshal([]byte(h.MustCall(0, rc, "get_list", body).Raw), &r); err != nil {
				t.Fatal(err)
			}
			if len(r.SessionItem) > im.ConversationPageSize+1 { // + the pinned one on the first page
				t.Fatalf("page of %d", len(r.SessionItem))
			}
			for _, it := range r.SessionItem {
				seen[it.To_Account+it.GroupId]++
			}
			if r.CompleteFlag == 1 {
				break
			}
			if pages > 5 {
				t.Fatal("no last page")
			}
			body = fmt.Sprintf(`{"From_Account":"alice","TimeStamp":%d,"StartIndex":%d,"TopTimeStamp":%d,"TopStartIndex":%d,"AssistFlags":7}`,
				r.TimeStamp, r.StartIndex, r.TopTimeStamp, r.TopStartIndex)
		}
		// 230 peers, bob, carol, dave, G1 and the empty G2.
		if len(seen) != 235 {
			t.Errorf("saw %d conversations, want 235", len(seen))
		}
		for k, n := range seen {
			if n != 1 {
				t.Errorf("%s seen %d times", k, n)
			}
		}

		list := `{"From_Account":"alice","TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":0}`
		before := h.MustCall(0, rc, "get_list", list).Raw
		runCases(t, h, rc, []callCase{
			{name: "no From_Account", command: "delete", body: `{"Type":1,"To_Account":"bob"}`, code: 50002},
			{name: "no Type", command: "delete", body: `{"From_Account":"alice","To_Account":"bob"}`, code: 50002},
			{name: "no To_Account", command: "delete", body: `{"From_Account":"alice","Type":1,"ToGroupid":"G1"}`, code: 50002},
			{name: "ToGroupId is not ToGroupid", command: "delete", body: `{"From_Account":"alice","Type":2,"ToGroupId":"G1"}`, code: 50002},
			{name: "ClearRamble 2", command: "delete", body: `{"From_Account":"alice","Type":1,"To_Account":"bob","ClearRamble":2}`, code: 50002},
			{name: "Type a string", command: "delete", body: `{"From_Account":"alice","Type":"1","To_Account":"bob"}`, code: 50002},
			{name: "unknown owner", command: "delete", body: `{"From_Account":"nobody","Type":1,"To_Account":"bob"}`, code: 50001},
			{name: "unknown peer", command: "delete", body: `{"From_Account":"alice","Type":1,"To_Account":"nobody"}`, code: 50001},
			{name: "unknown group", command: "delete", body: `{"From_Account":"alice","Type":2,"ToGroupid":"@TGS#none"}`, code: 51007},
			{name: "negative StartIndex", command: "get_list", body: `{"From_Account":"alice","TimeStamp":0,"StartIndex":-1,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":0}`, code: 50002},
			{name: "no TopTimeStamp", command: "get_list", body: `{"From_Account":"alice","TimeStamp":0,"StartIndex":0,"TopStartIndex":0,"AssistFlags":0}`, code: 50002},
		})
		if after := h.MustCall(0, rc, "get_list", list).Raw; after != before {
			t.Errorf("failed calls changed the list:\n%s\n%s", before, after)
		}
	})
}
