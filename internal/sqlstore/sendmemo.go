package sqlstore

import (
	"context"
	"hash/maphash"
	"math"
	"strings"
	"sync"
	"time"
)

// What the SQLite writer knows of the one-to-one messages stored lately,
// so that sendmsg's duplicate check (findC2CDup) need not read c2c_msgs for
// a sender and MsgRandom that no message of the last 120 s has. Nearly
// every message is new, and that read was an eighth of the single writer's
// CPU per sendmsg.
//
// The memo is a few Bloom filters of (app, sender, MsgRandom), one per 40 s
// of real time, each with the greatest created_at filed in it. It answers
// "no such message" only when nothing could contradict it:
//
//   - every row inserted by this process went through insertC2C or
//     SeedC2CMessage, which file it before the insert runs (a rolled-back
//     insert leaves a key behind: a wasted read later, never a missed
//     duplicate);
//   - a filter is dropped after 200 s, and the memo keeps the greatest
//     created_at it held; it also knows the greatest created_at of the
//     rows the database held when the process opened it (read once, in
//     the background: until then every check reads the table);
//   - a check asks about rows created at or after cutoff: the memo answers
//     only if both of those are below cutoff, and then only a filter whose
//     greatest created_at reaches cutoff can hold the key.
//
// So clocks moved by time control, forward or back, only send more checks to
// the table. A statement that may add c2c_msgs rows some other way (a state
// import, a snapshot's restore) turns the memo off for the process's life
// (Tx.note). Only the SQLite writer has one: it is the one connection that
// writes the file, and the file is this process's alone (lock.go).

const (
	memoSpan    = 40 * time.Second // real time each filter covers
	memoFilters = 5                // 200 s: the 120 s window with a filter to spare
	memoWords   = 1 << 16          // 64-bit words a filter holds (512 KiB)
	memoProbes  = 4                // bits a key sets, all in one word
)

type sendMemo struct {
	mu      sync.Mutex
	filters [memoFilters]memoFilter
	cur     int       // the filter keys are filed in now
	since   time.Time // when cur began
	// opened bounds the created_at (unix ms) of the rows the database
	// held at open: MaxInt64 until they are read (scanOpened). dropped is
	// the greatest created_at of the filters dropped so far. Every row no
	// live filter holds was created at or before one of the two.
	opened, dropped int64
	off             bool
	skips           int64 // checks answered without a read (tests)
	now             func() time.Time
}

type memoFilter struct {
	words      []uint64
	maxCreated int64 // the greatest created_at filed; MinInt64 when empty
}

var memoSeed = maphash.MakeSeed()

func newSendMemo(now func() time.Time) *sendMemo {
	m := &sendMemo{opened: math.MaxInt64, dropped: math.MinInt64, now: now, since: now()}
	for i := range m.filters {
		m.filters[i] = memoFilter{words: make([]uint64, memoWords), maxCreated: math.MinInt64}
	}
	return m
}

// memoKey hashes a message's de-duplication key to the word and bits it
// sets.
func memoKey(app uint64, from string, random uint32) (word int, bits uint64) {
	h := maphash.String(memoSeed, from)
	h ^= app*0x9e3779b97f4a7c15 ^ uint64(random)*0xc2b2ae3d27d4eb4f
	// splitmix64's finaliser: every input bit moves every output bit.
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	h ^= h >> 31
	word = int(h & (memoWords - 1))
	for i := range memoProbes {
		bits |= 1 << (h >> (16 + 6*i) & 63)
	}
	return word, bits
}

// rotate starts a new filter if the current one has covered its span,
// dropping the oldest. Called under mu.
func (m *sendMemo) rotate() {
	now := m.now()
	for now.Sub(m.since) >= memoSpan {
		m.cur = (m.cur + 1) % memoFilters
		f := &m.filters[m.cur]
		m.dropped = max(m.dropped, f.maxCreated)
		clear(f.words)
		f.maxCreated = math.MinInt64
		m.since = m.since.Add(memoSpan)
		if now.Sub(m.since) >= memoFilters*memoSpan {
			m.since = now // idle for longer than every filter covers
		}
	}
}

// add files a row about to be inserted. Nil-safe: only the SQLite writer
// has a memo.
func (m *sendMemo) add(app uint64, from string, random uint32, createdAt int64) {
	if m == nil {
		return
	}
	word, bits := memoKey(app, from, random)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rotate()
	f := &m.filters[m.cur]
	f.words[word] |= bits
	f.maxCreated = max(f.maxCreated, createdAt)
}

// mayHave reports whether a row of (app, from, random) created at or after
// cutoff (unix ms) may exist: false only when the memo knows it does not.
func (m *sendMemo) mayHave(app uint64, from string, random uint32, cutoff int64) bool {
	if m == nil {
		return true
	}
	word, bits := memoKey(app, from, random)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rotate()
	if m.off || max(m.opened, m.dropped) >= cutoff {
		return true
	}
	for i := range m.filters {
		f := &m.filters[i]
		if f.maxCreated >= cutoff && f.words[word]&bits == bits {
			return true
		}
	}
	m.skips++
	return false
}

// turnOff makes every later check read the table.
func (m *sendMemo) turnOff() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.off = true
	m.mu.Unlock()
}

// scanOpened reads the greatest created_at of the rows up to maxID, those
// the database held at open, and lets the memo answer from then on.
func (m *sendMemo) scanOpened(ctx context.Context, db *DB, maxID int64) error {
	// One statement on the reader pool, not a transaction of db.read: that
	// would read the store's clock, which tests move without a lock.
	var opened int64
	err := db.r.QueryRowContext(ctx, "SELECT COALESCE(MAX(created_at), $1) FROM c2c_msgs WHERE id <= $2",
		int64(math.MinInt64), maxID).Scan(&opened)
	if err != nil {
		return err
	}
	m.mu.Lock()
	m.opened = opened
	m.mu.Unlock()
	return nil
}

// startMemo gives the SQLite writer its memo, and reads in the background
// the greatest created_at of the rows the database holds now (a read of
// the whole table: seconds on millions of messages, during which every
// check reads the table as it would without a memo). Rows inserted from
// now on have greater ids.
func (db *DB) startMemo() error {
	var maxID int64
	if err := db.w.QueryRowContext(context.Background(), "SELECT COALESCE(MAX(id), 0) FROM c2c_msgs").Scan(&maxID); err != nil {
		return err
	}
	db.memo = newSendMemo(time.Now)
	ctx, stop := context.WithCancel(context.Background())
	db.memoStop, db.memoDone = stop, make(chan struct{})
	go func() {
		defer close(db.memoDone)
		// On an error the rows held at open stay unknown, and every check
		// keeps reading the table: slower, never wrong.
		_ = db.memo.scanOpened(ctx, db, maxID)
	}()
	return nil
}

// memoKeyColumns are the c2c_msgs columns a duplicate check compares.
var memoKeyColumns = [...]string{"from_user", "msg_random", "msg_seq", "content_crc", "created_at"}

// addsUnknownC2C reports whether query, a statement that is not a SELECT,
// may add or change c2c_msgs rows in a way the memo does not know of: it
// names the table, and is neither a DELETE, nor an UPDATE that names none
// of the compared columns, nor one of the inserts that file their rows.
func addsUnknownC2C(query string) bool {
	if query == insertC2CSQL || query == seedC2CSQL || !namesTable(query, "c2c_msgs") {
		return false
	}
	switch w := firstWord(query); {
	case strings.EqualFold(w, "DELETE"):
		return false
	case strings.EqualFold(w, "UPDATE"):
		for _, c := range memoKeyColumns {
			if namesTable(query, c) {
				return true
			}
		}
		return false
	}
	return true
}
