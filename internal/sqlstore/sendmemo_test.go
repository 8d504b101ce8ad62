package sqlstore

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure the memo answers "no such message" only below what it knows: not
// before the rows held at open are known, not for a key filed at or after
// the cutoff, not below what a dropped filter held, and never once off.
func TestSendMemo_AnswersOnlyWhatItKnows(t *testing.T) {
	clock := time.Unix(1_700_000_000, 0)
	m := newSendMemo(func() time.Time { return clock })
	const app = 1400000001
	if !m.mayHave(app, "alice", 7, 0) {
		t.Fatal("answered before the rows held at open were known")
	}
	m.opened = 1000 // as scanOpened sets it
	if m.mayHave(app, "alice", 7, 1001) {
		t.Error("a key never filed may exist")
	}
	if !m.mayHave(app, "alice", 7, 1000) {
		t.Error("a row held at open, created at the cutoff, was ruled out")
	}
	m.add(app, "alice", 7, 5000)
	if !m.mayHave(app, "alice", 7, 5000) || !m.mayHave(app, "alice", 7, 2000) {
		t.Error("a filed key created at or after the cutoff was ruled out")
	}
	if m.mayHave(app, "alice", 7, 5001) {
		t.Error("a filed key created before the cutoff may exist")
	}
	for _, other := range []struct {
		app    uint64
		from   string
		random uint32
	}{{app, "alice", 8}, {app, "bob", 7}, {app + 1, "alice", 7}} {
		if m.mayHave(other.app, other.from, other.random, 2000) {
			t.Errorf("%+v may exist: only (alice, 7) of app %d was filed", other, app)
		}
	}

	// Past every filter's span, alice's filter is dropped: what it held
	// is then below the cutoffs the memo can answer for.
	clock = clock.Add(memoFilters * memoSpan)
	m.add(app, "carol", 1, 9000)
	if !m.mayHave(app, "bob", 1, 5000) {
		t.Error("a dropped filter's rows were ruled out")
	}
	if m.mayHave(app, "bob", 1, 5001) || !m.mayHave(app, "carol", 1, 9000) {
		t.Error("after the drop: wrong answers above what it held")
	}
	if m.dropped != 5000 {
		t.Errorf("dropped %d, want 5000", m.dropped)
	}

	m.turnOff()
	if !m.mayHave(app, "bob", 1, math.MaxInt64) {
		t.Error("answered while off")
	}
}

// Ensure the memo spares the writer the table on new messages and still
// finds every duplicate: of this process's messages, of those the database
// held when it was opened, under a clock moved back, and of rows a state
// import added, which turns it off.
func TestSendMemo_DuplicatesStillFound(t *testing.T) {
	dsn := dbtest.SQLiteDSN(t)
	// An atomic clock: the store's own writes at open (the purge) read it
	// while the test moves it.
	c := clockAt(time.Unix(1_700_000_000, 0))
	ctx := context.Background()
	open := func() *DB {
		db, err := Open(ctx, dsn, Options{Now: c.now})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = db.Close() }) // the first is closed below; the error is its
		if err := db.EnsureAccounts(ctx, c2cApp, []string{"a", "b"}); err != nil {
			t.Fatal(err)
		}
		return db
	}
	first := open()
	held := c2cMsg("a", "b", 1)
	if _, err := first.SendC2C(ctx, c2cOp, held); err != nil {
		t.Fatal(err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}

	db := open()
	waitMemoOpened(t, db)
	sendWant := func(m im.C2CMsg, dup bool) {
		t.Helper()
		sent, err := db.SendC2C(ctx, c2cOp, m)
		if err != nil || sent.Dup != dup {
			t.Fatalf("MsgSeq %d at %v: dup %v (%v), want %v", m.Seq, c.now(), sent.Dup, err, dup)
		}
	}
	sendWant(held, true) // held at open
	// Until the window has passed the last message held at open, every
	// check reads the table.
	skips := memoSkips(db)
	sendWant(c2cMsg("a", "b", 99), false)
	if memoSkips(db) != skips {
		t.Error("a check answered from the memo within the window of a message held at open")
	}
	c.advance(im.DedupWindowMs*time.Millisecond + time.Second)
	skips = memoSkips(db)
	for seq := uint32(2); seq < 42; seq++ {
		sendWant(c2cMsg("a", "b", seq), false)
	}
	if got := memoSkips(db) - skips; got < 39 {
		t.Errorf("%d of 40 new messages checked without a read", got)
	}
	sendWant(c2cMsg("a", "b", 17), true)
	c.advance(-time.Hour) // time control: back an hour
	sendWant(c2cMsg("a", "b", 18), true)
	c.advance(time.Hour + 2*time.Minute + time.Second) // past the window
	sendWant(c2cMsg("a", "b", 19), false)

	imported := c2cMsg("a", "b", 500)
	err := db.ExecForTest(ctx, `INSERT INTO c2c_msgs (app_id, peer_lo, peer_hi, from_user, to_user, msg_seq, msg_random,
		msg_time, body, content_crc, created_at, expires_at) VALUES ($1, 'a', 'b', 'a', 'b', 500, 500, 1, '[]', $2, $3, $4)`,
		c2cApp, int64(imported.CRC), c.now().UnixMilli(), c.now().UnixMilli()+1e9)
	if err != nil {
		t.Fatal(err)
	}
	db.memo.mu.Lock()
	off := db.memo.off
	db.memo.mu.Unlock()
	if !off {
		t.Fatal("an insert the memo does not know of left it on")
	}
	sendWant(imported, true)
}

// memoSkips is how many checks db's memo answered without a read.
func memoSkips(db *DB) int64 {
	db.memo.mu.Lock()
	defer db.memo.mu.Unlock()
	return db.memo.skips
}

// waitMemoOpened waits for the memo's read of the rows held at open.
func waitMemoOpened(t *testing.T, db *DB) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(time.Millisecond) {
		db.memo.mu.Lock()
		opened := db.memo.opened
		db.memo.mu.Unlock()
		if opened != math.MaxInt64 {
			return
		}
	}
	t.Fatal("the rows held at open were never read")
}

func TestAddsUnknownC2C(t *testing.T) {
	for q, want := range map[string]bool{
		insertC2CSQL: false, seedC2CSQL: false,
		"DELETE FROM c2c_msgs WHERE app_id = $1":                             false,
		"UPDATE c2c_msgs SET body = $1 WHERE app_id = $2 AND id = $3":        false,
		"UPDATE c2c_msgs SET created_at = $1 WHERE id = $2":                  true,
		"INSERT INTO c2c_msgs (app_id) VALUES ($1)":                          true,
		"\n\tWITH x AS (SELECT 1) INSERT INTO c2c_msgs SELECT * FROM x":      true,
		"INSERT INTO captured_c2c_msgs_x (a) VALUES (1)":                     false,
		"INSERT INTO conversations (app_id) VALUES ($1)":                     false,
		"UPDATE conversations SET clear_id = (SELECT MAX(id) FROM c2c_msgs)": false,
	} {
		if got := addsUnknownC2C(q); got != want {
			t.Errorf("addsUnknownC2C(%q) = %v, want %v", q, got, want)
		}
	}
}
