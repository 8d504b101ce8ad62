package sqlstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/timd/timd/internal/im"
)

// Group commit for SQLite.
//
// SQLite has one writer, and with synchronous=FULL every commit waits for an
// fsync of the WAL: one commit per write caps writes at the disk's fsync
// rate, however fast the transactions are. So concurrent writes share a
// commit. A committer goroutine takes every write that is waiting, runs them
// one after another in one transaction, and commits once; only then is each
// caller answered, with its own outcome.
//
//   - A batch is first run without savepoints: a savepoint per write cost
//     the writer two statements and a copy of every page each write
//     touched first (SQLite's sub-journal), an eighth of its CPU under
//     sendmsg. A write whose function returns an *im.Error before any
//     statement that may change the database (Tx.changed) has nothing to
//     undo, and the batch goes on; nearly every refusal is of this kind
//     (an unknown account or group, a limit, a permission).
//   - A write that returns an *im.Error after such a statement has changes
//     to undo: the whole batch is rolled back and run again with a
//     SAVEPOINT per write, where that write is rolled back to its
//     savepoint: its partial changes go, the others' stay.
//   - Anything else (a driver error, a cancelled context) may have left the
//     transaction unusable, so the whole batch is rolled back and each write
//     in it runs again alone, in its own transaction, with the usual retries.
//     The functions passed to write are re-runnable by contract (retries
//     already run them again), so this is safe.
//   - A failed COMMIT is handled the same way: nothing was committed, each
//     write runs again alone.
//   - A caller's context is looked at only before its write starts: its
//     statements run detached from it (Tx.context), so a client that goes
//     away cannot interrupt the transaction the batch shares.
//
// There is no waiting to fill a batch: a write arriving at an idle store is
// committed at once, and writes that arrive while a commit is in progress
// form the next batch. Latency at low load is unchanged; under load the
// number of fsyncs per write falls with the queue length.
//
// PostgreSQL is left alone: it runs transactions in parallel on many
// connections, and a shared transaction would make one caller's row locks
// another's wait.

// maxBatch bounds the writes in one transaction, so that one commit does not
// hold the first caller for the work of hundreds.
const maxBatch = 64

// A write's state: queued until the committer takes it or its caller gives
// up on it, whichever comes first.
const (
	writeQueued int32 = iota
	writeTaken
	writeAbandoned
)

type writeReq struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	err   error
	done  chan struct{}
	state atomic.Int32
}

// committer queues writes in a slice under a mutex rather than passing them
// over a channel: a sender blocked on an unbuffered channel is made runnable
// by the receive only to park again on its reply, and under load those
// wake-ups queued in the Go scheduler ahead of the requests that had work
// to do (a scheduler trace put on average five such goroutines in the run
// queue at any time). Now a writer parks once, and the committer is woken
// once per idle-to-busy change.
type committer struct {
	db     *DB
	wconn  writerConn // under runMu
	runMu  sync.Mutex
	mu     sync.Mutex
	queue  []*writeReq
	closed bool
	wake   chan struct{} // capacity 1: the queue may have writes
	quit   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	batches, writes atomic.Int64 // for BatchStats
	undone          atomic.Int64 // batches run again with savepoints (tests)
}

var errClosed = errors.New("store closed")

func startCommitter(db *DB) *committer {
	c := &committer{db: db, wconn: writerConn{pool: db.w}, wake: make(chan struct{}, 1), quit: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// write hands fn to the committer and waits for its outcome. A caller whose
// context ends before its write is taken returns at once; once taken, the
// outcome (committed or not) is always waited for, since the caller's reply
// must say what happened.
func (c *committer) write(ctx context.Context, fn func(tx *Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err // its time is up: the write is not started
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return errClosed
	}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
		// Abandoned here, or by take, which saw the context end first.
		if r.state.CompareAndSwap(writeQueued, writeAbandoned) || r.state.Load() == writeAbandoned {
			return ctx.Err()
		}
		<-r.done // taken: the outcome is on its way
		return r.err
	}
}

func (c *committer) close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.mu.Unlock()
		close(c.quit)
	})
	c.wg.Wait()
}

func (c *committer) loop() {
	defer c.wg.Done()
	defer c.wconn.close()
	batch := make([]*writeReq, 0, maxBatch)
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			// Writes still queued were never started: refuse them.
			for batch = c.take(batch[:0]); len(batch) > 0; batch = c.take(batch[:0]) {
				for _, r := range batch {
					r.err = errClosed
					close(r.done)
				}
			}
			return
		}
		for batch = c.take(batch[:0]); len(batch) > 0; batch = c.take(batch[:0]) {
			c.run(batch)
			// Counted before the callers hear back, so that a caller
			// reading BatchStats after its write sees it.
			c.batches.Add(1)
			c.writes.Add(int64(len(batch)))
			for _, r := range batch {
				close(r.done)
			}
			clear(batch)
		}
	}
}

// take appends to batch up to maxBatch queued writes, oldest first, skipping
// those whose caller has given up or whose context has ended: a write is not
// started after its caller's deadline, even if the caller has not yet
// noticed (it then finds the write abandoned and answers the timeout).
func (c *committer) take(batch []*writeReq) []*writeReq {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for n < len(c.queue) && len(batch) < maxBatch {
		r := c.queue[n]
		n++
		if r.ctx.Err() != nil {
			r.state.CompareAndSwap(writeQueued, writeAbandoned)
			continue
		}
		if r.state.CompareAndSwap(writeQueued, writeTaken) {
			batch = append(batch, r)
		}
	}
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:])
	c.queue = c.queue[:rest]
	return batch
}

// run commits batch in one transaction, setting each request's err.
func (c *committer) run(batch []*writeReq) {
	c.runMu.Lock() // the loop's; tests call run too
	defer c.runMu.Unlock()
	if len(batch) == 1 {
		// Alone: no savepoint needed, the transaction is the write's own.
		batch[0].err = c.runAlone(batch[0])
		return
	}
	outcome := c.tryBatch(batch, false)
	if outcome == batchUndo {
		c.undone.Add(1)
		outcome = c.tryBatch(batch, true)
	}
	if outcome != batchDone {
		for _, r := range batch {
			// Nothing of the batch was committed: a write whose caller's
			// time ran out is not started again (tryBatch may have
			// skipped it for that already).
			if err := r.ctx.Err(); err != nil {
				r.err = hideDriverError(err)
				continue
			}
			r.err = c.runAlone(r)
		}
	}
}

// What became of a batch's transaction.
type batchOutcome int

const (
	batchDone  batchOutcome = iota // committed; each request has its outcome
	batchUndo                      // rolled back: run it again with savepoints
	batchAlone                     // rolled back: run each write alone
)

// tryBatch runs batch in one transaction, with a savepoint per write if
// savepoints is set, and commits it. Unless it reports batchDone, it has
// rolled everything back.
func (c *committer) tryBatch(batch []*writeReq, savepoints bool) batchOutcome {
	db := c.db
	if err := c.wconn.begin(); err != nil {
		return batchAlone
	}
	// After the commit, before the callers hear of it; unless every write
	// of the batch was set aside (writeAside).
	aside := true
	defer func() {
		db.wcache.end()
		if !aside {
			db.groups.invalidate()
		}
	}()
	abort := func(o batchOutcome) batchOutcome { aside = false; c.wconn.rollback(); return o }
	// savepoint runs one of the savepoint statements, if there are any.
	savepoint := func(tx *Tx, stmt string) error {
		if !savepoints {
			return nil
		}
		_, err := tx.ExecContext(context.Background(), stmt)
		return err
	}
	recorded := false
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = hideDriverError(err)
			continue
		}
		// The savepoint statements go through tx, prepared once: parsing
		// them for every write was a cost of the single writer's.
		tx := c.newTx(r.ctx)
		if err := savepoint(tx, "SAVEPOINT w"); err != nil {
			return abort(batchAlone)
		}
		err := r.fn(tx)
		aside = aside && tx.aside
		var de *im.Error
		switch {
		case err == nil:
			recorded = recorded || tx.recorded
		case !errors.As(err, &de):
			return abort(batchAlone)
		case !savepoints && tx.changed:
			return abort(batchUndo)
		default:
			if err := savepoint(tx, "ROLLBACK TO w"); err != nil {
				return abort(batchAlone)
			}
		}
		r.err = err
		if err := savepoint(tx, "RELEASE w"); err != nil {
			return abort(batchAlone)
		}
	}
	if err := c.wconn.commit(); err != nil {
		// SQLite rolls back a transaction whose COMMIT failed with an I/O
		// error; run each write again alone.
		return abort(batchAlone)
	}
	if recorded && db.onEvents != nil {
		db.onEvents()
	}
	return batchDone
}

// newTx is a transaction of the writer's connection for a write whose
// caller's context is ctx: its clock's offset counts, its end does not.
func (c *committer) newTx(ctx context.Context) *Tx {
	db := c.db
	return &Tx{q: c.wconn.conn, wconn: &c.wconn, now: db.now().Add(im.ClockOffset(ctx)), dialect: db.dialect,
		detached: true, wc: db.wcache, memo: db.memo}
}

// runAlone runs r in a transaction of its own, retried as DB.run retries.
func (c *committer) runAlone(r *writeReq) error {
	ctx := context.WithoutCancel(r.ctx)
	return retry(ctx, func() error { return c.runOnce(ctx, r.fn) })
}

// runOnce is DB.runOnce on the writer's connection.
func (c *committer) runOnce(ctx context.Context, fn func(tx *Tx) error) error {
	db := c.db
	if err := c.wconn.begin(); err != nil {
		return err
	}
	tx := c.newTx(ctx)
	defer func() {
		db.wcache.end() // after the commit or rollback
		if !tx.aside {
			db.groups.invalidate() // after the commit, before the caller hears of it
		}
	}()
	if err := fn(tx); err != nil {
		c.wconn.rollback()
		return err
	}
	if err := c.wconn.commit(); err != nil {
		return err
	}
	if tx.recorded && db.onEvents != nil {
		db.onEvents()
	}
	return nil
}

// BatchStats reports how many write transactions the committer ran and how
// many writes they carried (SQLite only; zeros on PostgreSQL).
func (db *DB) BatchStats() (batches, writes int64) {
	if db.committer == nil {
		return 0, 0
	}
	return db.committer.batches.Load(), db.committer.writes.Load()
}
