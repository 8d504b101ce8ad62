package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/timd/timd/internal/sqlstore"
)

// benchPreload fills the database of the timds bench starts before they
// start, so that the scenarios run against a store of a given size: the
// scale figures of docs/benchmarks.md (1,000,000 groups, 5,000,000
// memberships) compare them with an empty store.
type benchPreload struct {
	groups, members int
	appID           uint64
	key             string
}

func newBenchPreload(groups, members int) *benchPreload {
	var k [16]byte
	rand.Read(k[:])
	return &benchPreload{groups: groups, members: members, appID: 1400000099, key: hex.EncodeToString(k[:])}
}

// run seeds data: groups seed-0.. of p.members members each, drawn from
// accounts enough that each is in about 100 groups.
func (p *benchPreload) run(ctx context.Context, data string, logw io.Writer) (err error) {
	db, err := sqlstore.Open(ctx, data, sqlstore.Options{})
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	defer func() {
		if cerr := db.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("preload: close: %w", cerr)
		}
	}()
	spec := sqlstore.SeedSpec{App: p.appID, Groups: p.groups, MembersPerGroup: p.members,
		Accounts: max(p.members, p.groups*p.members/100)}
	start, last := time.Now(), time.Now()
	fmt.Fprintf(logw, "preloading %d groups of %d members (%d memberships, %d accounts)...\n",
		spec.Groups, spec.MembersPerGroup, spec.Groups*spec.MembersPerGroup, spec.Accounts)
	err = db.Seed(ctx, spec, func(done int) {
		if time.Since(last) > 10*time.Second {
			fmt.Fprintf(logw, "  %d groups after %s\n", done, time.Since(start).Round(time.Second))
			last = time.Now()
		}
	})
	if err != nil {
		return fmt.Errorf("preload: %w", err)
	}
	fmt.Fprintf(logw, "preloaded in %s\n", time.Since(start).Round(time.Second))
	return nil
}
