package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure a user follows at most im.MaxFollowing users (the next is its
// item's 32100, and following one already followed stays 0), and that
// account_delete ends the deleted account's follows both ways, recording
// no event.
func TestFollow_LimitAndAccountDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openWith(t, dsn, Options{})
		if err := db.ImportAccounts(ctx, convApp, []im.AccountImport{{UserID: "alice"}, {UserID: "bob"}, {UserID: "carol"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.w.ExecContext(ctx, `WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < $2)
			INSERT INTO follows (app_id, user_id, follow_id, follow_time) SELECT $1, 'alice', 'u' || CAST(x AS TEXT), 1 FROM c`,
			convApp, im.MaxFollowing-1); err != nil {
			t.Fatal(err)
		}
		op := im.Op{App: &im.App{SDKAppID: convApp}, Operator: "administrator"}
		res, err := db.FollowAdd(ctx, op, "alice", []string{"bob", "carol", "bob"})
		codes := []int{}
		for _, r := range res {
			codes = append(codes, r.Code)
		}
		if err != nil || !slices.Equal(codes, []int{0, im.CodeFollowTooMany, 0}) {
			t.Fatalf("FollowAdd at the limit: %+v %v", res, err)
		}
		if _, err := db.FollowAdd(ctx, op, "bob", []string{"alice", "carol"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FollowAdd(ctx, op, "carol", []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeleteAccounts(ctx, convApp, []string{"bob"}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM follows WHERE user_id = 'bob' OR follow_id = 'bob'"); n != 0 {
			t.Errorf("%d follows of or by a deleted account", n)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM follows WHERE user_id = 'alice'"); n != im.MaxFollowing-1 {
			t.Errorf("alice follows %d, want the %d others", n, im.MaxFollowing-1)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM events"); n != 0 {
			t.Errorf("%d events for an app without a callback URL", n)
		}
	})
}
