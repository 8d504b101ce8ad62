package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file holds every difference between SQLite and PostgreSQL. The SQL in
// the rest of the package is written once, with $N placeholders, which both
// modernc.org/sqlite and pgx bind by position; the rest of the package asks
// the dialect (the functions and methods below) and never tests which one it
// is. Only the migrations are written per database (migrationsDir).
//
// Written once because both databases read it alike, so not differences:
// upserts (INSERT ... ON CONFLICT (cols) DO NOTHING / DO UPDATE, SQLite
// 3.24+), RETURNING (SQLite 3.35+), WITH RECURSIVE and CAST(x AS BIGINT /
// TEXT). Times are unix milliseconds in a 64-bit integer, booleans 0 or 1 in
// an integer, JSON and event bodies TEXT: no timestamp, boolean or bytea
// types. A unique violation is never an error to classify (see errKind).

// dialect names the database behind a DB.
type dialect string

const (
	dialectSQLite   dialect = "sqlite"
	dialectPostgres dialect = "postgres"
)

// IsPostgres reports whether dsn selects PostgreSQL rather than a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Memory is the TIMD_DATA value that keeps the whole database in memory, as
// SQLite's own name for it.
const Memory = ":memory:"

// IsMemory reports whether dsn asks for an in-memory SQLite database.
func IsMemory(dsn string) bool { return dsn == Memory }

// SQLitePath turns a TIMD_DATA value into the SQLite file it means: a
// directory (existing, or written with a trailing slash) holds timd.db.
func SQLitePath(data string) string {
	if strings.HasSuffix(data, "/") || strings.HasSuffix(data, string(filepath.Separator)) {
		return filepath.Join(data, "timd.db")
	}
	if fi, err := os.Stat(data); err == nil && fi.IsDir() {
		return filepath.Join(data, "timd.db")
	}
	return data
}

// lockDatabase takes the lock that makes a SQLite file one process's for the
// store's life (lock.go); a PostgreSQL database is shared by instances by
// design, so it has none (nil, nil).
func lockDatabase(dsn string) (*os.File, error) {
	if IsPostgres(dsn) {
		return nil, nil
	}
	return lockSQLite(dsn)
}

// openPools opens the writer and reader pools for dsn.
//
// SQLite allows one writer at a time. Rather than let concurrent writers
// collide on SQLITE_BUSY, every write goes through the committer (batch.go),
// which holds one connection of the writer pool and starts its
// transactions with BEGIN IMMEDIATE (so a read never has to be upgraded to
// a write lock mid-transaction). The pool's second connection serves what
// runs before the committer starts (migrations) and tests that set up rows
// directly; BEGIN IMMEDIATE and busy_timeout keep it in turn with the
// committer's. Reads use a separate pool and, in
// WAL mode, never wait for the writer. synchronous=FULL makes a commit durable
// before the reply. temp_store=MEMORY keeps the statement journal of the
// committer's savepoints in memory: by default it spills to a temporary
// file past 64 KiB, and a batch of group creations (a dozen pages each)
// then paid two write system calls per page it changed, a third of the
// committer's time per create_group in a profile. Nothing in it outlives
// the transaction, so durability is unchanged. PostgreSQL needs none of
// this: one pool serves both.
func openPools(dsn string, maxConns int) (d dialect, w, r *sql.DB, err error) {
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return "", nil, nil, err
		}
		db.SetMaxOpenConns(maxConns)
		db.SetMaxIdleConns(maxConns)
		return dialectPostgres, db, db, nil
	}

	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "temp_store(MEMORY)"} {
		q.Add("_pragma", p)
	}
	var base string
	if IsMemory(dsn) {
		// SQLite's ":memory:" is a new, empty database for every
		// connection, and the writer and each reader are connections of
		// their own. The memdb VFS shares one database among every
		// connection of the process that opens the same "/name", with
		// SQLite's ordinary locking (and busy_timeout) between them; it
		// has no WAL, so journal_mode stays "memory" and a commit waits
		// for the reads in progress. The random name keeps two stores
		// of one process apart.
		var b [8]byte
		rand.Read(b[:])
		base = "file:/timd-mem-" + hex.EncodeToString(b[:])
		q.Set("vfs", "memdb")
	} else {
		path := SQLitePath(dsn)
		if dir := filepath.Dir(path); dir != "" {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return "", nil, nil, fmt.Errorf("create data directory: %w", err)
			}
		}
		base = "file:" + (&url.URL{Path: path}).EscapedPath()
		if err := registerWALVFS(); err != nil {
			return "", nil, nil, err
		}
		q.Set("vfs", walVFSName) // walvfs.go
	}
	q.Set("_txlock", "immediate")
	w, err = sql.Open("sqlite", base+"?"+q.Encode())
	if err != nil {
		return "", nil, nil, err
	}
	w.SetMaxOpenConns(2)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	q.Set("_txlock", "deferred")
	r, err = sql.Open("sqlite", base+"?"+q.Encode())
	if err != nil {
		_ = w.Close() // the Open error is the one to report
		return "", nil, nil, err
	}
	r.SetMaxOpenConns(maxConns)
	r.SetMaxIdleConns(maxConns)
	return dialectSQLite, w, r, nil
}

// migrationsDir is the embedded directory of the dialect's migrations: the
// schema is the one thing written per database (column types, AUTOINCREMENT
// against BIGSERIAL, SQLite's planner statistics).
func (d dialect) migrationsDir() string { return "migrations/" + string(d) }

// migrationLockID is the PostgreSQL advisory lock key held while migrating.
const migrationLockID = 0x74696d64 // "timd"

// lockMigrations keeps instances that start at once on one PostgreSQL
// database from applying a migration twice: an advisory lock on conn, held
// until unlock is called. A SQLite file needs none: it is one process's
// (lockDatabase), and conn is its single writer.
func (d dialect) lockMigrations(ctx context.Context, conn *sql.Conn) (unlock func(), err error) {
	if d != dialectPostgres {
		return func() {}, nil
	}
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockID); err != nil {
		return nil, err
	}
	return func() {
		if _, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_unlock($1)", migrationLockID); err != nil {
			// The lock is the session's: rather than give the pool a
			// connection that may still hold it, close the connection,
			// which ends the session and the lock with it.
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}, nil
}

// oneProcess reports whether the database is one process's alone, so that
// delivery leases found in it at open are a dead process's and can be freed
// at once: true of a SQLite file (lockDatabase); a PostgreSQL database is
// shared by instances whose leases are live.
func (d dialect) oneProcess() bool { return d == dialectSQLite }

// batchesCommits reports whether concurrent writes share one transaction
// and one commit (batch.go): SQLite's single writer pays an fsync per
// commit and runs writes one at a time anyway; PostgreSQL runs them in
// parallel.
func (d dialect) batchesCommits() bool { return d == dialectSQLite }

// cachesStatements reports whether the store keeps its statements prepared
// per pool (stmtcache.go): modernc.org/sqlite parses a statement's text on
// every run, a quarter of a read's cost; pgx caches prepared statements on
// its connections by itself.
func (d dialect) cachesStatements() bool { return d == dialectSQLite }

// beginReadOnly reports whether a read transaction begins READ ONLY:
// PostgreSQL enforces it; SQLite ignores it at BEGIN, and its reader pool
// never writes anyway.
func (d dialect) beginReadOnly() bool { return d == dialectPostgres }

// storableText reports whether s can be bound as a text value on both
// databases: PostgreSQL refuses a NUL byte in one where SQLite stores it. A
// lookup of a value with a NUL, which nothing stored can hold, answers
// "absent" without asking either database, so that both answer alike.
func storableText(s string) bool { return strings.IndexByte(s, 0) < 0 }

// errKind classifies a driver error. Unique violations need no class: every
// insert that may collide is written ON CONFLICT DO NOTHING and its outcome
// read from the rows affected, which also keeps a PostgreSQL transaction
// usable after the collision.
type errKind int

const (
	errOther     errKind = iota
	errRetryable         // serialization failure, deadlock or busy: run the transaction again
)

// classify tells what kind of driver error err is.
func classify(err error) errKind {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		if pgErr.Code == "40001" || pgErr.Code == "40P01" {
			return errRetryable
		}
		return errOther
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		switch sqErr.Code() {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_BUSY_SNAPSHOT:
			return errRetryable
		}
	}
	return errOther
}

// refusedRow reports whether err is the database refusing a row for its
// values: a NOT NULL, CHECK or key constraint (PostgreSQL's class 23,
// SQLite's SQLITE_CONSTRAINT and its extended codes). Only an import of a
// document inserts rows that can break one (state_import.go).
func refusedRow(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "23")
	}
	var sqErr *sqlite.Error
	return errors.As(err, &sqErr) && sqErr.Code()&0xff == sqlite3.SQLITE_CONSTRAINT
}

// skipLocked is the suffix of a SELECT that claims rows: PostgreSQL locks
// them and skips rows other transactions hold, so instances claiming at once
// take different rows. SQLite's single writer needs neither.
func (tx *Tx) skipLocked() string {
	if tx.dialect == dialectPostgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// forUpdate is the suffix of a SELECT that locks the rows it reads until the
// transaction ends. PostgreSQL needs it so that concurrent transactions on
// one group queue; SQLite has no row locks and needs none, since its writer
// transactions (BEGIN IMMEDIATE) already run one at a time.
func (tx *Tx) forUpdate() string {
	if tx.dialect == dialectPostgres {
		return " FOR UPDATE"
	}
	return ""
}

// forNoKeyUpdate is the suffix of a SELECT that locks a user's accounts row
// (or a group's row) against other writers of it, as forUpdate does, but
// not against forKeyShare: a write for one user queues behind another write
// for that user and behind account_delete, while writes that only check the
// user exists (to store a reference to it) pass. SQLite needs none.
func (tx *Tx) forNoKeyUpdate() string {
	if tx.dialect == dialectPostgres {
		return " FOR NO KEY UPDATE"
	}
	return ""
}

// forKeyShare is the suffix of a SELECT that keeps the rows it reads from
// being deleted until the transaction ends, without queueing behind other
// changes to them. A write that stores a reference to an account (a group
// member or owner, a conversation's peer) takes it on that accounts row, and
// a conversation-group write on the group a conversation names, so that a
// concurrent deletion either commits first (and the write finds nothing) or
// waits for the write (and then removes what it added). SQLite's single
// writer needs none.
func (tx *Tx) forKeyShare() string {
	if tx.dialect == dialectPostgres {
		return " FOR KEY SHARE"
	}
	return ""
}

// locksRows reports whether the database has row locks that a transaction
// must take before reading what it will change. A statement that exists
// only to take such locks is not run on SQLite, whose single writer runs
// transactions one at a time.
func (tx *Tx) locksRows() bool { return tx.dialect == dialectPostgres }

// appTablesQuery lists the tables with an app_id column, each once, from
// the catalog: SQLite's table list and table_info pragma, PostgreSQL's
// information_schema for the schema in use.
func (d dialect) appTablesQuery() string {
	if d == dialectPostgres {
		return `SELECT table_name FROM information_schema.columns
			WHERE table_schema = current_schema() AND column_name = 'app_id' ORDER BY table_name`
	}
	return `SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p
		WHERE m.type = 'table' AND p.name = 'app_id' ORDER BY m.name`
}

// limitParam is a LIMIT taken from bound parameter i, for SQL built in
// code; SQL written out in full spells it the same way, as
// LIMIT CAST($n AS BIGINT). SQLite plans a bare LIMIT $n with the value
// bound at the time and marks the statement to be prepared again whenever
// a later call binds another value: a claim of the callback sender, whose
// LIMIT is the lane's free room, was parsed and planned anew on most calls
// (a LIMIT whose value changed cost 23 µs instead of 7). A LIMIT that is an
// expression is evaluated when the statement runs and planned once.
// TestNoBareLimitParam keeps the store's SQL to this form.
func limitParam(i int) string { return "CAST($" + itoa(i) + " AS BIGINT)" }

// takeTurns makes the transactions that name the same key run one after
// another from here to their end, for a check that must see what a
// concurrent write of the same thing stored (is this message new?). On
// PostgreSQL, where transactions run in parallel, it is a transaction's
// advisory lock on a hash of key (under read committed, the check after it
// sees the other's commit); SQLite's single writer already runs one write
// at a time.
func takeTurns(ctx context.Context, tx *Tx, key string) error {
	if tx.dialect.batchesCommits() {
		return nil
	}
	h := fnv.New64a()
	h.Write([]byte(key)) // a hash.Hash never fails
	_, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(h.Sum64()))
	return err
}
