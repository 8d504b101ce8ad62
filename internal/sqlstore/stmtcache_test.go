package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure a statement a read runs is prepared in the background and then
// reused, and one a write runs is prepared on the writer's connection at
// once, with the same results; and that a closed cache neither panics nor
// queues.
func TestStmtCache_PreparesAndReuses(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, dbtest.SQLiteDSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	const q = "SELECT $1 + 1"
	sum := func(run func(context.Context, func(*Tx) error) error) int {
		var n int
		if err := run(ctx, func(tx *Tx) error { return tx.QueryRowContext(ctx, q, 41).Scan(&n) }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := sum(db.read); n != 42 {
		t.Fatalf("read unprepared: %d", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		db.rStmts.mu.RLock()
		s := db.rStmts.m[q]
		db.rStmts.mu.RUnlock()
		if s != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("read: statement never prepared")
		}
		time.Sleep(time.Millisecond)
	}
	if n := sum(db.write); n != 42 {
		t.Fatalf("write: %d", n)
	}
	if db.committer.wconn.stmts[q] == nil { // the write's outcome came after the loop filed it
		t.Fatal("write: statement not prepared on the writer's connection")
	}
	for _, run := range []func(context.Context, func(*Tx) error) error{db.read, db.write} {
		for range 3 {
			if n := sum(run); n != 42 {
				t.Fatalf("prepared: %d", n)
			}
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if s := db.rStmts.get("SELECT 2"); s != nil {
		t.Fatal("closed cache returned a statement")
	}
}
