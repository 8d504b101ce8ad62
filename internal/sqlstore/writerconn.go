package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
)

// The SQLite writer's connection, which the committer holds for the store's
// life and runs its transactions on.
//
// A *sql.Tx cost the single writer a goroutine for every query (sql.Rows
// watches the transaction's context, which BeginTx always makes
// cancellable) and a new binding of each prepared statement to the
// transaction (Tx.StmtContext): in a create_group profile at 64 connections,
// about 6% of timd's CPU. A *sql.Conn has neither: its statements are
// prepared on it once and run as they are, and BEGIN IMMEDIATE, COMMIT and
// ROLLBACK are statements like the others. Only the committer's goroutine
// uses it.
//
// Should the driver give the connection up (driver.ErrBadConn, which
// database/sql turns into sql.ErrConnDone for a Conn), the next transaction
// takes a new one from the pool. The pool allows a second connection for
// anything else that writes (tests set up rows with it); SQLite's write lock
// and busy_timeout keep the two in turn.
type writerConn struct {
	pool  *sql.DB
	conn  *sql.Conn            // nil until taken, and after the driver gave it up
	stmts map[string]*sql.Stmt // prepared on conn; nil: the text runs unprepared
}

// begin takes the connection if need be and starts a write transaction.
func (w *writerConn) begin() error {
	if w.conn == nil {
		c, err := w.pool.Conn(context.Background())
		if err != nil {
			return err
		}
		w.conn, w.stmts = c, map[string]*sql.Stmt{}
	}
	return w.exec("BEGIN IMMEDIATE")
}

// commit commits the transaction; if that fails, it makes sure nothing of
// the transaction stays open (SQLite rolls back by itself on an I/O error,
// not on every error).
func (w *writerConn) commit() error {
	err := w.exec("COMMIT")
	if err != nil {
		w.rollback()
	}
	return err
}

// rollback rolls the transaction back, if one is open.
func (w *writerConn) rollback() {
	if w.conn != nil {
		_ = w.exec("ROLLBACK") // "no transaction is active" after SQLite rolled back by itself
	}
}

func (w *writerConn) exec(query string) error {
	ctx := context.Background()
	var err error
	if s := w.stmt(ctx, query); s != nil {
		_, err = s.ExecContext(ctx)
	} else {
		_, err = w.conn.ExecContext(ctx, query)
	}
	w.check(err)
	return err
}

// stmt returns query prepared on the connection, or nil to run it
// unprepared: a text that does not prepare, or one past maxStatements.
func (w *writerConn) stmt(ctx context.Context, query string) *sql.Stmt {
	if s, ok := w.stmts[query]; ok {
		return s
	}
	if len(w.stmts) >= maxStatements {
		return nil
	}
	s, err := w.conn.PrepareContext(ctx, query)
	if err != nil {
		s = nil
	}
	w.stmts[query] = s
	return s
}

// check drops the connection if err says the driver gave it up.
func (w *writerConn) check(err error) {
	if err == nil || w.conn == nil || !(errors.Is(err, sql.ErrConnDone) || errors.Is(err, driver.ErrBadConn)) {
		return
	}
	w.close()
}

// close closes the statements and gives the connection back to the pool.
func (w *writerConn) close() {
	if w.conn == nil {
		return
	}
	for _, s := range w.stmts {
		if s != nil {
			_ = s.Close() // closing with the connection; nothing to report
		}
	}
	_ = w.conn.Close() // back to the pool, which closes it if it is bad
	w.conn, w.stmts = nil, nil
}
