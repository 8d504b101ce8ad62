package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure a statement a transaction runs is prepared in the background and
// then reused, on both SQLite pools, with the same results; and that a
// closed cache neither panics nor queues.
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
	for _, p := range []struct {
		name  string
		run   func(context.Context, func(*Tx) error) error
		cache *stmtCache
	}{{"read", db.read, db.rStmts}, {"write", db.write, db.wStmts}} {
		if n := sum(p.run); n != 42 {
			t.Fatalf("%s unprepared: %d", p.name, n)
		}
		deadline := time.Now().Add(5 * time.Second)
		for {
			p.cache.mu.RLock()
			s := p.cache.m[q]
			p.cache.mu.RUnlock()
			if s != nil {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: statement never prepared", p.name)
			}
			time.Sleep(time.Millisecond)
		}
		for range 3 {
			if n := sum(p.run); n != 42 {
				t.Fatalf("%s prepared: %d", p.name, n)
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
