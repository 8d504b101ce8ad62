package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure account_delete racing group creates, member adds and owner changes
// never leaves a deleted account in a group, as member or as owner, and
// keeps every group's member count equal to its member rows, on every
// database. On PostgreSQL the calls run in parallel over two stores sharing
// the database, as two instances would.
func TestAccountDelete_RacesGroupWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		stores := []*sqlstore.DB{openGroupDB(t, dsn, "keeper")}
		if !strings.HasSuffix(dsn, ".db") {
			stores = append(stores, MustOpenDB(t, dsn))
		}
		const rounds = 25
		race := &accountRace{stores: stores, counts: map[string]int{}}
		for r := range rounds {
			race.round(t, ctx, r)
		}

		// The only answers: done, an account already gone (10019), the new
		// owner not (or no longer) a member (10004).
		for k := range race.counts {
			if !strings.HasSuffix(k, " 0") && !strings.HasSuffix(k, " 10019") && k != "owner 10004" {
				t.Errorf("unexpected outcome %q: %v", k, race.counts)
			}
		}
		if bad := brokenGroupInvariants(t, ctx, stores[0], race.groups); len(bad) > 0 {
			t.Errorf("%d broken invariants after %d rounds:\n%s", len(bad), rounds, strings.Join(bad, "\n"))
		}
		t.Logf("outcomes %v", race.counts)
	})
}

// accountRace is the state of TestAccountDelete_RacesGroupWrites across its
// rounds: the groups created and how often each call ended with each code.
type accountRace struct {
	stores []*sqlstore.DB
	mu     sync.Mutex
	groups []string
	counts map[string]int // "call code" → calls
}

// round creates six accounts and a group holding three of them, then for
// each account at once deletes it, adds it to the group, makes it the
// owner of the group and of a new group.
func (a *accountRace) round(t *testing.T, ctx context.Context, r int) {
	const victims = 6
	stores := a.stores
	vs := make([]string, victims)
	var accts []im.AccountImport
	for i := range vs {
		vs[i] = fmt.Sprintf("r%dv%d", r, i)
		accts = append(accts, im.AccountImport{UserID: vs[i]})
	}
	if err := stores[0].ImportAccounts(ctx, gapp, accts); err != nil {
		t.Fatal(err)
	}
	g := fmt.Sprintf("R%d", r)
	mustCreate(t, stores[0], quiet, newGroup(g, im.GroupPublic, "keeper", vs[0], vs[1], vs[2]))
	a.groups = append(a.groups, g)

	start := make(chan struct{})
	var wg sync.WaitGroup
	call := func(i int, name string, f func(db *sqlstore.DB) error) {
		wg.Go(func() {
			<-start
			code := im.ErrorCode(f(stores[i%len(stores)]))
			a.mu.Lock()
			a.counts[fmt.Sprintf("%s %d", name, code)]++
			a.mu.Unlock()
		})
	}
	for i, v := range vs {
		next, other := vs[(i+1)%victims], vs[(i+2)%victims]
		created := fmt.Sprintf("R%dC%d", r, i)
		call(i, "delete", func(db *sqlstore.DB) error {
			_, err := db.DeleteAccounts(ctx, gapp, []string{v})
			return err
		})
		call(i+1, "add", func(db *sqlstore.DB) error {
			_, err := db.AddMembers(ctx, quiet, g, []string{next, v})
			return err
		})
		call(i, "create", func(db *sqlstore.DB) error {
			_, err := db.CreateGroup(ctx, quiet, newGroup(created, im.GroupPublic, v, next, other))
			return err
		})
		call(i+1, "owner", func(db *sqlstore.DB) error { return db.ChangeOwner(ctx, quiet, g, v) })
		a.mu.Lock()
		a.groups = append(a.groups, created)
		a.mu.Unlock()
	}
	close(start)
	wg.Wait()
}

// brokenGroupInvariants describes each way the groups that exist break
// the invariants: an Owner member who is not the group's owner, a member
// count other than the member rows, an owner without exactly one Owner
// member, a deleted account still member or owner.
func brokenGroupInvariants(t *testing.T, ctx context.Context, db *sqlstore.DB, groups []string) []string {
	found, members, err := db.FindGroups(ctx, gapp, groups, true)
	if err != nil {
		t.Fatal(err)
	}
	var bad []string
	for i, g := range found {
		if g == nil {
			continue // its create failed with 10019
		}
		ids := []string{}
		owners := 0
		for _, m := range members[i] {
			ids = append(ids, m.UserID)
			if m.Role == im.RoleOwner {
				owners++
				if m.UserID != g.Owner {
					bad = append(bad, fmt.Sprintf("%s: member %s is Owner, the group's owner is %q", g.GroupID, m.UserID, g.Owner))
				}
			}
		}
		if g.MemberNum != len(members[i]) {
			bad = append(bad, fmt.Sprintf("%s: MemberNum %d, %d member rows", g.GroupID, g.MemberNum, len(members[i])))
		}
		if g.Owner != "" {
			ids = append(ids, g.Owner)
			if owners != 1 {
				bad = append(bad, fmt.Sprintf("%s: owner %s, %d Owner members", g.GroupID, g.Owner, owners))
			}
		}
		exist, err := db.CheckAccounts(ctx, gapp, ids)
		if err != nil {
			t.Fatal(err)
		}
		for j, ok := range exist {
			if !ok {
				bad = append(bad, fmt.Sprintf("%s: %s was deleted, still %s", g.GroupID, ids[j],
					map[bool]string{true: "the owner", false: "a member"}[j == len(members[i])]))
			}
		}
	}
	return bad
}
