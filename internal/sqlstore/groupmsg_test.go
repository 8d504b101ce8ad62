package sqlstore_test

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// clock is a settable clock for stores whose tests move time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// openMsgDB opens a store on the clock with alice, bob, carol and dave
// imported, and group G (Public: alice owner, bob member, carol admin).
func openMsgDB(t testing.TB, dsn string, c *clock) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	var accts []im.AccountImport
	for _, id := range []string{"administrator", "alice", "bob", "carol", "dave"} {
		accts = append(accts, im.AccountImport{UserID: id})
	}
	if err := db.ImportAccounts(context.Background(), gapp, accts); err != nil {
		t.Fatal(err)
	}
	ng := newGroup("G", im.GroupPublic, "alice", "bob")
	ng.Members = append(ng.Members, im.Member{UserID: "carol", Role: im.RoleAdmin})
	if _, err := db.CreateGroup(context.Background(), quiet, ng); err != nil {
		t.Fatal(err)
	}
	return db
}

func text(s string) im.MsgBody {
	return im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"` + s + `"}}]`)
}

// msg is a message from From (as a member unless From is the admin).
func msg(from string, random uint32, body string) im.NewGroupMsg {
	return im.NewGroupMsg{From: from, AsMember: from != "administrator", Random: random, Priority: im.PriorityNormal, Body: text(body), After: true}
}

// history renders GroupMsgs as "seq:from:text" (place holders "seq:-",
// recalled messages "seq:recalled").
func history(t *testing.T, db *sqlstore.DB, groupID string, upTo int64, n int, recalled bool) string {
	t.Helper()
	msgs, _, err := db.GroupMsgs(context.Background(), gapp, groupID, upTo, n, recalled)
	if err != nil {
		t.Fatal(err)
	}
	var parts []string
	for _, m := range msgs {
		if m.Place {
			parts = append(parts, itoa64(m.Seq)+":-")
			continue
		}
		if m.FlagBits&im.MsgFlagRecalled != 0 {
			parts = append(parts, itoa64(m.Seq)+":recalled")
			continue
		}
		b := string(m.Body)
		b = b[strings.Index(b, `"Text":"`)+8:]
		parts = append(parts, itoa64(m.Seq)+":"+m.From+":"+b[:strings.IndexByte(b, '"')])
	}
	return strings.Join(parts, " ")
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func groupCounters(t *testing.T, db *sqlstore.DB, id string) (int64, int64) {
	t.Helper()
	gs, _, err := db.FindGroups(context.Background(), gapp, []string{id}, false)
	if err != nil || gs[0] == nil {
		t.Fatalf("find %s: %v", id, err)
	}
	return gs[0].NextMsgSeq, gs[0].LastMsgTime
}

// Ensure SendGroupMsg gives each stored message the group's next MsgSeq
// from 1, moves LastMsgTime to its time, records Group.CallbackAfterSendMsg
// with the documented fields, answers a Random repeated within 300 s with
// the first message, and refuses unknown senders (10019), non-members
// (10007), unknown groups (10010) without changing anything.
func TestGroupMsgService_Send(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1767323045, 0)}
		db := openMsgDB(t, dsn, c)
		if seq, at := groupCounters(t, db, "G"); seq != 1 || at != 0 {
			t.Fatalf("new group: NextMsgSeq %d LastMsgTime %d", seq, at)
		}
		sent, err := db.SendGroupMsg(ctx, recording, "G", msg("administrator", 7, "one"))
		if err != nil || sent != (im.SentGroupMsg{Seq: 1, Time: 1767323045}) {
			t.Fatalf("send: %+v %v", sent, err)
		}
		c.add(10 * time.Second)
		if sent, err = db.SendGroupMsg(ctx, recording, "G", msg("bob", 8, "two")); err != nil || sent.Seq != 2 || sent.Time != 1767323055 {
			t.Fatalf("send 2: %+v %v", sent, err)
		}
		// The same Random within 300 s: the first message's answer.
		c.add(289 * time.Second) // 299 s after the first
		if sent, err = db.SendGroupMsg(ctx, recording, "G", msg("bob", 7, "again")); err != nil || sent != (im.SentGroupMsg{Seq: 1, Time: 1767323045, Dup: true}) {
			t.Fatalf("dup: %+v %v", sent, err)
		}
		refuseBadSenders(t, db)
		if seq, at := groupCounters(t, db, "G"); seq != 3 || at != 1767323055 {
			t.Fatalf("after sends: NextMsgSeq %d LastMsgTime %d", seq, at)
		}
		if got := history(t, db, "G", 0, 20, false); got != "2:bob:two 1:administrator:one" {
			t.Fatalf("history %q", got)
		}
		checkSendEvents(t, db)
		// Past the window the Random is free again.
		c.add(time.Second)
		if sent, err = db.SendGroupMsg(ctx, quiet, "G", msg("bob", 7, "three")); err != nil || sent.Seq != 3 || sent.Dup {
			t.Fatalf("after the window: %+v %v", sent, err)
		}
	})
}

// refuseBadSenders checks that unknown senders (10019), non-members (10007)
// and unknown groups (10010) are refused, by the send and its check.
func refuseBadSenders(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	for _, tc := range []struct {
		id   string
		m    im.NewGroupMsg
		code int
	}{
		{"G", msg("nobody", 1, "x"), im.CodeGroupAccountNotFound},
		{"G", msg("dave", 1, "x"), im.CodeGroupForbidden},
		{"nosuch", msg("bob", 1, "x"), im.CodeGroupNotFound},
	} {
		_, err := db.SendGroupMsg(ctx, recording, tc.id, tc.m)
		wantCode(t, tc.m.From, err, tc.code)
		_, err = db.CheckGroupSender(ctx, gapp, tc.id, tc.m)
		wantCode(t, "check "+tc.m.From, err, tc.code)
	}
}

// checkSendEvents checks the Group.CallbackAfterSendMsg events of
// TestGroupMsgService_Send's two messages.
func checkSendEvents(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	want := []string{
		`{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"G","Type":"Public","From_Account":"administrator","Operator_Account":"administrator",` +
			`"Random":7,"MsgSeq":1,"MsgTime":1767323045,"OnlineOnlyFlag":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"one"}}],"EventTime":1767323045000}`,
		`{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"G","Type":"Public","From_Account":"bob","Operator_Account":"administrator",` +
			`"Random":8,"MsgSeq":2,"MsgTime":1767323055,"OnlineOnlyFlag":0,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"two"}}],"EventTime":1767323055000}`,
	}
	evs, _ := db.Events(ctx, gapp)
	if len(evs) != 2 || string(evs[0].Body) != want[0] || string(evs[1].Body) != want[1] || evs[0].Key != "G" {
		t.Fatalf("events %+v\nwant %s", evs, want)
	}
}
