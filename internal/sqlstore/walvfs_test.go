package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// openWALPools opens a SQLite file's pools as Open does (walvfs.go's VFS)
// with a table of numbered rows.
func openWALPools(t *testing.T, path string) (w, r *sql.DB) {
	t.Helper()
	_, w, r, err := openPools(path, 4)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(); _ = w.Close() })
	if _, err := w.Exec("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	return w, r
}

func checkIntegrity(t *testing.T, db *sql.DB) {
	t.Helper()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q, %v", res, err)
	}
}

// TestWALVFS_CommitsCheckpointsAndReaders commits batches of rows through
// several checkpoints (so that the WAL starts over from its beginning)
// while readers count the rows: a reader never sees a partial batch, every
// commit is seen by the next read, and the file reopened holds all of it.
func TestWALVFS_CommitsCheckpointsAndReaders(t *testing.T) {
	path := filepath.Join(t.TempDir(), "wal.db")
	w, r := openWALPools(t, path)
	var mode string
	if err := w.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Fatalf("journal_mode %q, %v", mode, err)
	}
	const batches, perBatch = 300, 40
	pad := strings.Repeat("x", 300) // a few rows per page: every batch writes many frames
	var committed atomic.Int64
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				before := committed.Load()
				var n int64
				if err := r.QueryRow("SELECT COUNT(*) FROM t").Scan(&n); err != nil {
					t.Error(err)
					return
				}
				if n%perBatch != 0 || n < before {
					t.Errorf("a reader saw %d rows, with %d committed before it read", n, before)
					return
				}
			}
		}()
	}
	for b := range batches {
		tx, err := w.Begin()
		if err != nil {
			t.Fatal(err)
		}
		for i := range perBatch {
			if _, err := tx.Exec("INSERT INTO t (id, v) VALUES (?, ?)", b*perBatch+i, fmt.Sprint(b, pad)); err != nil {
				t.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatalf("commit %d: %v", b, err)
		}
		committed.Store(int64((b + 1) * perBatch))
	}
	stop.Store(true)
	wg.Wait()
	checkIntegrity(t, w)
	_ = r.Close()
	_ = w.Close()

	w2, _ := openWALPools(t, path)
	var n, sum int64
	if err := w2.QueryRow("SELECT COUNT(*), SUM(id) FROM t").Scan(&n, &sum); err != nil {
		t.Fatal(err)
	}
	if total := int64(batches * perBatch); n != total || sum != total*(total-1)/2 {
		t.Fatalf("reopened: %d rows summing to %d", n, sum)
	}
	checkIntegrity(t, w2)
}

// TestWALVFS_TransactionLargerThanCache writes one transaction far larger
// than the writer's page cache, so that SQLite spills pages into the WAL
// and reads them back before the commit, and rolls another back after
// spilling: what the first wrote is there, of the second nothing.
func TestWALVFS_TransactionLargerThanCache(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spill.db")
	w, r := openWALPools(t, path)
	ctx := context.Background()
	conn, err := w.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = 10"); err != nil {
		t.Fatal(err)
	}
	fill := func(from, to int, commit bool) {
		t.Helper()
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := from; i < to; i++ {
			if _, err := tx.Exec("INSERT INTO t (id, v) VALUES (?, ?)", i, strings.Repeat(fmt.Sprint(i%10), 1000)); err != nil {
				t.Fatal(err)
			}
		}
		// Read every row back inside the transaction: pages that went to
		// the WAL come back from it.
		var n int
		if err := tx.QueryRow("SELECT COUNT(*) FROM t WHERE id >= ? AND id < ? AND length(v) = 1000", from, to).Scan(&n); err != nil || n != to-from {
			t.Fatalf("inside the transaction: %d rows, %v", n, err)
		}
		if commit {
			err = tx.Commit()
		} else {
			err = tx.Rollback()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	fill(0, 5000, true)
	fill(5000, 9000, false)
	_ = conn.Close()
	var n int
	var bad int
	if err := r.QueryRow("SELECT COUNT(*), COUNT(*) FILTER (WHERE v != substr(replace(hex(zeroblob(1000)), '00', CAST(id % 10 AS TEXT)), 1, 1000)) FROM t").Scan(&n, &bad); err != nil {
		t.Fatal(err)
	}
	if n != 5000 || bad != 0 {
		t.Fatalf("%d rows (want 5000), %d of them wrong", n, bad)
	}
	checkIntegrity(t, w)
}
