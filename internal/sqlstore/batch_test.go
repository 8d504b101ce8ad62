package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure writes that share a commit each get their own outcome: a write
// failing with a domain error leaves none of its changes, a write failing
// with a driver error leaves none and makes the batch run again write by
// write, a write whose context ended while it queued changes nothing, and
// every successful write lands exactly once.
func TestCommitter_OutcomePerWrite(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	if _, err := db.w.ExecContext(ctx, "CREATE TABLE batch_probe (k TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	const n = 150
	errs := queueProbeWrites(ctx, db, n)
	rows := probeRows(t, ctx, db)
	for i := range n {
		wantRows := checkProbeOutcome(t, i, errs[i])
		for j := range 2 {
			if got := rows[fmt.Sprintf("%d.%d", i, j)]; got != wantRows {
				t.Errorf("write %d statement %d: %d rows, want %d", i, j, got, wantRows)
			}
		}
	}
	batches, writes := db.BatchStats()
	if writes <= batches || batches < 2 {
		t.Errorf("%d writes in %d transactions: no batching", writes, batches)
	}
	t.Logf("%d writes in %d transactions", writes, batches)
}

// queueProbeWrites queues n probe writes behind a first write that holds
// the committer until every other write queues, so that they are taken as
// batches; every tenth write's context is cancelled while it queues. It
// returns each write's error once all are done.
func queueProbeWrites(ctx context.Context, db *DB, n int) []error {
	gate := make(chan struct{})
	go func() { _ = db.write(ctx, func(tx *Tx) error { <-gate; return nil }) }() // only holds the committer
	time.Sleep(20 * time.Millisecond)

	errs := make([]error, n)
	cancelled, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for i := range n {
		wctx := ctx
		if i%10 == 9 {
			wctx = cancelled
		}
		wg.Go(func() {
			errs[i] = db.write(wctx, probeWrite(wctx, i))
		})
	}
	time.Sleep(100 * time.Millisecond) // every write is queued
	cancel()
	close(gate)
	wg.Wait()
	return errs
}

// probeWrite inserts two batch_probe rows, then fails with a domain error
// when i%3 == 1 and with a driver error when i is 50 or 100.
func probeWrite(wctx context.Context, i int) func(tx *Tx) error {
	return func(tx *Tx) error {
		for j := range 2 { // two statements: a failure must undo both
			if _, err := tx.ExecContext(wctx, "INSERT INTO batch_probe (k) VALUES ($1)", fmt.Sprintf("%d.%d", i, j)); err != nil {
				return err
			}
		}
		switch {
		case i%3 == 1:
			return im.Errorf(10004, "rejected %d", i)
		case i == 50 || i == 100:
			_, err := tx.ExecContext(wctx, "INSERT INTO no_such_table VALUES (1)")
			return err
		}
		return nil
	}
}

// probeRows counts the batch_probe rows by key.
func probeRows(t *testing.T, ctx context.Context, db *DB) map[string]int {
	rows := map[string]int{}
	r, err := db.r.QueryContext(ctx, "SELECT k FROM batch_probe")
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var k string
		if err := r.Scan(&k); err != nil {
			t.Fatal(err)
		}
		rows[k]++
	}
	if err := closeRows(r); err != nil {
		t.Fatal(err)
	}
	return rows
}

// checkProbeOutcome checks probe write i ended with err as probeWrite and
// its cancelled context mean it to, and returns the rows each of its
// statements must have left: 1 if it succeeded, else 0.
func checkProbeOutcome(t *testing.T, i int, err error) (wantRows int) {
	var de *im.Error
	switch {
	case i%10 == 9:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("write %d: err %v, want context.Canceled", i, err)
		}
	case i%3 == 1:
		if !errors.As(err, &de) || de.Code != 10004 {
			t.Errorf("write %d: err %v, want 10004", i, err)
		}
	case i == 50 || i == 100:
		var se *storeError
		if !errors.As(err, &se) {
			t.Errorf("write %d: err %v, want a store error", i, err)
		}
	default:
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
		return 1
	}
	return 0
}

// Ensure a closed store refuses writes instead of hanging.
func TestCommitter_Closed(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, dbtest.SQLiteDSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { done <- db.write(ctx, func(tx *Tx) error { return nil }) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("write after Close succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("write after Close hangs")
	}
}

// Ensure a caller whose context ends after the committer took its write gets
// the write's real outcome, and that it does not disturb the writes sharing
// its transaction: statements run detached from the caller's context.
func TestCommitter_ContextEndsMidWrite(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	if _, err := db.w.ExecContext(ctx, "CREATE TABLE batch_probe (k TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	gate := make(chan struct{})
	go func() { _ = db.write(ctx, func(tx *Tx) error { <-gate; return nil }) }() // only holds the committer
	time.Sleep(20 * time.Millisecond)

	const n = 20
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wctx, cancel := context.WithCancel(ctx)
		defer cancel()
		wg.Go(func() {
			errs[i] = db.write(wctx, func(tx *Tx) error {
				if i%2 == 0 {
					cancel() // the client goes away while its write runs
				}
				_, err := tx.ExecContext(wctx, "INSERT INTO batch_probe (k) VALUES ($1)", fmt.Sprint(i))
				return err
			})
		})
	}
	time.Sleep(100 * time.Millisecond)
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("write %d: %v", i, err)
		}
	}
	var got int
	if err := db.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM batch_probe").Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Errorf("%d rows, want %d", got, n)
	}
}

// Ensure a write is never started after its caller's deadline: not when the
// deadline has passed before the call, nor when it passes while the write
// waits behind others. The caller gets the deadline error and nothing runs.
func TestCommitter_DeadlinePassedBeforeStart(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	var mu sync.Mutex
	ran := 0
	fn := func(tx *Tx) error { mu.Lock(); ran++; mu.Unlock(); return nil }

	expired, cancel := context.WithTimeout(ctx, time.Nanosecond)
	defer cancel()
	<-expired.Done()
	if err := db.write(expired, fn); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("expired before the call: %v", err)
	}

	gate := make(chan struct{})
	go func() { _ = db.write(ctx, func(tx *Tx) error { <-gate; return nil }) }() // only holds the committer
	time.Sleep(20 * time.Millisecond)
	const n = 32
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			wctx, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
			defer cancel()
			errs[i] = db.write(wctx, fn)
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(gate)
	wg.Wait()
	for i, err := range errs {
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("write %d: %v, want the deadline error", i, err)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if ran != 0 {
		t.Errorf("%d writes ran after their deadline", ran)
	}
}

// Ensure a batch moves the group cache's generation unless every write in
// it was set aside (writeAside): one ordinary write among outbox writes
// is enough.
func TestCommitter_BatchGenerationUnlessAllAside(t *testing.T) {
	ctx := context.Background()
	db := openQuietSQLite(t) // nothing but the batches below moves the generation
	aside := func(tx *Tx) error { tx.aside = true; return nil }
	plain := func(tx *Tx) error { return nil }
	for _, tc := range []struct {
		fns  []func(*Tx) error
		move bool
	}{
		{[]func(*Tx) error{aside, aside, aside}, false},
		{[]func(*Tx) error{aside, plain, aside}, true},
		{[]func(*Tx) error{plain, plain}, true},
	} {
		var batch []*writeReq
		for _, fn := range tc.fns {
			batch = append(batch, &writeReq{ctx: ctx, fn: fn, done: make(chan struct{})})
		}
		before, _ := db.CacheGeneration()
		db.committer.run(batch)
		for _, r := range batch {
			if r.err != nil {
				t.Fatal(r.err)
			}
		}
		if after, _ := db.CacheGeneration(); (after != before) != tc.move {
			t.Errorf("%d writes: generation %d -> %d, want moved %v", len(tc.fns), before, after, tc.move)
		}
	}
}

// Ensure a batch runs without savepoints while its failing writes changed
// nothing, and again with a savepoint per write when one did: the refused
// write's changes go, the others' stay, in both cases.
func TestCommitter_SavepointsOnlyToUndo(t *testing.T) {
	ctx := context.Background()
	db := openSQLite(t)
	if _, err := db.w.ExecContext(ctx, "CREATE TABLE batch_probe (k TEXT NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	insert := func(k string) func(tx *Tx) error {
		return func(tx *Tx) error {
			_, err := tx.ExecContext(ctx, "INSERT INTO batch_probe (k) VALUES ($1)", k)
			return err
		}
	}
	refuseAfter := func(read bool, k string) func(tx *Tx) error {
		return func(tx *Tx) error {
			if read {
				var n int
				if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM batch_probe").Scan(&n); err != nil {
					return err
				}
			} else if err := insert(k)(tx); err != nil {
				return err
			}
			return im.Errorf(10004, "refused")
		}
	}
	for _, tc := range []struct {
		name   string
		middle func(tx *Tx) error
		undone int64
	}{
		{"refused after a read", refuseAfter(true, ""), 0},
		{"refused after an insert", refuseAfter(false, "refused"), 1},
	} {
		before := db.committer.undone.Load()
		batch := []*writeReq{
			{ctx: ctx, fn: insert(tc.name + " 1"), done: make(chan struct{})},
			{ctx: ctx, fn: tc.middle, done: make(chan struct{})},
			{ctx: ctx, fn: insert(tc.name + " 2"), done: make(chan struct{})},
		}
		db.committer.run(batch)
		if got := db.committer.undone.Load() - before; got != tc.undone {
			t.Errorf("%s: run again with savepoints %d times, want %d", tc.name, got, tc.undone)
		}
		var de *im.Error
		if batch[0].err != nil || !errors.As(batch[1].err, &de) || batch[2].err != nil {
			t.Errorf("%s: outcomes %v, %v, %v; want nil, 10004, nil", tc.name, batch[0].err, batch[1].err, batch[2].err)
		}
		rows := probeRows(t, ctx, db)
		if rows[tc.name+" 1"] != 1 || rows[tc.name+" 2"] != 1 || rows["refused"] != 0 {
			t.Errorf("%s: rows %v", tc.name, rows)
		}
	}
}

func TestBeginsWithSelect(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1": true, "\n\t\tselect x FROM t": true, "SELECT": true,
		"SELECTED": false, "INSERT INTO t SELECT 1": false, "WITH x AS (SELECT 1) SELECT * FROM x": false,
		"SAVEPOINT w": false, "": false, "  UPDATE t SET a = (SELECT 1)": false,
	} {
		if got := beginsWithSelect(q); got != want {
			t.Errorf("beginsWithSelect(%q) = %v, want %v", q, got, want)
		}
	}
}
