package sqlstore

import (
	"context"
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
