package sqlstore_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// BenchmarkGroupMsgs_Page reads the latest page of 20 of a group, and a
// page deep in its history, with the table holding 10,000 and 1,000,000
// messages, and 10,000,000 with TIMD_BENCH_LARGE set (the group half of
// them, another group the rest): one range of the primary key, so the time
// per page stays flat as the table grows.
func BenchmarkGroupMsgs_Page(b *testing.B) {
	totals := []int{10_000, 1_000_000}
	if os.Getenv("TIMD_BENCH_LARGE") != "" {
		totals = append(totals, 10_000_000)
	}
	for _, total := range totals {
		b.Run(strconv.Itoa(total), func(b *testing.B) {
			ctx := context.Background()
			c := &clock{t: time.Unix(1767323045, 0)}
			db := openMsgDB(b, dbtest.SQLiteDSN(b), c)
			if _, err := db.CreateGroup(ctx, quiet, newGroup("Other", im.GroupPublic, "alice")); err != nil {
				b.Fatal(err)
			}
			half := total / 2
			for _, g := range []string{"G", "Other"} {
				if err := db.ExecForTest(ctx, `INSERT INTO group_msgs (app_id, group_seq, msg_seq, from_user, random, msg_time, priority, body, created_at, expires_at)
					SELECT app_id, seq, n, 'alice', n, 1767323045, 2, '[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hello"}}]', 0, 9000000000000 FROM im_groups,
						(WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $1) SELECT n FROM s) AS nums
					WHERE group_id = $2`, half, g); err != nil {
					b.Fatal(err)
				}
				if err := db.ExecForTest(ctx, "UPDATE im_groups SET next_msg_seq = $1 WHERE group_id = $2", half+1, g); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				upTo := int64(0)
				if i%2 == 1 {
					upTo = int64(half / 2)
				}
				msgs, _, err := db.GroupMsgs(ctx, gapp, "G", upTo, im.MaxGroupMsgPage, false)
				if err != nil || len(msgs) != im.MaxGroupMsgPage || msgs[0].Place {
					b.Fatalf("%d messages, %v", len(msgs), err)
				}
			}
		})
	}
}
