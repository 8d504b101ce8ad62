package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure clear_group_msg's mark: all of the history or up to a MsgSeq,
// never past the latest message and never back; the messages still read by
// the admin; a Community refused (10007), an AVChatRoom given no mark, an
// unknown group 10010; a dismissal takes the mark away.
func TestClearGroupMsgs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openMsgDB(t, dsn, &clock{t: time.Unix(1_700_000_000, 0)})
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		mustCreate(t, db, quiet, newGroup("@TGS#_C", im.GroupCommunity, "alice"))
		// mark checks the marks: none, or one up to want[0].
		mark := func(want ...int) {
			t.Helper()
			n, upTo := countRows(t, db, "SELECT COUNT(*) FROM group_msg_clears"), countRows(t, db, "SELECT COALESCE(MAX(cleared_seq), 0) FROM group_msg_clears")
			if n != len(want) || (n == 1 && upTo != want[0]) {
				t.Fatalf("%d marks up to %d, want %v", n, upTo, want)
			}
		}
		clear := func(what, group string, upTo int64, code int) {
			t.Helper()
			wantCode(t, what, db.ClearGroupMsgs(ctx, quiet, group, upTo), code)
		}
		clear("no messages yet", "G", 0, 0)
		mark()
		for i := range 3 {
			if _, err := db.SendGroupMsg(ctx, quiet, "G", msg("bob", uint32(i+1), "m")); err != nil {
				t.Fatal(err)
			}
		}
		clear("up to 2", "G", 2, 0)
		mark(2)
		clear("back to 1", "G", 1, 0)
		mark(2)
		clear("past the latest", "G", 99, 0)
		mark(3)
		if got := history(t, db, "G", 0, 10, false); got != "3:bob:m 2:bob:m 1:bob:m" {
			t.Fatalf("the admin reads %q after the clear", got)
		}
		clear("Community", "@TGS#_C", 0, im.CodeGroupForbidden)
		clear("AVChatRoom", "Live", 0, 0)
		clear("unknown", "nosuch", 0, im.CodeGroupNotFound)
		mark(3)
		if err := db.DestroyGroup(ctx, quiet, "G"); err != nil {
			t.Fatal(err)
		}
		mark()
	})
}
