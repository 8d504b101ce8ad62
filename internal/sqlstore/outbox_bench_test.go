package sqlstore

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

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

// BenchmarkDeliveryCycle is the store's share of delivering a backlog, per
// event: claims of 32 (as a lane half free claims), then the deliveries
// recorded 16 at a time, as the sender does. keys is how many keys the
// backlog spreads over: 0 gives every event its own key, so a record finds
// no next event; 16 gives each record a next event to lease. refill is
// the sender's way with a backlog of distinct keys: each record claims other
// events for the places it frees (Delivery.Refill), and claims of its own
// come only when it holds nothing.
//
//	go test ./internal/sqlstore/ -run XXX -bench DeliveryCycle
func BenchmarkDeliveryCycle(b *testing.B) {
	for _, keys := range []int{0, 16, -1} {
		name, refill := fmt.Sprintf("keys=%d", keys), keys < 0
		if refill {
			name, keys = "refill", 0
		}
		b.Run(name, func(b *testing.B) {
			db := benchDB(b, 0)
			mod := "x"
			if keys > 0 {
				mod = fmt.Sprintf("x %% %d", keys)
			}
			_, err := db.w.ExecContext(context.Background(), `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $2)
				INSERT INTO events (app_id, event_key, command, body, created_at, next_attempt_at)
				SELECT $1, 'g' || CAST(`+mod+` AS TEXT), 'Group.CallbackAfterCreateGroup',
					'{"CallbackCommand":"Group.CallbackAfterCreateGroup","GroupId":"@TGS#2J4SZEAEL","Type":"Public","Owner_Account":"alice","EventTime":1700000000000}', x, 0 FROM c`,
				benchApp, b.N+64)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			now := time.UnixMilli(1)
			b.ResetTimer()
			cpu0 := processCPU(b)
			var held []im.Event
			for done := 0; done < b.N; {
				if len(held) < 32 && (!refill || len(held) == 0) {
					evs, err := db.ClaimEvents(ctx, "bench", benchApp, now, time.Minute, 32, 4*32+64)
					if err != nil {
						b.Fatal(err)
					}
					held = append(held, evs...)
				}
				if len(held) == 0 {
					b.Fatalf("nothing claimable after %d", done)
				}
				n := min(16, len(held))
				ds := make([]im.Delivery, n)
				for i, ev := range held[:n] {
					ds[i] = im.Delivery{ID: ev.ID, Status: 200, At: now, NextAt: now, NextUntil: now.Add(time.Minute), Refill: refill}
				}
				next, err := db.MarkDelivered(ctx, "bench", ds...)
				if err != nil {
					b.Fatal(err)
				}
				held = append(held[n:], next...)
				done += n
			}
			// The wall time is mostly fsync on a slow disk; the CPU spent
			// is what a change to the statements moves.
			b.ReportMetric(float64((processCPU(b)-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
		})
	}
}

// processCPU is the CPU time (user and system) the process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
