package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

func ptr[T any](v T) *T { return &v }

// Ensure import creates, re-import updates only given fields, delete and
// check see the result.
func TestAccountService(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		const app = 1400000001

		if err := db.ImportAccounts(ctx, app, []im.AccountImport{
			{UserID: "alice", Nick: ptr("Alice"), FaceURL: ptr("http://a/face.png")},
			{UserID: "bob"},
		}); err != nil {
			t.Fatal(err)
		}
		// Re-import with only Nick keeps FaceUrl; another app is separate.
		if err := db.ImportAccounts(ctx, app, []im.AccountImport{{UserID: "alice", Nick: ptr("Al")}}); err != nil {
			t.Fatal(err)
		}
		if err := db.ImportAccounts(ctx, app+1, []im.AccountImport{{UserID: "carol"}}); err != nil {
			t.Fatal(err)
		}
		got, err := db.CheckAccounts(ctx, app, []string{"alice", "bob", "carol", "alice"})
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, true, false, true}; !slices.Equal(got, want) {
			t.Fatalf("check = %v, want %v", got, want)
		}
		acct, err := db.FindAccount(ctx, app, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if acct.Nick != "Al" || acct.FaceURL != "http://a/face.png" {
			t.Fatalf("alice = %+v", acct)
		}

		existed, err := db.DeleteAccounts(ctx, app, []string{"bob", "nobody", "bob"})
		if err != nil {
			t.Fatal(err)
		}
		if want := []bool{true, false, false}; !slices.Equal(existed, want) {
			t.Fatalf("delete = %v, want %v", existed, want)
		}
		got, _ = db.CheckAccounts(ctx, app, []string{"bob"})
		if got[0] {
			t.Fatal("bob still imported")
		}
		if _, err := db.FindAccount(ctx, app, "bob"); im.ErrorCode(err) != im.CodeAccountNotFound {
			t.Fatalf("find deleted: %v", err)
		}
	})
}

// Ensure the development app is created once and then reused.
func TestAppService_DevApp(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := MustOpenDB(t, dsn)
		id, key, created, err := db.DevApp(ctx, func() (uint64, string) { return 1400000042, "k1" })
		if err != nil || !created || id != 1400000042 || key != "k1" {
			t.Fatalf("first: %d %q %v %v", id, key, created, err)
		}
		id, key, created, err = db.DevApp(ctx, func() (uint64, string) { return 1400000043, "k2" })
		if err != nil || created || id != 1400000042 || key != "k1" {
			t.Fatalf("second: %d %q %v %v", id, key, created, err)
		}
	})
}
