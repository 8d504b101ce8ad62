package sqlstore

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const convApp = 1400000001

// testClock is a store clock a test moves.
type testClock struct{ ms atomic.Int64 }

func (c *testClock) now() time.Time          { return time.UnixMilli(c.ms.Load()) }
func (c *testClock) advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// clockAt is a testClock reading t.
func clockAt(t time.Time) *testClock {
	c := &testClock{}
	c.ms.Store(t.UnixMilli())
	return c
}

// openClocked opens a store on the test's clock with alice, bob and carol
// imported and group G (alice, bob).
func openClocked(t *testing.T, dsn string, purge time.Duration) (*DB, *testClock) {
	t.Helper()
	ctx := context.Background()
	clock := clockAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	db := openWith(t, dsn, Options{Now: clock.now, PurgeInterval: purge})
	if err := db.ImportAccounts(ctx, convApp, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}, {UserID: "carol"}}); err != nil {
		t.Fatal(err)
	}
	op := im.Op{App: &im.App{SDKAppID: convApp}, Operator: "administrator"}
	ng := im.NewGroup{Group: im.Group{GroupID: "G", Type: im.GroupPublic, Name: "g", Owner: "alice", MaxMemberNum: 100,
		ApplyJoin: "FreeAccess", InviteJoin: "FreeAccess"}, CustomID: true,
		Members: []im.Member{{UserID: "bob", Role: im.RoleMember}}}
	if _, err := db.CreateGroup(ctx, op, ng); err != nil {
		t.Fatal(err)
	}
	return db, clock
}

// openWith opens a store with opts, closed when the test ends.
func openWith(t *testing.T, dsn string, opts Options) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// count runs a COUNT(*) query.
func count(t *testing.T, db *DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.w.QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// waitFor polls cond until it holds or 10 seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// Ensure the background purge deletes one-to-one and group messages once
// the store's clock passes their expires_at, in batches, and nothing
// earlier; a one-to-one conversation goes, both sides, with its last
// message, and a group's members' conversations with the group's last
// message, and not before.
func TestPurge_ExpiredMessages(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, clock := openClocked(t, dsn, 10*time.Millisecond)
		const n = purgeBatch + 20 // more than one batch
		for i := range n {
			if _, err := db.SeedC2CMessage(ctx, convApp, "alice", "bob", 100+int64(i)); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SeedGroupMessage(ctx, convApp, "G", "alice", 100); err != nil {
			t.Fatal(err)
		}
		// The members' conversations of G (a seeded message makes none).
		for _, owner := range []string{"alice", "bob"} {
			if _, err := db.w.ExecContext(ctx, "INSERT INTO conversations (app_id, owner, type, peer, msg_time) VALUES ($1, $2, 2, 'G', 200)",
				convApp, owner); err != nil {
				t.Fatal(err)
			}
		}
		clock.advance(time.Hour) // later messages expire an hour later
		if _, err := db.SeedC2CMessage(ctx, convApp, "bob", "carol", 200); err != nil {
			t.Fatal(err)
		}
		if err := db.SeedGroupMessage(ctx, convApp, "G", "bob", 200); err != nil {
			t.Fatal(err)
		}

		time.Sleep(50 * time.Millisecond) // several rounds: nothing is due
		if c, g := count(t, db, "SELECT COUNT(*) FROM c2c_msgs"), count(t, db, "SELECT COUNT(*) FROM group_msgs"); c != n+1 || g != 2 {
			t.Fatalf("before expiry: %d one-to-one, %d group messages", c, g)
		}
		clock.advance(seedLifetime - time.Hour) // the first ones are due exactly now
		waitFor(t, "the first messages to go", func() bool {
			return count(t, db, "SELECT COUNT(*) FROM c2c_msgs") == 1 && count(t, db, "SELECT COUNT(*) FROM group_msgs") == 1
		})
		if got := count(t, db, "SELECT COUNT(*) FROM c2c_msgs WHERE from_user = 'bob'"); got != 1 {
			t.Errorf("the later one-to-one message went too")
		}
		convs := "SELECT COUNT(*) FROM conversations WHERE type = 1 AND (owner = $1 OR peer = $1)"
		if a, c := count(t, db, convs, "alice"), count(t, db, convs, "carol"); a != 0 || c != 2 {
			t.Errorf("after alice and bob's last message: %d conversations of alice's pair left, want 0; %d of carol's, want 2", a, c)
		}
		groupConvs := "SELECT COUNT(*) FROM conversations WHERE type = 2 AND peer = 'G'"
		if got := count(t, db, groupConvs); got != 2 {
			t.Errorf("G has a message left, but %d of its 2 conversations", got)
		}
		clock.advance(time.Hour)
		waitFor(t, "every message to go", func() bool {
			return count(t, db, "SELECT COUNT(*) FROM c2c_msgs")+count(t, db, "SELECT COUNT(*) FROM group_msgs") == 0
		})
		if got := count(t, db, "SELECT COUNT(*) FROM conversations WHERE type = 1"); got != 0 {
			t.Errorf("%d one-to-one conversations left, want 0", got)
		}
		if got := count(t, db, groupConvs); got != 0 {
			t.Errorf("%d conversations of G left after its last message, want 0", got)
		}
	})
}

// Ensure account_delete deletes the account's own conversations and keeps
// its messages and the other side's conversations.
func TestDeleteAccount_Conversations(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, _ := openClocked(t, dsn, time.Hour)
		for _, m := range [][2]string{{"alice", "bob"}, {"carol", "alice"}, {"bob", "carol"}} {
			if _, err := db.SeedC2CMessage(ctx, convApp, m[0], m[1], 100); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetPinned(ctx, convApp, "alice", []im.Contact{{Type: im.ContactGroup, Peer: "G"}}, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeleteAccounts(ctx, convApp, []string{"alice"}); err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM conversations WHERE owner = 'alice'"); got != 0 {
			t.Errorf("alice keeps %d conversations", got)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM c2c_msgs"); got != 3 {
			t.Errorf("%d messages left, want 3", got)
		}
		page, err := db.Conversations(ctx, convApp, "bob", im.ConversationQuery{Limit: 10})
		if err != nil || len(page.Items) != 2 || page.Items[0].Peer != "alice" || page.Items[1].Peer != "carol" {
			t.Errorf("bob's conversations: %+v, %v", page.Items, err)
		}
		// The deleted account's conversation can still be deleted on the
		// other side; an account never imported is 50001.
		if err := db.DeleteConversation(ctx, convApp, "bob", im.Contact{Type: im.ContactC2C, Peer: "alice"}, true); err != nil {
			t.Error(err)
		}
		err = db.DeleteConversation(ctx, convApp, "bob", im.Contact{Type: im.ContactC2C, Peer: "dave"}, false)
		if e, ok := err.(*im.Error); !ok || e.Code != im.CodeContactAccountNotFound {
			t.Errorf("unknown peer: %v", err)
		}
	})
}

// Ensure a message sent to a pair while the purge deletes the pair's last
// expired message keeps its conversation on PostgreSQL, where the two
// transactions run at once: the send below holds its accounts and has
// stored its message and conversation, uncommitted, when the purge
// starts. Without the purge's lock on the accounts its check saw no
// message left, and its DELETE, once the send committed, took the new
// message's conversation.
func TestPurge_RacingSendKeepsConversation(t *testing.T) {
	ctx := context.Background()
	db, _ := openClocked(t, dbtest.PostgresDSN(t), time.Hour)
	time.Sleep(50 * time.Millisecond) // the purge at start has found nothing
	if _, err := db.w.ExecContext(ctx, insertC2CSQL, convApp, "alice", "bob", "alice", "bob", 1, 1, 100,
		"[]", "", "", 0, 1, 0, 0, 0); err != nil { // expired: the purge's to delete
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO conversations (app_id, owner, type, peer, msg_time, unread)
		VALUES ($1, 'bob', 1, 'alice', 100, 1)`, convApp); err != nil {
		t.Fatal(err)
	}
	send, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer send.Rollback()
	for _, q := range []string{
		"SELECT 1 FROM accounts WHERE app_id = $1 AND user_id IN ('alice', 'bob') ORDER BY user_id FOR KEY SHARE",
		"INSERT INTO c2c_msgs (app_id, peer_lo, peer_hi, from_user, to_user, msg_seq, msg_random, msg_time, body, content_crc, created_at, expires_at) " +
			"VALUES ($1, 'alice', 'bob', 'alice', 'bob', 2, 2, 200, '[]', 0, 0, 9000000000000)",
		`INSERT INTO conversations (app_id, owner, type, peer, msg_time, unread) VALUES ($1, 'bob', 1, 'alice', 200, 1)
			ON CONFLICT (app_id, owner, type, peer) DO UPDATE SET msg_time = 200, unread = conversations.unread + 1`,
	} {
		if _, err := send.ExecContext(ctx, q, convApp); err != nil {
			t.Fatal(err)
		}
	}
	purged := make(chan error, 1)
	go func() { _, err := db.purgeOnce(ctx); purged <- err }()
	time.Sleep(200 * time.Millisecond) // the purge reaches the pair's check, or waits before it
	if err := send.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-purged; err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM c2c_msgs"); n != 1 {
		t.Fatalf("%d messages left, want the new one", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM conversations WHERE owner = 'bob' AND peer = 'alice'"); n != 1 {
		t.Fatalf("bob has %d conversations with alice, whose new message is stored", n)
	}
}

// Ensure the purge deletes the mutes no member row holds and the
// AVChatRoom bans once they have run out, on the store's clock, and keeps
// those still running.
func TestPurge_EndedOutsideMutesAndBans(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, clock := openClocked(t, dsn, time.Hour)
		now := clock.now().Unix()
		tables := map[string]string{"group_outside_mutes": "mute_until", "group_bans": "banned_until"}
		for table, col := range tables {
			for i, until := range []int64{now - 1, now, now + 1, now + 600} {
				if _, err := db.w.ExecContext(ctx, "INSERT INTO "+table+" (app_id, group_seq, user_id, "+col+") VALUES ($1, 7, $2, $3)",
					convApp, fmt.Sprint("u", i), until); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := db.purgeOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for table := range tables {
			if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != 2 {
				t.Fatalf("%s: %d rows left, want the 2 still running", table, n)
			}
		}
		clock.advance(time.Hour)
		if _, err := db.purgeOnce(ctx); err != nil {
			t.Fatal(err)
		}
		for table := range tables {
			if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
				t.Fatalf("%s: %d rows left an hour on", table, n)
			}
		}
	})
}

// Ensure the purge deletes an app's messages by the app's own clock
// (timd_clock), which stamped them: an app moved back a month keeps its
// messages, stamped a month ago, until its time reaches their end, while
// another app's go by the real time; an app moved forward loses its
// messages as soon as its time passes their end, and moving a clock wakes
// the purge at once.
func TestPurge_ByAppClock(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		const other = convApp + 1
		clock := clockAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
		clocks := &im.Clocks{}
		db := openWith(t, dsn, Options{Now: clock.now, PurgeInterval: time.Hour, Clocks: clocks})
		for _, app := range []uint64{convApp, other} {
			if err := db.ImportAccounts(context.Background(), app, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}}); err != nil {
				t.Fatal(err)
			}
		}
		back := -30 * 24 * time.Hour
		clocks.SetOffset(convApp, back)
		if _, err := db.SeedC2CMessage(im.WithClockOffset(context.Background(), back), convApp, "alice", "bob", 100); err != nil {
			t.Fatal(err)
		}
		if _, err := db.SeedC2CMessage(context.Background(), other, "alice", "bob", 100); err != nil {
			t.Fatal(err)
		}
		msgs := "SELECT COUNT(*) FROM c2c_msgs WHERE app_id = $1"
		purge := func() {
			t.Helper()
			if _, err := db.purgeOnce(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		purge() // the moved app's message ended 23 days ago by the real time
		if n := count(t, db, msgs, convApp); n != 1 {
			t.Fatalf("the message of the app a month back was purged by the real time")
		}
		clock.advance(seedLifetime - time.Second)
		purge()
		if a, o := count(t, db, msgs, convApp), count(t, db, msgs, other); a != 1 || o != 1 {
			t.Fatalf("a second before both ends: %d and %d messages left, want 1 and 1", a, o)
		}
		clock.advance(time.Second)
		purge()
		if a, o := count(t, db, msgs, convApp), count(t, db, msgs, other); a != 0 || o != 0 {
			t.Fatalf("at both ends: %d and %d messages left, want none", a, o)
		}

		// Forward: the background purge, asleep for its hour, wakes when the
		// clock moves and deletes the message the app's time has ended.
		if _, err := db.SeedC2CMessage(context.Background(), other, "alice", "bob", 200); err != nil {
			t.Fatal(err)
		}
		clocks.SetOffset(other, seedLifetime)
		waitFor(t, "the purge to follow the moved clock", func() bool { return count(t, db, msgs, other) == 0 })
		if n := count(t, db, "SELECT COUNT(*) FROM conversations WHERE app_id = $1", other); n != 0 {
			t.Errorf("%d conversations of the app left with their last message", n)
		}
	})
}

// Ensure a purge round during which an app's clock moves is undone: on
// PostgreSQL its statements can see what was written after it read the
// offsets. Here the round deletes a message the real time has ended and
// then waits for its pair's accounts, which the test holds locked; the
// app's clock moves back meanwhile, so by the app's time the message has
// not ended, and it is still there when the round is over.
func TestPurge_ClockMovedDuringRound(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	ctx := context.Background()
	clock := clockAt(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	clocks := &im.Clocks{}
	db := openWith(t, dsn, Options{Now: clock.now, PurgeInterval: time.Hour, Clocks: clocks})
	if err := db.ImportAccounts(ctx, convApp, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SeedC2CMessage(ctx, convApp, "alice", "bob", 100); err != nil {
		t.Fatal(err)
	}
	time.Sleep(100 * time.Millisecond) // the purger's first round, at open, is over
	clock.advance(seedLifetime)        // ended by the real time
	hold, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := hold.ExecContext(ctx, "SELECT 1 FROM accounts WHERE app_id = $1 FOR UPDATE", convApp); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := db.purgeOnce(ctx); done <- err }()
	waitFor(t, "the round to wait for the accounts", func() bool {
		var n int
		err := db.w.QueryRowContext(ctx, "SELECT COUNT(*) FROM pg_locks WHERE NOT granted").Scan(&n)
		return err == nil && n > 0
	})
	clocks.SetOffset(convApp, -time.Hour) // by the app's time the message has an hour left
	if err := hold.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM c2c_msgs WHERE app_id = $1", convApp); n != 1 {
		t.Fatalf("the round that saw the clock move deleted the message (%d left)", n)
	}
	if _, err := db.purgeOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM c2c_msgs WHERE app_id = $1", convApp); n != 1 {
		t.Fatalf("a round on the moved clock deleted the message (%d left)", n)
	}
}

// Ensure a message sent to a group while the purge deletes the group's
// last expired message keeps the members' conversations on PostgreSQL: the
// send below holds the group's row (as send_group_msg does) and has stored
// its message and conversation, uncommitted, when the purge starts.
// Without the purge's lock on the group its check saw no message left, and
// its DELETE, once the send committed, took the conversation.
func TestPurge_RacingGroupSendKeepsConversation(t *testing.T) {
	ctx := context.Background()
	db, _ := openClocked(t, dbtest.PostgresDSN(t), time.Hour)
	time.Sleep(50 * time.Millisecond) // the purge at start has found nothing
	var seq int64
	if err := db.w.QueryRowContext(ctx, "SELECT seq FROM im_groups WHERE app_id = $1 AND group_id = 'G'", convApp).Scan(&seq); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO group_msgs (app_id, group_seq, msg_seq, from_user, random, msg_time, priority, body, created_at, expires_at)
		VALUES ($1, $2, $3, 'alice', $3, $4, 2, '[]', 0, $5)`
	if _, err := db.w.ExecContext(ctx, insert, convApp, seq, 1, 100, 1); err != nil { // expired: the purge's to delete
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, "INSERT INTO conversations (app_id, owner, type, peer, msg_time) VALUES ($1, 'bob', 2, 'G', 100)", convApp); err != nil {
		t.Fatal(err)
	}
	send, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer send.Rollback()
	if _, err := send.ExecContext(ctx, "SELECT 1 FROM im_groups WHERE app_id = $1 AND seq = $2 FOR UPDATE", convApp, seq); err != nil {
		t.Fatal(err)
	}
	if _, err := send.ExecContext(ctx, insert, convApp, seq, 2, 200, 9000000000000); err != nil {
		t.Fatal(err)
	}
	if _, err := send.ExecContext(ctx, "UPDATE conversations SET msg_time = 200 WHERE app_id = $1 AND owner = 'bob' AND type = 2", convApp); err != nil {
		t.Fatal(err)
	}
	purged := make(chan error, 1)
	go func() { _, err := db.purgeOnce(ctx); purged <- err }()
	time.Sleep(200 * time.Millisecond) // the purge reaches the group's check, or waits before it
	if err := send.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-purged; err != nil {
		t.Fatal(err)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM group_msgs"); n != 1 {
		t.Fatalf("%d group messages left, want the new one", n)
	}
	if n := count(t, db, "SELECT COUNT(*) FROM conversations WHERE type = 2 AND peer = 'G'"); n != 1 {
		t.Fatalf("%d conversations of G left, want bob's", n)
	}
}
