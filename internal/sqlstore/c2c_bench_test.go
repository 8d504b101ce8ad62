package sqlstore

import (
	"context"
	"fmt"
	"os"
	"sync/atomic"
	"testing"

	"github.com/timd/timd/internal/im"
)

// These benchmarks show that sendmsg and an admin_getroammsg page cost the
// same whatever the number of stored messages: a page is one range of
// c2c_msgs_conv stopped by LIMIT.
//
//	go test ./internal/sqlstore/ -run XXX -bench C2C -benchtime 200x
//
// TIMD_BENCH_LARGE=1 adds a conversation of 1,000,000 messages;
// TIMD_BENCH_POSTGRES=1 with TIMD_TEST_POSTGRES_DSN runs them on PostgreSQL.

// fillC2C stores n messages between a and b, four a second, with one SQL
// statement (a recursive CTE works on both databases).
func fillC2C(tb testing.TB, db *DB, a, b string, n int) {
	tb.Helper()
	lo, hi := peerPair(a, b)
	_, err := db.w.ExecContext(context.Background(), `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $4)
		INSERT INTO c2c_msgs (app_id, peer_lo, peer_hi, from_user, to_user, msg_seq, msg_random, msg_time, body, content_crc, created_at, expires_at)
		SELECT $1, $2, $3, $2, $3, x, x, 1600000000 + x / 4, '[{"MsgType":"TIMTextElem","MsgContent":{"Text":"benchmark"}}]', x, 0, 9000000000000000 FROM c`,
		benchApp, lo, hi, n)
	if err != nil {
		tb.Fatal(err)
	}
}

// c2cSizes are the conversation sizes benchmarked (each benchmark's store
// holds two conversations of the size). TIMD_BENCH_LARGE adds 500,000 and
// 5,000,000: up to 10,000,000 stored messages, the top of issue #19's
// "flat from 10k to 10M", which takes minutes to write.
func c2cSizes() []int {
	sizes := []int{10_000, 100_000}
	if os.Getenv("TIMD_BENCH_LARGE") != "" {
		sizes = append(sizes, 500_000, 5_000_000)
	}
	return sizes
}

// c2cBenchDB is benchDB with a conversation of n messages between alice and
// bob and another of n between carol and dave.
func c2cBenchDB(b *testing.B, n int) *DB {
	db := benchDB(b, 0)
	if err := db.EnsureAccounts(context.Background(), benchApp, []string{"alice", "bob", "carol", "dave"}); err != nil {
		b.Fatal(err)
	}
	fillC2C(b, db, "alice", "bob", n)
	fillC2C(b, db, "carol", "dave", n)
	return db
}

func BenchmarkC2CSend(b *testing.B) {
	for _, n := range c2cSizes() {
		b.Run(fmt.Sprintf("stored=%d", 2*n), func(b *testing.B) {
			db := c2cBenchDB(b, n)
			op := im.Op{App: &im.App{SDKAppID: benchApp, Callback: im.CallbackConfig{URL: "http://127.0.0.1:1/cb"}}}
			body := im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]`)
			ctx := context.Background()
			b.ResetTimer()
			for i := range b.N {
				m := im.C2CMsg{From: "alice", To: "bob", Seq: uint32(i), Random: uint32(i), Body: body,
					CRC: uint32(i), LifeTime: im.MaxMsgLifeTime, After: true}
				if _, err := db.SendC2C(ctx, op, m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkC2CRoamPage reads a page of 20 at the newest end of the
// conversation and one continued from its middle.
func BenchmarkC2CRoamPage(b *testing.B) {
	for _, n := range c2cSizes() {
		db := c2cBenchDB(b, n)
		mid := int64(1600000000 + n/8)
		for _, tc := range []struct {
			name string
			q    im.RoamQuery
		}{
			{"newest", im.RoamQuery{Operator: "bob", Peer: "alice", MaxCnt: 20, MaxTime: 2000000000}},
			{"middle", im.RoamQuery{Operator: "bob", Peer: "alice", MaxCnt: 20, MaxTime: mid,
				After: true, AfterSeq: uint32(n / 2), AfterRnd: uint32(n / 2), AfterTime: mid}},
		} {
			b.Run(fmt.Sprintf("stored=%d/%s", 2*n, tc.name), func(b *testing.B) {
				ctx := context.Background()
				for range b.N {
					page, err := db.RoamC2C(ctx, benchApp, tc.q)
					if err != nil || len(page.Msgs) != 21 {
						b.Fatalf("%d messages, %v", len(page.Msgs), err)
					}
				}
			})
		}
	}
}

// BenchmarkC2CSendConcurrent is timd-bench's sendmsg scenario at the store:
// 32 senders at once, each to the same recipient (SyncOtherMachine 2, no
// callback), so that the SQLite writer batches them as under load. Its
// ns/op is the writer's time per message, which bounds sendmsg.
func BenchmarkC2CSendConcurrent(b *testing.B) {
	db := benchDB(b, 0)
	ctx := context.Background()
	ids := []string{"owner"}
	for k := range 32 {
		ids = append(ids, fmt.Sprintf("u%d", k))
	}
	if err := db.EnsureAccounts(ctx, benchApp, ids); err != nil {
		b.Fatal(err)
	}
	op := im.Op{App: &im.App{SDKAppID: benchApp}}
	body := im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello from timd-bench"}}]`)
	var next atomic.Uint32
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := next.Add(1)
		from := fmt.Sprintf("u%d", w%32)
		for i := uint32(0); pb.Next(); i++ {
			m := im.C2CMsg{From: from, To: "owner", Seq: i, Random: w<<20 | i, Body: body,
				CRC: i, LifeTime: im.MaxMsgLifeTime, HideFrom: true}
			if _, err := db.SendC2C(ctx, op, m); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
