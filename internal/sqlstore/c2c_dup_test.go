package sqlstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Identical messages sent at once are stored once, however their writes
// interleave: on PostgreSQL, transactions run in parallel and neither
// would see the other's uncommitted row without takeTurns (this test
// stored two copies in the second round before it). Each round sends one
// message from 16 goroutines and a second, like it but for its content,
// which is another message.
func TestC2C_ConcurrentDuplicatesStoredOnce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clock := clockAt(time.Unix(1_700_000_000, 0))
		db := openC2C(t, dsn, clock, "a", "b")
		ctx := context.Background()
		const rounds, copies = 20, 16
		for round := range uint32(rounds) {
			m := c2cMsg("a", "b", 1000+round)
			other := m
			other.CRC++
			var wg sync.WaitGroup
			sent := make([]im.C2CSent, copies+1)
			errs := make([]error, copies+1)
			for i := range copies + 1 {
				wg.Go(func() {
					msg := m
					if i == copies {
						msg = other
					}
					sent[i], errs[i] = db.SendC2C(ctx, c2cOp, msg)
				})
			}
			wg.Wait()
			fresh := 0
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d send %d: %v", round, i, err)
				}
				if i < copies && !sent[i].Dup {
					fresh++
				}
				if i < copies && sent[i].Key != sent[0].Key {
					t.Fatalf("round %d: copy %d has MsgKey %s, copy 0 %s", round, i, sent[i].Key, sent[0].Key)
				}
			}
			if fresh != 1 || sent[copies].Dup {
				t.Fatalf("round %d: %d copies stored, other content dup=%v; want 1 and false", round, fresh, sent[copies].Dup)
			}
			var n int
			if err := db.r.QueryRow("SELECT COUNT(*) FROM c2c_msgs WHERE msg_seq = $1", int64(m.Seq)).Scan(&n); err != nil || n != 2 {
				t.Fatalf("round %d: %d rows with MsgSeq %d (%v), want 2", round, n, m.Seq, err)
			}
		}
	})
}

// The same message imported at once, by both of its accounts' sides, is
// stored once (importmsg: the first import stands); on PostgreSQL this
// needs takeTurns as sendmsg does.
func TestC2C_ConcurrentImportsStoredOnce(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clock := clockAt(time.Unix(1_700_000_000, 0))
		db := openC2C(t, dsn, clock, "a", "b")
		ctx := context.Background()
		body := im.MsgBody(`[{"MsgType":"TIMTextElem","MsgContent":{"Text":"t"}}]`)
		for round := range uint32(20) {
			m := im.C2CImport{From: "a", To: "b", Seq: 500 + round, Random: 7, Time: clock.now().Unix() - 60, Body: body}
			var wg sync.WaitGroup
			errs := make([]error, 16)
			for i := range errs {
				wg.Go(func() { errs[i] = db.ImportC2C(ctx, c2cApp, m) })
			}
			wg.Wait()
			for i, err := range errs {
				if err != nil {
					t.Fatalf("round %d import %d: %v", round, i, err)
				}
			}
			var n int
			if err := db.r.QueryRow("SELECT COUNT(*) FROM c2c_msgs WHERE msg_seq = $1", int64(m.Seq)).Scan(&n); err != nil || n != 1 {
				t.Fatalf("round %d: %d rows with MsgSeq %d (%v), want 1", round, n, m.Seq, err)
			}
		}
	})
}
