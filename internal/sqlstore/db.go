// Package sqlstore is the only package that touches SQL. One implementation
// of im.Store serves both embedded SQLite and PostgreSQL; dialect.go holds
// every difference between the two.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
)

// DB is timd's store on one database.
type DB struct {
	dialect dialect
	w       *sql.DB // writes (SQLite: one connection, BEGIN IMMEDIATE)
	r       *sql.DB // reads
	reaper  *reaper
	purger  *purger
	// committer batches SQLite writes into shared commits (batch.go); nil
	// on PostgreSQL.
	committer *committer
	// rStmts keeps the statements SQLite's readers have run prepared
	// (stmtcache.go; the writer's connection keeps its own,
	// writerconn.go); nil on PostgreSQL.
	rStmts *stmtCache

	// lock is the SQLite file's lock (lock.go), released by Close; nil
	// on PostgreSQL and in memory.
	lock *os.File
	// keep holds one connection of an in-memory database open for the
	// store's life: SQLite frees a memdb database with its last
	// connection, and the pools may close theirs.
	keep *sql.Conn

	// now is the clock every transaction reads once at its start.
	now      func() time.Time
	clocks   *im.Clocks // the apps' offsets from now (Options.Clocks)
	onEvents func()
	nonce    string // see Nonce
	// appTables are the tables keyed by app_id (loadAppTables), whose
	// rows DeleteApp deletes.
	appTables []string
	captures  captureSignal // wakes timd_capture/wait (capture.go)
	// groups caches FindGroups' reads on SQLite (groupcache.go); nil on
	// PostgreSQL.
	groups *groupCache
	// wcache is what the SQLite writer last read of accounts and mutes
	// (writercache.go); nil on PostgreSQL.
	wcache *writerCache
	// memo is what the SQLite writer knows of recent messages' duplicate
	// keys (sendmemo.go); nil on PostgreSQL. memoStop ends its read of
	// the rows held at open.
	memo     *sendMemo
	memoStop context.CancelFunc
	memoDone chan struct{}

	closeOnce sync.Once
	closeErr  error
}

var _ im.Store = (*DB)(nil)

// Options tune Open.
type Options struct {
	// MaxConns bounds the connection pool (PostgreSQL) or the reader pool
	// (SQLite). Zero means 16.
	MaxConns int
	// Now is the clock; nil means time.Now. Tests set it to control time.
	Now func() time.Time
	// OnEvents, if set, is called after a transaction that made an event
	// deliverable commits, so that the sender need not wait for its poll.
	OnEvents func()
	// PurgeInterval is how often expired messages are deleted; zero means
	// DefaultPurgeInterval.
	PurgeInterval time.Duration
	// Clocks are the apps' clocks (timd_clock), nil for none: the purge
	// deletes an app's messages and mutes by its own time, and looks
	// again as soon as a clock moves.
	Clocks *im.Clocks
}

// Open opens the database dsn names (a postgres:// URL, a SQLite file path, or
// Memory), applies pending migrations and returns the store. A SQLite file is
// locked for the store's life: Open fails with ErrInUse while another store,
// in this process or another, has it open.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	if opts.MaxConns <= 0 {
		opts.MaxConns = 16
	}
	lock, err := lockDatabase(dsn)
	if err != nil {
		return nil, err
	}
	d, w, r, err := openPools(dsn, opts.MaxConns)
	if err != nil {
		unlock(lock)
		return nil, err
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	db := &DB{dialect: d, w: w, r: r, lock: lock, now: opts.Now, onEvents: opts.OnEvents, clocks: opts.Clocks}
	if IsMemory(dsn) {
		// One more connection than the readers need, held by keep.
		r.SetMaxOpenConns(opts.MaxConns + 1)
		if db.keep, err = r.Conn(ctx); err != nil {
			_ = db.Close() // the error returned is the one to report
			return nil, err
		}
	}
	if err := db.migrate(ctx); err != nil {
		_ = db.Close() // the error returned is the one to report
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := db.loadNonce(ctx); err != nil {
		_ = db.Close() // the error returned is the one to report
		return nil, fmt.Errorf("database nonce: %w", err)
	}
	if err := db.loadAppTables(ctx); err != nil {
		_ = db.Close() // the error returned is the one to report
		return nil, fmt.Errorf("tables of app data: %w", err)
	}
	if d.oneProcess() {
		if err := db.openOneProcess(ctx); err != nil {
			_ = db.Close() // the error returned is the one to report
			return nil, err
		}
	}
	if d.cachesStatements() {
		db.rStmts = newStmtCache(r)
	}
	if d == dialectSQLite && !IsMemory(dsn) {
		if err := warmReaders(ctx, r, opts.MaxConns); err != nil {
			_ = db.Close() // the error returned is the one to report
			return nil, fmt.Errorf("open readers: %w", err)
		}
	}
	if d.batchesCommits() {
		// After warmReaders: the memo's read holds a reader for a while.
		if err := db.startMemo(); err != nil {
			_ = db.Close() // the error returned is the one to report
			return nil, fmt.Errorf("messages held at open: %w", err)
		}
		db.committer = startCommitter(db)
	}
	db.reaper = startReaper(db)
	db.purger = startPurger(db, opts.PurgeInterval)
	return db, nil
}

// openOneProcess readies a database that is this process's alone (a SQLite
// file, or memory): what a dead process left, and the caches only one
// process's writer can keep.
func (db *DB) openOneProcess(ctx context.Context) error {
	// Any delivery lease in the database is a dead process's: free those
	// events at once instead of waiting for the leases to run out.
	if _, err := db.w.ExecContext(ctx, "UPDATE events SET claimed_by = '', claim_until = 0 WHERE claim_until > 0"); err != nil {
		return fmt.Errorf("release delivery leases: %w", err)
	}
	db.groups = newGroupCache()
	db.wcache = newWriterCache()
	return nil
}

// Dialect names the database: "sqlite" or "postgres".
func (db *DB) Dialect() string { return string(db.dialect) }

// Close closes both pools. Calls after the first return its result: a test
// may close a store to open its file again, and its cleanup close it again.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	if db.reaper != nil {
		db.reaper.close()
		db.reaper = nil
	}
	if db.purger != nil {
		db.purger.close()
		db.purger = nil
	}
	if db.memoStop != nil {
		db.memoStop()
		<-db.memoDone
	}
	if db.committer != nil {
		db.committer.close()
		db.rStmts.close()
	}
	var err error
	if db.keep != nil {
		err = db.keep.Close()
	}
	err = errors.Join(err, db.w.Close())
	if db.r != db.w {
		err = errors.Join(err, db.r.Close())
	}
	// Only now that no connection is left may another process take the
	// file.
	unlock(db.lock)
	db.lock = nil
	return err
}

// unlock releases a lock lockSQLite took; closing the file drops the flock.
func unlock(f *os.File) {
	if f != nil {
		_ = f.Close() // nothing buffered to lose: the pid went out by WriteAt
	}
}

// Ping reports whether the database answers.
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.r.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

// Tx is one transaction with the time it started, which every row it writes
// uses, so that a change and its events carry the same instant.
type Tx struct {
	// q runs the transaction's statements: sqlTx, or on the SQLite
	// writer its connection (writerconn.go), where sqlTx is nil.
	q        querier
	sqlTx    *sql.Tx
	wconn    *writerConn
	now      time.Time
	dialect  dialect
	stmts    *stmtCache // nil: run every statement unprepared
	recorded bool       // an event became deliverable: wake the sender after commit
	// detached: statements ignore their caller's context (the SQLite
	// writer, see committer.write).
	detached bool
	// changed: a statement that may change the database has run (note).
	changed bool
	// aside: the write touches only the callback outbox and captures, so
	// it leaves the read cache's generation where it is (writeAside).
	aside bool
	// wc is the writer cache (writercache.go) on the SQLite writer; nil
	// elsewhere.
	wc *writerCache
	// memo is the SQLite writer's (sendmemo.go); nil elsewhere.
	memo *sendMemo
}

// maxAttempts bounds how often a transaction that hit a serialization
// failure, deadlock or busy database is run again before giving up.
const maxAttempts = 8

// write runs fn in one read-write transaction and commits it. A retryable
// driver failure runs fn again in a fresh transaction (fn must therefore not
// keep state across calls); an *im.Error from fn rolls back and is returned
// as it is.
//
// On SQLite, concurrent writes share one transaction and one commit, each
// inside a savepoint of its own (batch.go); the contract is the same.
func (db *DB) write(ctx context.Context, fn func(tx *Tx) error) error {
	if db.committer != nil {
		return db.committer.write(ctx, fn)
	}
	return db.run(ctx, db.w, false, fn)
}

// writeAside is write for a write that touches only the callback outbox
// and the captured callbacks (events, captured_*, capture_seqs), which no
// cached read shows: it does not move the group cache's generation. The
// sender claims and records deliveries several times a second, with
// nothing pending too; each of those emptied the cache, so that a busy
// callback receiver made every get_group_info a database read.
func (db *DB) writeAside(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, func(tx *Tx) error {
		tx.aside = true
		return fn(tx)
	})
}

// read runs fn in one read-only transaction.
func (db *DB) read(ctx context.Context, fn func(tx *Tx) error) error {
	return db.run(ctx, db.r, true, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) error {
	return retry(ctx, func() error { return db.runOnce(ctx, pool, readOnly, fn) })
}

// retry runs once until it succeeds, fails with an error that is not worth
// another attempt, or has run maxAttempts times.
func retry(ctx context.Context, once func() error) error {
	var err error
	for attempt := 0; attempt < maxAttempts; attempt++ {
		if attempt > 0 {
			// A short, growing pause lets the transaction that won finish.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
			}
		}
		err = once()
		if err == nil || classify(err) != errRetryable {
			return hideDriverError(err)
		}
	}
	return hideDriverError(fmt.Errorf("gave up after %d attempts: %w", maxAttempts, err))
}

// storeError stands for a driver error above this package: callers see an
// internal error whose message carries the detail for the log, and can still
// tell a cancelled or timed-out context, but never the driver's types.
type storeError struct {
	msg    string
	ctxErr error
}

func (e *storeError) Error() string { return "sqlstore: " + e.msg }
func (e *storeError) Unwrap() error { return e.ctxErr }

// hideDriverError passes nil and domain errors through and turns anything
// else into a storeError.
func hideDriverError(err error) error {
	var de *im.Error
	if err == nil || errors.As(err, &de) {
		return err
	}
	se := &storeError{msg: err.Error()}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		se.ctxErr = context.DeadlineExceeded
	case errors.Is(err, context.Canceled):
		se.ctxErr = context.Canceled
	}
	return se
}

func (db *DB) runOnce(ctx context.Context, pool *sql.DB, readOnly bool, fn func(tx *Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly && db.dialect.beginReadOnly()})
	if err != nil {
		return err
	}
	tx := &Tx{q: sqlTx, sqlTx: sqlTx, now: db.now().Add(im.ClockOffset(ctx)), dialect: db.dialect, stmts: db.rStmts}
	if !readOnly {
		defer func() {
			if !tx.aside {
				db.groups.invalidate() // after the commit, before the caller hears of it
			}
		}()
	}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return err
	}
	if tx.recorded && db.onEvents != nil {
		db.onEvents()
	}
	return nil
}

// warmReaders opens a SQLite file's n reader connections before timd
// serves, each with the schema read, so that the first burst of reads does
// not open them (an in-memory store, for tests, skips it). Opened on demand
// under the first requests, they put that second's p99 inside timd at
// 10-50 ms in 3 of 5 runs, against 1-2.5 ms in 5 of 5 opened here
// (timd-bench --rate 2000 --interval 1s, admin_getroammsg).
func warmReaders(ctx context.Context, r *sql.DB, n int) error {
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			_ = c.Close() // back to the idle pool; nothing to report
		}
	}()
	for range n {
		c, err := r.Conn(ctx)
		if err != nil {
			return err
		}
		conns = append(conns, c)
		var v int
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master").Scan(&v); err != nil {
			return err
		}
	}
	return nil
}
