package sqlstore_test

import (
	"context"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure a database's nonce is drawn on its first open, 16 hex digits, kept
// across reopening, the same for stores opening it at once, and different
// from another database's.
func TestNonce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		other := dbtest.SQLiteDSN(t)
		if strings.HasPrefix(dsn, "postgres") {
			other = dbtest.PostgresDSN(t)
		}
		// On PostgreSQL several stores open the fresh database at once
		// (instances starting together): one nonce is drawn, every one
		// reads it. A SQLite file is served by one store at a time.
		n := 4
		if !strings.HasPrefix(dsn, "postgres") {
			n = 1
		}
		stores := make([]*sqlstore.DB, n)
		var wg sync.WaitGroup
		for i := range stores {
			wg.Go(func() {
				db, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
				if err != nil {
					t.Error(err)
					return
				}
				stores[i] = db
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		nonce := stores[0].Nonce()
		if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(nonce) {
			t.Fatalf("nonce %q: want 16 hex digits", nonce)
		}
		for _, db := range stores {
			if db.Nonce() != nonce {
				t.Errorf("stores opened at once read nonces %q and %q", nonce, db.Nonce())
			}
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		}
		if again := MustOpenDB(t, dsn).Nonce(); again != nonce {
			t.Errorf("nonce %q after reopening, was %q", again, nonce)
		}
		if n := MustOpenDB(t, other).Nonce(); n == nonce {
			t.Errorf("two databases drew the same nonce %q", n)
		}
	})
}
