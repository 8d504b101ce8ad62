package sqlstore

import (
	"context"
	"database/sql"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// openSQLite opens a store on a new SQLite file, closed when the test ends.
func openSQLite(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), dbtest.SQLiteDSN(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// Ensure every SQLite connection, the writer's and the readers', runs with
// the settings openPools names: WAL, synchronous=FULL (2), foreign keys and
// the statement journal in memory (temp_store 2).
func TestOpen_SQLitePragmas(t *testing.T) {
	db := openSQLite(t)
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "temp_store": "2"}
	for name, pool := range map[string]*sql.DB{"writer": db.w, "reader": db.r} {
		for pragma, v := range want {
			var got string
			if err := pool.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("%s: PRAGMA %s: %v", name, pragma, err)
			}
			if got != v {
				t.Errorf("%s: %s = %s, want %s", name, pragma, got, v)
			}
		}
	}
}

// Ensure a SQLite file's reader connections are all open, idle and ready when
// Open returns, so that the first burst of reads opens none.
func TestOpen_SQLiteReadersWarm(t *testing.T) {
	db, err := Open(t.Context(), dbtest.SQLiteDSN(t), Options{MaxConns: 5})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	waitMemoOpened(t, db) // its read of the rows held at open borrows a reader
	if st := db.r.Stats(); st.OpenConnections != 5 || st.Idle != 5 {
		t.Fatalf("readers after Open: %d open, %d idle; want 5 and 5", st.OpenConnections, st.Idle)
	}
}

// openQuietSQLite is openSQLite with the purge and the reaper stopped: both
// write at open, and a test that counts write transactions or watches the
// cache generation needs nothing but its own writes to move them.
func openQuietSQLite(t testing.TB) *DB {
	t.Helper()
	db := openSQLite(t)
	db.purger.close()
	db.purger = nil
	db.reaper.close()
	db.reaper = nil
	return db
}
