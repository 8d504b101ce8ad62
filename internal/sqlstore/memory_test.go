package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure ":memory:" is one database for the whole store: accounts written
// by concurrent calls (shared commits on the writer) are seen by every
// reader of the pool, and a second in-memory store is a database of its own.
func TestOpen_Memory(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, sqlstore.Memory, sqlstore.Options{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	const app, writers = 1400000001, 8
	ids := make([]string, writers)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range writers {
		ids[i] = "user" + strconv.Itoa(i)
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- db.ImportAccounts(ctx, app, []im.AccountImport{{UserID: ids[i]}})
		}()
	}
	wg.Wait()
	// More readers than the pool has connections, while a writer keeps
	// writing: each must see every account.
	stop, writerErr := keepWriting(ctx, db, app)
	readAllAccounts(ctx, db, app, ids, &wg, errs)
	wg.Wait()
	close(stop)
	errs <- <-writerErr
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}

	other, err := sqlstore.Open(ctx, sqlstore.Memory, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := other.Close(); err != nil {
			t.Error(err)
		}
	}()
	if got, err := other.CheckAccounts(ctx, app, ids[:1]); err != nil || got[0] {
		t.Errorf("a second in-memory store sees the first's account: %v, %v", got, err)
	}
	if _, err := os.Stat(sqlstore.Memory); err == nil {
		t.Errorf("an in-memory store created a file named %s", sqlstore.Memory)
	}
}

// keepWriting imports accounts one by one until stop is closed, then sends
// its outcome on the returned channel.
func keepWriting(ctx context.Context, db *sqlstore.DB, app uint64) (stop chan struct{}, result chan error) {
	stop, result = make(chan struct{}), make(chan error, 1)
	go func() {
		for n := 0; ; n++ {
			select {
			case <-stop:
				result <- nil
				return
			default:
			}
			if err := db.ImportAccounts(ctx, app, []im.AccountImport{{UserID: "extra" + strconv.Itoa(n%50)}}); err != nil {
				result <- err
				return
			}
		}
	}()
	return stop, result
}

// readAllAccounts starts eight readers, each checking 30 times that it sees
// every one of ids, and sends their failures to errs.
func readAllAccounts(ctx context.Context, db *sqlstore.DB, app uint64, ids []string, wg *sync.WaitGroup, errs chan<- error) {
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 30 {
				got, err := db.CheckAccounts(ctx, app, ids)
				if err != nil {
					errs <- err
					return
				}
				for i, ok := range got {
					if !ok {
						errs <- fmt.Errorf("reader does not see %s", ids[i])
						return
					}
				}
			}
		}()
	}
}

// Ensure a SQLite file is one store's at a time: a second Open fails with
// ErrInUse naming the file and the holder's pid, and succeeds once the first
// store is closed.
func TestOpen_Locked(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "timd.db")
	db, err := sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = sqlstore.Open(ctx, path, sqlstore.Options{})
	if !errors.Is(err, sqlstore.ErrInUse) || !strings.Contains(err.Error(), path) ||
		!strings.Contains(err.Error(), "pid "+strconv.Itoa(os.Getpid())) {
		t.Fatalf("second Open = %v, want ErrInUse naming %s and pid %d", err, path, os.Getpid())
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatalf("the first store no longer answers: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = sqlstore.Open(ctx, path, sqlstore.Options{})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Error(err)
	}
}
