package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure a message holds at most MaxExtKeysPerMsg pairs with a value (a
// set past them is 90010 and changes nothing, while a deleted pair frees
// its place), and that the purge deletes a message's extension rows and
// pairs once the message expires, of one-to-one and group messages alike.
func TestMsgExts_LimitAndPurge(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, clock := openClocked(t, dsn, time.Hour)
		op := im.Op{App: &im.App{SDKAppID: convApp}, Operator: "administrator"}
		sent, err := db.SendC2C(ctx, op, im.C2CMsg{From: "alice", To: "bob", Seq: 1, Random: 1, Body: im.MsgBody(`[]`), LifeTime: 60, Ext: true})
		if err != nil {
			t.Fatal(err)
		}
		ref := im.MsgExtRef{From: "alice", To: "bob", MsgKey: sent.Key}
		set := func(what string, operation int, code int, keys ...string) {
			t.Helper()
			exts := make([]im.MsgExt, len(keys))
			for i, k := range keys {
				exts[i] = im.MsgExt{Key: k, Value: "v"}
			}
			_, _, err := db.SetMsgExts(ctx, op, ref, operation, exts)
			if got := im.ErrorCode(err); got != code {
				t.Fatalf("%s: code %d (%v), want %d", what, got, err, code)
			}
		}
		for i := range im.MaxExtKeysPerMsg / 20 {
			keys := make([]string, 20)
			for j := range keys {
				keys[j] = fmt.Sprint("k", i*20+j)
			}
			set(fmt.Sprint("batch ", i), im.ExtSet, 0, keys...)
		}
		set("one past the limit", im.ExtSet, im.CodeMsgInvalid, "new")
		set("an existing key", im.ExtSet, 0, "k0")
		set("delete one", im.ExtDelete, 0, "k1")
		set("its place taken", im.ExtSet, 0, "new")
		page, err := db.MsgExts(ctx, convApp, ref, 0)
		if err != nil || page.Complete || len(page.Exts) != im.MaxExtPerPull || page.Latest != 18 {
			t.Fatalf("first page: %d pairs, complete %v, latest %d (%v)", len(page.Exts), page.Complete, page.Latest, err)
		}
		g, err := db.SendGroupMsg(ctx, op, "G", im.NewGroupMsg{From: "bob", AsMember: true, Random: 2, Priority: im.PriorityNormal, Body: im.MsgBody(`[]`), Ext: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SetMsgExts(ctx, op, im.MsgExtRef{GroupID: "G", MsgSeq: g.Seq}, im.ExtSet, []im.MsgExt{{Key: "k", Value: "v"}}); err != nil {
			t.Fatal(err)
		}
		clock.advance(im.GroupMsgLifeTime*time.Second + time.Minute)
		for range 3 {
			if _, err := db.purgeOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for _, table := range []string{"c2c_msg_exts", "c2c_msg_ext_kvs", "group_msg_exts", "group_msg_ext_kvs"} {
			if n := count(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
				t.Errorf("%s: %d rows left after the messages expired", table, n)
			}
		}
	})
}
