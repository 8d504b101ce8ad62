package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"sync"
)

// Prepared-statement reuse for SQLite.
//
// Parsing and planning a statement costs SQLite more than running one of
// timd's point queries: profiled, a quarter of a read's CPU went to
// sqlite3_prepare_v2 of the same few texts. The store's SQL is a fixed set of
// strings, so each pool keeps every statement it has run prepared, and a
// transaction runs the prepared one (database/sql prepares it once per
// connection and reuses it after that).
//
// A statement is prepared in the background, not inside the transaction that
// first meets it: preparing through the pool needs a connection of its own,
// which the writer pool (one connection, held by that transaction) cannot
// give, and which a saturated reader pool could only give after a wait. The
// first few runs of each text are therefore unprepared, as before.
//
// PostgreSQL needs none of this: pgx keeps its own statement cache on each
// connection.

// maxStatements bounds the cache. The store's SQL is well under this; the
// bound only keeps an unforeseen source of distinct texts from growing it.
const maxStatements = 512

type stmtCache struct {
	pool *sql.DB
	mu   sync.RWMutex
	m    map[string]*sql.Stmt
	want map[string]bool // ever queued for preparation
	shut bool            // closed: queue nothing more
	ch   chan string
	done chan struct{}
	once sync.Once
}

func newStmtCache(pool *sql.DB) *stmtCache {
	c := &stmtCache{pool: pool, m: map[string]*sql.Stmt{}, want: map[string]bool{},
		ch: make(chan string, maxStatements), done: make(chan struct{})}
	go c.prepareLoop()
	return c
}

// get returns the prepared statement for query, or nil after queueing it.
func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.RLock()
	s := c.m[query]
	c.mu.RUnlock()
	if s != nil {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.shut && !c.want[query] && len(c.want) < maxStatements {
		c.want[query] = true
		c.ch <- query // never blocks: at most maxStatements are ever sent
	}
	return nil
}

func (c *stmtCache) prepareLoop() {
	defer close(c.done)
	for q := range c.ch {
		s, err := c.pool.PrepareContext(context.Background(), q)
		// A text that does not prepare stays in want, so it is not queued
		// again, and runs unprepared as before.
		if err == nil {
			c.mu.Lock()
			c.m[q] = s
			c.mu.Unlock()
		}
	}
}

// close stops preparing and closes every statement; call before the pool's
// Close. Closing again does nothing.
func (c *stmtCache) close() {
	c.once.Do(func() {
		c.mu.Lock()
		c.shut = true
		close(c.ch)
		c.mu.Unlock()
		<-c.done
		for _, s := range c.m {
			_ = s.Close() // at shutdown: one that fails goes with its connection, which the pool closes next
		}
	})
}

// stmt returns query prepared for this transaction, or nil to run it
// unprepared.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	if tx.wconn != nil {
		return tx.wconn.stmt(ctx, query) // prepared on the connection itself
	}
	if tx.stmts == nil {
		return nil
	}
	s := tx.stmts.get(query)
	if s == nil {
		return nil
	}
	return tx.sqlTx.StmtContext(ctx, s)
}

// context is the context tx's statements run under: ctx, or on the SQLite
// writer a context that is never done. The committer has already decided
// to run a write it has taken and always waits for the outcome; a caller's
// context there could only let one client's disconnect interrupt the
// transaction its batch shares, and costs the driver a watcher goroutine
// per statement.
func (tx *Tx) context(ctx context.Context) context.Context {
	if tx.detached {
		return context.Background()
	}
	return ctx
}

// ExecContext runs query in the transaction, prepared when it can be.
func (tx *Tx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.context(ctx)
	tx.note(query)
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.q.ExecContext(ctx, query, args...)
}

// QueryContext runs query in the transaction, prepared when it can be.
func (tx *Tx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.context(ctx)
	tx.note(query)
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.q.QueryContext(ctx, query, args...)
}

// QueryRowContext runs query in the transaction, prepared when it can be.
func (tx *Tx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.context(ctx)
	tx.note(query)
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.q.QueryRowContext(ctx, query, args...)
}

// execUnprepared runs query in the transaction without preparing it.
func (tx *Tx) execUnprepared(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tx.note(query)
	return tx.q.ExecContext(tx.context(ctx), query, args...)
}

// queryRowUnprepared runs query in the transaction without preparing it.
func (tx *Tx) queryRowUnprepared(ctx context.Context, query string, args ...any) *sql.Row {
	tx.note(query)
	return tx.q.QueryRowContext(tx.context(ctx), query, args...)
}

// note looks at a statement tx is about to run: the writer cache's test
// (writercache.go), and whether the write may have changed anything yet,
// which a batch without savepoints needs to know of a write that fails
// (batch.go). In SQLite a statement that begins with SELECT changes
// nothing; anything else is taken to, whatever it does.
func (tx *Tx) note(query string) {
	tx.wc.note(query)
	if beginsWithSelect(query) {
		return
	}
	tx.changed = true
	if tx.memo != nil && addsUnknownC2C(query) {
		tx.memo.turnOff()
	}
}

// beginsWithSelect reports whether query's first word is SELECT.
func beginsWithSelect(query string) bool { return strings.EqualFold(firstWord(query), "SELECT") }

// firstWord is query's first word, as written.
func firstWord(query string) string {
	q := strings.TrimLeft(query, " \t\r\n")
	end := 0
	for end < len(q) && identByte(q[end]) {
		end++
	}
	return q[:end]
}

// querier is what a transaction's statements run on: a *sql.Tx, or the
// SQLite writer's *sql.Conn.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}
