// Package dbtest runs a test body against every database timd supports:
// always on a fresh SQLite file, and on PostgreSQL when TIMD_TEST_POSTGRES_DSN
// names a server, in a schema of its own that is dropped afterwards.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to create and drop schemas
)

// EnvPostgresDSN names the variable that enables the PostgreSQL leg, e.g.
// TIMD_TEST_POSTGRES_DSN=postgres://postgres@127.0.0.1:5432/test?sslmode=disable
const EnvPostgresDSN = "TIMD_TEST_POSTGRES_DSN"

// ForEach runs fn as a "sqlite" subtest and a "postgres" subtest, each with
// the DSN of an empty database of its own. Without TIMD_TEST_POSTGRES_DSN the
// postgres subtest is skipped with a message saying how to enable it.
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
// the variable is unset.
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
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})

	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
