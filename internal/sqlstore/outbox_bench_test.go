package sqlstore

import (
	"context"
	"testing"

	"github.com/timd/timd/internal/im"
)

// These benchmarks show that finding an app's dead events, to list them or
// to replay them, costs in proportion to the dead events only: the delivered
// ones kept for a week beside them are not read.
//
//	go test ./internal/sqlstore/ -run XXX -bench Dead -benchtime 20x

// fillEvents adds n events of the app in the state with one SQL statement.
func fillEvents(tb testing.TB, db *DB, n int, state im.EventState) {
	tb.Helper()
	_, err := db.w.ExecContext(context.Background(), `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $2)
		INSERT INTO events (app_id, event_key, command, body, created_at, state, next_attempt_at, delivered_at)
		SELECT $1, 'g' || CAST(x % 1000 AS TEXT), 'Group.CallbackAfterGroupDestroyed', '{}', x, $3, 0, x FROM c`,
		benchApp, n, string(state))
	if err != nil {
		tb.Fatal(err)
	}
}

func benchDead(b *testing.B, delivered int, run func(db *DB) int) {
	db := benchDB(b, 0)
	fillEvents(b, db, delivered, im.EventDelivered)
	fillEvents(b, db, 100, im.EventDead)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if n := run(db); n != 100 {
			b.Fatalf("%d dead events, want 100", n)
		}
	}
}

func listDead(b *testing.B) func(db *DB) int {
	return func(db *DB) int {
		evs, err := db.ListEvents(context.Background(), benchApp, im.EventFilter{State: im.EventDead, Limit: 1000})
		if err != nil {
			b.Fatal(err)
		}
		return len(evs)
	}
}

// replayDead replays the dead events and makes them dead again, so that each
// round finds 100.
func replayDead(b *testing.B) func(db *DB) int {
	return func(db *DB) int {
		n, err := db.ReplayDead(context.Background(), benchApp)
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if _, err := db.w.Exec("UPDATE events SET state = 'dead' WHERE state = 'pending'"); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		return n
	}
}

// 100 dead events among 1,000,000 delivered ones, and alone.
func BenchmarkListDead_Among1M(b *testing.B)   { benchDead(b, 1000000, listDead(b)) }
func BenchmarkListDead_Alone(b *testing.B)     { benchDead(b, 0, listDead(b)) }
func BenchmarkReplayDead_Among1M(b *testing.B) { benchDead(b, 1000000, replayDead(b)) }
func BenchmarkReplayDead_Alone(b *testing.B)   { benchDead(b, 0, replayDead(b)) }
