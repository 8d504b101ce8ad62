package sqlstore_test

import (
	"context"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure seeded groups are real groups to every read and write: their
// members and owner read back, a seeded group can be dismissed, and seeding
// again changes nothing.
func TestSeed_GroupsReadAndDismiss(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := db.Close(); err != nil {
				t.Error(err)
			}
		}()
		spec := sqlstore.SeedSpec{App: 1400000001, Accounts: 40, Groups: 25, MembersPerGroup: 5}
		for range 2 {
			if err := db.Seed(ctx, spec, nil); err != nil {
				t.Fatal(err)
			}
		}
		gs, ms, err := db.FindGroups(ctx, spec.App, []string{"seed-0", "seed-24", "seed-25"}, true)
		if err != nil {
			t.Fatal(err)
		}
		if len(gs) != 3 || gs[0] == nil || gs[1] == nil || gs[2] != nil {
			t.Fatalf("FindGroups: %+v", gs)
		}
		// seed-24's members are accounts 120..124 mod 40: seed_u0..seed_u4.
		g, m := gs[1], ms[1]
		if g.Owner != "seed_u0" || g.MemberNum != 5 || len(m) != 5 || m[0].UserID != "seed_u0" || m[0].Role != im.RoleOwner {
			t.Fatalf("seed-24: owner %q, %d members: %+v", g.Owner, g.MemberNum, m)
		}
		op := im.Op{App: &im.App{SDKAppID: spec.App}, Operator: "administrator"}
		if err := db.DestroyGroup(ctx, op, "seed-3"); err != nil {
			t.Fatal(err)
		}
		ok, err := db.CheckAccounts(ctx, spec.App, []string{"seed_u39", "seed_u40"})
		if err != nil {
			t.Fatal(err)
		}
		if !ok[0] || ok[1] {
			t.Fatalf("accounts: %v", ok)
		}
	})
}
