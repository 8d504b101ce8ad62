package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure GroupMsgs reads newest first with a seq range and a count, that a
// recall marks messages (RetCode 0, 10030 for a missing or recalled one)
// which are then left out unless asked for, and that deleted and expired
// messages read back as place holders; that ModifyGroupMsg overwrites only
// a live message; and that an AVChatRoom keeps nothing.
func TestGroupMsgService_History(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1767323045, 0)}
		db := openMsgDB(t, dsn, c)
		for i, s := range []string{"one", "two", "three", "four", "five"} {
			if _, err := db.SendGroupMsg(ctx, quiet, "G", msg("administrator", uint32(i+1), s)); err != nil {
				t.Fatal(err)
			}
		}
		codes, err := db.RecallGroupMsgs(ctx, recording, "G", []int64{2})
		if err != nil || !slices.Equal(codes, []int{0}) {
			t.Fatalf("recall 2: %v %v", codes, err)
		}
		codes, err = db.RecallGroupMsgs(ctx, recording, "G", []int64{2, 9, 3})
		if err != nil || !slices.Equal(codes, []int{im.CodeGroupRecallMissing, im.CodeGroupRecallMissing, 0}) {
			t.Fatalf("recall 2, 9, 3: %v %v", codes, err)
		}
		if got := bodies(t, db); len(got) != 2 || got[0] != `{"CallbackCommand":"Group.CallbackAfterRecallMsg","Operator_Account":"administrator","Type":"Public","GroupId":"G","MsgSeqList":[{"MsgSeq":2}],"EventTime":1767323045000}` ||
			got[1] != `{"CallbackCommand":"Group.CallbackAfterRecallMsg","Operator_Account":"administrator","Type":"Public","GroupId":"G","MsgSeqList":[{"MsgSeq":3}],"EventTime":1767323045000}` {
			t.Fatalf("recall events %q", got)
		}
		if got := history(t, db, "G", 0, 20, false); got != "5:administrator:five 4:administrator:four 1:administrator:one" {
			t.Fatalf("without recalled: %q", got)
		}
		if got := history(t, db, "G", 4, 2, true); got != "4:administrator:four 3:recalled" {
			t.Fatalf("page at 4: %q", got)
		}
		if _, more, _ := db.GroupMsgs(ctx, gapp, "G", 2, 2, true); more {
			t.Fatalf("1..2 has nothing below")
		}
		if _, more, _ := db.GroupMsgs(ctx, gapp, "G", 3, 2, true); !more {
			t.Fatalf("2..3 has 1 below")
		}
		modifyDeleteExpire(t, db, c)
		avChatRoomKeepsNothing(t, db)
	})
}

// Ensure a member muted until a later time (unix seconds), or an ordinary
// member of a group muting all, is refused 10017, while the owner, an
// admin and the app admin still speak; an online-only message takes no
// seq and is not stored.
func TestGroupMsgService_MuteAndOnline(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1767323045, 0)}
		db := openMsgDB(t, dsn, c)
		if err := db.ExecForTest(ctx, "UPDATE group_members SET mute_until = $1 WHERE user_id = 'bob'", c.Now().Unix()+60); err != nil {
			t.Fatal(err)
		}
		_, err := db.SendGroupMsg(ctx, quiet, "G", msg("bob", 1, "x"))
		wantCode(t, "muted bob", err, im.CodeGroupMemberMuted)
		c.add(60 * time.Second)
		if _, err := db.SendGroupMsg(ctx, quiet, "G", msg("bob", 2, "x")); err != nil {
			t.Fatalf("bob once the mute ended: %v", err)
		}
		on := true
		wantCode(t, "mute all", db.UpdateGroup(ctx, quiet, "G", im.GroupUpdate{MuteAll: &on}), 0)
		_, err = db.SendGroupMsg(ctx, quiet, "G", msg("bob", 3, "x"))
		wantCode(t, "bob under mute all", err, im.CodeGroupMemberMuted)
		for i, from := range []string{"alice", "carol", "administrator"} {
			if _, err := db.SendGroupMsg(ctx, quiet, "G", msg(from, uint32(10+i), "x")); err != nil {
				t.Fatalf("%s under mute all: %v", from, err)
			}
		}
		online := msg("alice", 20, "live")
		online.OnlineOnly = true
		if sent, err := db.SendGroupMsg(ctx, quiet, "G", online); err != nil || sent.Seq != 0 || sent.Time != c.Now().Unix() {
			t.Fatalf("online only: %+v %v", sent, err)
		}
		if seq, _ := groupCounters(t, db, "G"); seq != 5 {
			t.Fatalf("NextMsgSeq %d, want 5", seq)
		}
	})
}

// Ensure ImportGroupMsgs stores messages whose SendTime lies after the
// group's creation and latest message and before now, each with the next
// seq, and answers 10004 for the others and 80002 for a body too long;
// LastMsgTime follows the latest imported message.
func TestGroupMsgService_Import(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1767323045, 0)}
		db := openMsgDB(t, dsn, c)
		t0 := c.Now().Unix()
		c.add(time.Hour)
		in := []im.ImportGroupMsg{
			{From: "alice", SendTime: t0 + 10, Random: 1, Body: text("a")},
			{From: "bob", SendTime: t0 + 5, Random: 2, Body: text("early")},
			{From: "dave", SendTime: t0 + 20, Random: 3, Body: text("b")},
			{From: "bob", SendTime: t0 + 30, Random: 4, TooLong: true},
			{From: "bob", SendTime: t0, Random: 5, Body: text("at creation")},
			{From: "bob", SendTime: c.Now().Unix(), Random: 6, Body: text("now")},
		}
		res, err := db.ImportGroupMsgs(ctx, quiet, "G", in)
		type r = im.ImportResult
		want := []im.ImportResult{r{Seq: 1, Time: t0 + 10}, r{Time: t0 + 5, Result: 10004}, r{Seq: 2, Time: t0 + 20},
			r{Time: t0 + 30, Result: 80002}, r{Time: t0, Result: 10004}, r{Time: c.Now().Unix(), Result: 10004}}
		if err != nil || !slices.Equal(res, want) {
			t.Fatalf("import: %v %v\nwant %v", res, err, want)
		}
		if got := history(t, db, "G", 0, 20, false); got != "2:dave:b 1:alice:a" {
			t.Fatalf("history %q", got)
		}
		if seq, at := groupCounters(t, db, "G"); seq != 3 || at != t0+20 {
			t.Fatalf("counters %d %d", seq, at)
		}
		// Not after the latest message now.
		res, _ = db.ImportGroupMsgs(ctx, quiet, "G", []im.ImportGroupMsg{{From: "alice", SendTime: t0 + 20, Random: 7, Body: text("c")}})
		if res[0].Result != im.CodeGroupInvalid {
			t.Fatalf("at the latest time: %v", res)
		}
		_, err = db.ImportGroupMsgs(ctx, quiet, "G", []im.ImportGroupMsg{{From: "nobody", SendTime: t0 + 40, Body: text("c")}})
		wantCode(t, "unknown sender", err, im.CodeGroupAccountNotFound)
		_, err = db.ImportGroupMsgs(ctx, quiet, "nosuch", []im.ImportGroupMsg{{From: "alice", SendTime: t0 + 40, Body: text("c")}})
		wantCode(t, "unknown group", err, im.CodeGroupNotFound)
	})
}

// Ensure dismissing a group deletes its messages: in the dismissal for a
// group with few, by the reaper for one with more than 1,000; and a group
// created again under the same GroupId starts from MsgSeq 1 with nothing of
// the old one's history.
func TestGroupMsgService_Dismissal(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		c := &clock{t: time.Unix(1767323045, 0)}
		db := openMsgDB(t, dsn, c)
		mustCreate(t, db, quiet, newGroup("Big", im.GroupPublic, "alice"))
		for _, id := range []string{"G", "Big"} {
			for i := range 3 {
				if _, err := db.SendGroupMsg(ctx, quiet, id, msg("alice", uint32(i), "old")); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Big gets 1,200 more messages, written directly.
		if err := db.ExecForTest(ctx, `INSERT INTO group_msgs (app_id, group_seq, msg_seq, from_user, random, msg_time, priority, body, created_at, expires_at)
			SELECT app_id, seq, 3 + n, 'alice', n, 0, 2, '[]', 0, 9000000000000 FROM im_groups,
				(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1200) SELECT n FROM s) AS nums
			WHERE group_id = 'Big'`); err != nil {
			t.Fatal(err)
		}
		if err := db.ExecForTest(ctx, "UPDATE im_groups SET next_msg_seq = 1204 WHERE group_id = 'Big'"); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			n, err := db.CountForTest(ctx, "SELECT COUNT(*) FROM group_msgs")
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count(); n != 1206 {
			t.Fatalf("%d messages stored", n)
		}
		wantCode(t, "destroy G", db.DestroyGroup(ctx, quiet, "G"), 0)
		if n := count(); n != 1203 {
			t.Fatalf("%d messages after dismissing G, want Big's 1203", n)
		}
		wantCode(t, "destroy Big", db.DestroyGroup(ctx, quiet, "Big"), 0)
		for deadline := time.Now().Add(10 * time.Second); ; {
			n, err := db.ReapPending(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("reaper still has %d groups", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if n := count(); n != 0 {
			t.Fatalf("%d messages left after the reaper", n)
		}
		for _, id := range []string{"G", "Big"} {
			mustCreate(t, db, quiet, newGroup(id, im.GroupPublic, "alice"))
			if got := history(t, db, id, 0, 20, true); got != "" {
				t.Fatalf("re-created %s shows %q", id, got)
			}
			if seq, at := groupCounters(t, db, id); seq != 1 || at != 0 {
				t.Fatalf("re-created %s: NextMsgSeq %d LastMsgTime %d", id, seq, at)
			}
		}
	})
}

// modifyDeleteExpire is TestGroupMsgService_History's second half: modify
// a live message only, delete by sender, and expiry after seven days.
func modifyDeleteExpire(t *testing.T, db *sqlstore.DB, c *clock) {
	ctx := context.Background()
	// Modify: a live message only.
	wantCode(t, "modify 1", db.ModifyGroupMsg(ctx, quiet, "G", 1, text("uno"), nil), 0)
	cloud := "cd"
	wantCode(t, "modify 4", db.ModifyGroupMsg(ctx, quiet, "G", 4, nil, &cloud), 0)
	wantCode(t, "modify recalled", db.ModifyGroupMsg(ctx, quiet, "G", 2, text("x"), nil), im.CodeGroupRecallMissing)
	wantCode(t, "modify missing", db.ModifyGroupMsg(ctx, quiet, "G", 99, text("x"), nil), im.CodeGroupRecallMissing)
	wantCode(t, "modify unknown group", db.ModifyGroupMsg(ctx, quiet, "nosuch", 1, text("x"), nil), im.CodeGroupNotFound)
	msgs, _, _ := db.GroupMsgs(ctx, gapp, "G", 4, 1, false)
	if msgs[0].CloudData != "cd" || string(msgs[0].Body) != string(text("four")) {
		t.Fatalf("modified CloudCustomData: %+v", msgs[0])
	}
	// Delete by sender: bob's among the latest, as place holders.
	if _, err := db.SendGroupMsg(ctx, quiet, "G", msg("bob", 6, "six")); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "delete", db.DeleteGroupMsgsBySender(ctx, quiet, "G", "bob"), 0)
	wantCode(t, "delete unknown group", db.DeleteGroupMsgsBySender(ctx, quiet, "nosuch", "bob"), im.CodeGroupNotFound)
	if got := history(t, db, "G", 0, 3, false); got != "6:- 5:administrator:five 4:administrator:four" {
		t.Fatalf("after delete: %q", got)
	}
	// Seven days on, everything has expired.
	c.add(im.GroupMsgLifeTime * time.Second)
	if got := history(t, db, "G", 0, 20, true); got != "6:- 5:- 4:- 3:- 2:- 1:-" {
		t.Fatalf("expired: %q", got)
	}
	codes, _ := db.RecallGroupMsgs(ctx, quiet, "G", []int64{5})
	wantCode(t, "modify expired", db.ModifyGroupMsg(ctx, quiet, "G", 5, text("x"), nil), im.CodeGroupRecallMissing)
	if !slices.Equal(codes, []int{im.CodeGroupRecallMissing}) {
		t.Fatalf("recall expired: %v", codes)
	}

}

// avChatRoomKeepsNothing checks that AVChatRoom messages take seqs but are
// not kept, and that the history commands refuse them.
func avChatRoomKeepsNothing(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	// An AVChatRoom: messages take seqs but are not kept.
	mustCreate(t, db, quiet, newGroup("AV", im.GroupAVChatRoom, "alice"))
	if sent, err := db.SendGroupMsg(ctx, quiet, "AV", msg("dave", 1, "hi")); err != nil || sent.Seq != 1 {
		t.Fatalf("AVChatRoom send: %+v %v", sent, err)
	}
	if n, _ := db.CountForTest(ctx, "SELECT COUNT(*) FROM group_msgs g JOIN im_groups i ON i.seq = g.group_seq WHERE i.group_id = 'AV'"); n != 0 {
		t.Fatalf("AVChatRoom stored %d messages", n)
	}
	_, _, err := db.GroupMsgs(ctx, gapp, "AV", 0, 20, false)
	wantCode(t, "AV history", err, im.CodeGroupForbidden)
	codes, _ := db.RecallGroupMsgs(ctx, quiet, "AV", []int64{1})
	if !slices.Equal(codes, []int{im.CodeGroupRecallType}) {
		t.Fatalf("AV recall: %v", codes)
	}
	wantCode(t, "AV modify", db.ModifyGroupMsg(ctx, quiet, "AV", 1, text("x"), nil), im.CodeGroupForbidden)
	wantCode(t, "AV delete", db.DeleteGroupMsgsBySender(ctx, quiet, "AV", "dave"), 0)
	_, err = db.ImportGroupMsgs(ctx, quiet, "AV", []im.ImportGroupMsg{{From: "dave", SendTime: 1, Body: text("x")}})
	wantCode(t, "AV import", err, im.CodeGroupForbidden)
}
