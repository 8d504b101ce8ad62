package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/sqlstore"
)

// MustOpenDB opens the store on dsn and closes it when tb ends. Its clock is
// fixed at 2026-01-02T03:04:05Z so stored times are predictable.
func MustOpenDB(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{
		Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
	})
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	})
	return db
}

// Ensure migrations run once: reopening a database applies nothing twice.
func TestOpen_Reopen(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		db := MustOpenDB(t, dsn)
		if err := db.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		db2 := MustOpenDB(t, dsn)
		if err := db2.Ping(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}
