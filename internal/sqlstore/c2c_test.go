package sqlstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const c2cApp = 1400000001

var c2cOp = im.Op{App: &im.App{SDKAppID: c2cApp}, Operator: "administrator"}

// openC2C opens a store on dsn on clock, with accounts. The clock is
// atomic: the store's purge reads it from its own goroutine.
func openC2C(t *testing.T, dsn string, clock *testClock, ids ...string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, Options{Now: clock.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	if err := db.EnsureAccounts(context.Background(), c2cApp, ids); err != nil {
		t.Fatal(err)
	}
	return db
}

func c2cMsg(from, to string, seq uint32) im.C2CMsg {
	body := im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"t"}}]`)
	return im.C2CMsg{From: from, To: to, Seq: seq, Random: seq, Body: body, CRC: im.ContentCRC(body, "") + seq, LifeTime: im.MaxMsgLifeTime}
}

// roamSeqs lists the MsgSeqs of op's history with peer, newest first.
func roamSeqs(t *testing.T, db *DB, op, peer string) []uint32 {
	t.Helper()
	page, err := db.RoamC2C(context.Background(), c2cApp, im.RoamQuery{Operator: op, Peer: peer, MaxCnt: 100, MaxTime: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	var out []uint32
	for _, m := range page.Msgs {
		out = append(out, m.Seq)
	}
	return out
}

func wantSeqs(t *testing.T, what string, got []uint32, want ...uint32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %v, want %v", what, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: %v, want %v", what, got, want)
		}
	}
}

func wantCode(t *testing.T, err error, code int) {
	t.Helper()
	var ie *im.Error
	if !errors.As(err, &ie) || ie.Code != code {
		t.Fatalf("err %v, want code %d", err, code)
	}
}

// Ensure a history leaves out what its reader should not see: messages up
// to the reader's clear_id, the reader's own SyncOtherMachine 2 messages
// (which its peer sees) and expired messages; and that a deleted account's
// messages stay readable by its peer, who can still name it.
func TestC2C_HiddenMessages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clock := clockAt(time.Unix(1_700_000_000, 0))
		db := openC2C(t, dsn, clock, "alice", "bob")
		for seq := uint32(1); seq <= 4; seq++ {
			m := c2cMsg("alice", "bob", seq)
			m.HideFrom = seq == 4
			if seq == 3 {
				m.LifeTime = 60
			}
			if _, err := db.SendC2C(ctx, c2cOp, m); err != nil {
				t.Fatal(err)
			}
		}
		wantSeqs(t, "alice", roamSeqs(t, db, "alice", "bob"), 3, 2, 1)
		wantSeqs(t, "bob", roamSeqs(t, db, "bob", "alice"), 4, 3, 2, 1)
		clock.advance(61 * time.Second)
		wantSeqs(t, "bob after seq 3 expired", roamSeqs(t, db, "bob", "alice"), 4, 2, 1)
		var id int64
		if err := db.w.QueryRowContext(ctx, "SELECT id FROM c2c_msgs WHERE msg_seq = 2").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, "UPDATE conversations SET clear_id = $1 WHERE owner = 'bob'", id); err != nil {
			t.Fatal(err)
		}
		wantSeqs(t, "bob after clearing to seq 2", roamSeqs(t, db, "bob", "alice"), 4)
		wantSeqs(t, "alice", roamSeqs(t, db, "alice", "bob"), 2, 1)

		if _, err := db.DeleteAccounts(ctx, c2cApp, []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		wantSeqs(t, "bob after alice's deletion", roamSeqs(t, db, "bob", "alice"), 4)
		_, err := db.RoamC2C(ctx, c2cApp, im.RoamQuery{Operator: "alice", Peer: "bob", MaxCnt: 1, MaxTime: 1 << 40})
		wantCode(t, err, im.CodeMsgFromAccount)
		_, err = db.RoamC2C(ctx, c2cApp, im.RoamQuery{Operator: "bob", Peer: "carol", MaxCnt: 1, MaxTime: 1 << 40})
		wantCode(t, err, im.CodeMsgToAccount)
	})
}

// Ensure unread counts follow messages, reads and recalls: NoUnread and
// online-only messages are not counted, admin_set_msg_read counts again
// what is after the read time (never moving it back), a recall takes its
// message off the count, and IsPeerRead tells what the recipient has read.
func TestC2C_UnreadAndRead(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clock := clockAt(time.Unix(1_700_000_000, 0))
		db := openC2C(t, dsn, clock, "alice", "bob", "carol")
		send := func(m im.C2CMsg) im.C2CSent {
			t.Helper()
			sent, err := db.SendC2C(ctx, c2cOp, m)
			if err != nil {
				t.Fatal(err)
			}
			return sent
		}
		unread := func(want int, wantPer ...int) {
			t.Helper()
			total, per, err := db.C2CUnread(ctx, c2cApp, "bob", []string{"alice", "carol", "nobody"})
			if err != nil || total != want || len(per) != 3 || per[0] != wantPer[0] || per[1] != wantPer[1] || per[2] != -1 {
				t.Fatalf("unread %d %v %v, want %d %v -1", total, per, err, want, wantPer)
			}
		}
		send(c2cMsg("alice", "bob", 1))
		clock.advance(time.Second)
		second := send(c2cMsg("alice", "bob", 2))
		m := c2cMsg("alice", "bob", 3)
		m.NoUnread = true
		send(m)
		m = c2cMsg("alice", "bob", 4)
		m.LifeTime = 0
		send(m)
		send(c2cMsg("carol", "bob", 5))
		unread(3, 2, 1)

		if err := db.SetC2CRead(ctx, c2cApp, "bob", "alice", clock.now().Unix()-1); err != nil {
			t.Fatal(err)
		}
		unread(2, 1, 1)
		page, _ := db.RoamC2C(ctx, c2cApp, im.RoamQuery{Operator: "alice", Peer: "bob", MaxCnt: 10, MaxTime: 1 << 40})
		msgs := page.Msgs
		if len(msgs) != 3 || msgs[2].Seq != 1 || !msgs[2].PeerRead || msgs[1].PeerRead {
			t.Fatalf("IsPeerRead: %+v", msgs)
		}
		if err := db.SetC2CRead(ctx, c2cApp, "bob", "alice", 5); err != nil { // never back
			t.Fatal(err)
		}
		unread(2, 1, 1)
		if err := db.WithdrawC2C(ctx, c2cOp, "alice", "bob", second.Key); err != nil {
			t.Fatal(err)
		}
		unread(1, 0, 1)
		wantCode(t, db.WithdrawC2C(ctx, c2cOp, "alice", "bob", second.Key), im.CodeMsgRecallRecalled)
		wantCode(t, db.WithdrawC2C(ctx, c2cOp, "bob", "alice", second.Key), im.CodeMsgRecallNotFound)
		if err := db.SetC2CRead(ctx, c2cApp, "bob", "carol", 0); err != nil {
			t.Fatal(err)
		}
		unread(0, 0, 0)
		wantCode(t, db.SetC2CRead(ctx, c2cApp, "nobody", "carol", 0), im.CodeMsgFromAccount)
		wantCode(t, db.SetC2CRead(ctx, c2cApp, "bob", "nobody", 0), im.CodeMsgToAccount)
	})
}

// Ensure SQLite reads a history page, a duplicate and a message by key
// through the index made for each, not by walking the app's messages.
func TestC2C_QueryPlans(t *testing.T) {
	db := openSQLite(t)
	for _, c := range []struct{ query, want string }{
		{`SELECT id FROM c2c_msgs WHERE app_id = 1 AND peer_lo = 'a' AND peer_hi = 'b' AND msg_time >= 0 AND msg_time <= 9
			AND expires_at > 0 AND id > 0 AND NOT (from_user = 'a' AND hide_from = 1)
			AND msg_time <= 5 AND (msg_time < 5 OR msg_seq < 3 OR (msg_seq = 3 AND id < 7))
			ORDER BY msg_time DESC, msg_seq DESC, id DESC LIMIT 21`, "c2c_msgs_conv (app_id=? AND peer_lo=? AND peer_hi=? AND msg_time>? AND msg_time<?)"},
		{`SELECT msg_seq FROM c2c_msgs WHERE app_id = 1 AND from_user = 'a' AND msg_random = 3 AND msg_seq = 4 AND content_crc = 5 AND created_at >= 6 ORDER BY id LIMIT 1`,
			"c2c_msgs_dedup (app_id=? AND from_user=? AND msg_random=?)"},
		{`SELECT id FROM c2c_msgs WHERE app_id = 1 AND peer_lo = 'a' AND peer_hi = 'b' AND msg_time = 4 AND msg_seq = 5 AND msg_random = 6`,
			"c2c_msgs_conv (app_id=? AND peer_lo=? AND peer_hi=? AND msg_time=? AND msg_seq=?)"},
	} {
		plan := explain(t, db.r, c.query)
		if !strings.Contains(plan, c.want) || strings.Contains(plan, "TEMP B-TREE") {
			t.Errorf("%s\nplan: %s\nwant %s without sorting", c.query, plan, c.want)
		}
	}
}
