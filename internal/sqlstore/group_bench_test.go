package sqlstore

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// These benchmarks show that dismissing a group costs in proportion to that
// group only: the other groups' rows of the app are not read.
//
//	go test ./internal/sqlstore/ -run XXX -bench Destroy -benchtime 5x

const benchApp = 1400000001

// fillMembers adds n members named <prefix><i> to group id with one SQL
// statement (a recursive CTE works on both databases).
func fillMembers(tb testing.TB, db *DB, id, typ string, n int) {
	tb.Helper()
	ctx := context.Background()
	var seq int64
	err := db.w.QueryRowContext(ctx, `INSERT INTO im_groups (app_id, group_id, type, name, created_at, info_time,
		member_num, join_counter, max_members, apply_join, invite_join) VALUES ($1, $2, $3, 'bench', 0, 0, $4, $4, 100000, 'FreeAccess', 'FreeAccess')
		RETURNING seq`, benchApp, id, typ, n).Scan(&seq)
	if err != nil {
		tb.Fatal(err)
	}
	_, err = db.w.ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $3)
		INSERT INTO group_members (app_id, group_seq, user_id, role, join_time, join_seq)
		SELECT $1, $2, 'u' || CAST(x AS TEXT), 'Member', 0, x FROM c`, benchApp, seq, n)
	if err != nil {
		tb.Fatal(err)
	}
}

// benchDB opens a SQLite store for a benchmark, with `others` groups of 100
// members each already in the app.
func benchDB(b *testing.B, others int) *DB {
	b.Helper()
	dsn := filepath.Join(b.TempDir(), "bench.db")
	if os.Getenv(dbtest.EnvPostgresDSN) != "" && os.Getenv("TIMD_BENCH_POSTGRES") != "" {
		dsn = dbtest.PostgresDSN(b)
	}
	db, err := Open(context.Background(), dsn, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if err := db.Close(); err != nil {
			b.Error(err)
		}
	})
	for i := 0; i < others; i++ {
		fillMembers(b, db, fmt.Sprintf("other-%d", i), im.GroupPublic, 100)
	}
	return db
}

func benchDestroy(b *testing.B, others, size int, typ string) {
	db := benchDB(b, others)
	op := im.Op{App: &im.App{SDKAppID: benchApp, Callback: im.CallbackConfig{URL: "http://127.0.0.1:9/"}}, Operator: "administrator"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		id := fmt.Sprintf("target-%d", i)
		fillMembers(b, db, id, typ, size)
		b.StartTimer()
		if err := db.DestroyGroup(context.Background(), op, id); err != nil {
			b.Fatal(err)
		}
	}
}

// A Community of 100,000 members in an app holding 1,000,000 other
// memberships (10,000 groups of 100).
func BenchmarkDestroyGroup_Community100k_Among1M(b *testing.B) {
	benchDestroy(b, 10000, 100000, im.GroupCommunity)
}

// The same group in an otherwise empty app: the figure to compare with.
func BenchmarkDestroyGroup_Community100k_Alone(b *testing.B) {
	benchDestroy(b, 0, 100000, im.GroupCommunity)
}

// A Public group of 100 members among 1,000,000 memberships, and alone.
func BenchmarkDestroyGroup_Public100_Among1M(b *testing.B) {
	benchDestroy(b, 10000, 100, im.GroupPublic)
}

func BenchmarkDestroyGroup_Public100_Alone(b *testing.B) {
	benchDestroy(b, 0, 100, im.GroupPublic)
}
