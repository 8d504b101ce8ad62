// Package dbtest runs a test body against every database timd supports:
// always on a fresh SQLite file, and on PostgreSQL when TIMD_TEST_POSTGRES_DSN
// names a server, in a schema of its own that is dropped afterwards. The
// PostgreSQL leg is skipped when the variable is unset and fails when it is
// set but the server does not answer.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop schemas
)

// EnvPostgresDSN names the variable that enables the PostgreSQL leg, e.g.
// TIMD_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
const EnvPostgresDSN = "TIMD_TEST_POSTGRES_DSN"

// ForEach runs fn as a "sqlite" subtest and a "postgres" subtest, each with
// the DSN of an empty database of its own. Without TIMD_TEST_POSTGRES_DSN the
// postgres subtest is skipped with a message saying how to enable it; with
// it set and no server answering, the subtest fails.
func ForEach(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLiteDSN(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, PostgresDSN(t)) })
}

// SQLiteDSN returns the path of a SQLite file in a fresh temporary directory.
func SQLiteDSN(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "timd.db")
}

// PostgresDSN returns a DSN whose search_path is a new, empty schema on the
// server named by TIMD_TEST_POSTGRES_DSN, dropped when t ends. It skips t if
// the variable is unset, and fails t if it is set but the server does not
// answer (CheckPostgres): a run that asked for the PostgreSQL leg must not
// pass without it.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgresDSN)
	if base == "" {
		t.Skip("PostgreSQL leg skipped: set " + EnvPostgresDSN + "=postgres://postgres@127.0.0.1:5432/test?sslmode=disable to run it")
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvPostgresDSN, err)
	}
	if err := checkPostgresOnce(base); err != nil {
		t.Fatal(err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "timd_test_" + hex.EncodeToString(b[:])

	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open %s: %v", EnvPostgresDSN, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		_ = admin.Close() // the error below is the one to report
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		if err := admin.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// checkTimeout bounds how long CheckPostgres waits for the server.
const checkTimeout = 10 * time.Second

// CheckPostgres connects to the server dsn names and returns nil if it
// answers, or an error saying that TIMD_TEST_POSTGRES_DSN names a server that
// does not and how to either start one or skip the PostgreSQL leg.
func CheckPostgres(ctx context.Context, dsn string) error {
	where := dsn
	if u, err := url.Parse(dsn); err == nil {
		where = u.Redacted()
	}
	ctx, cancel := context.WithTimeout(ctx, checkTimeout)
	defer cancel()
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		err = db.PingContext(ctx)
		_ = db.Close() // a pool that was only pinged: nothing to lose
	}
	if err != nil {
		return fmt.Errorf("%s is set to %s, but PostgreSQL does not answer there: %v; "+
			"start the server, or unset %s to skip the PostgreSQL leg", EnvPostgresDSN, where, err, EnvPostgresDSN)
	}
	return nil
}

// checked holds CheckPostgres's answer per DSN, so that with an absent
// server every test fails at once with the same message instead of each
// waiting out checkTimeout.
var checked sync.Map // DSN → error (nil when the server answered)

func checkPostgresOnce(dsn string) error {
	if err, ok := checked.Load(dsn); ok {
		e, _ := err.(error)
		return e
	}
	err := CheckPostgres(context.Background(), dsn)
	checked.Store(dsn, err)
	return err
}
