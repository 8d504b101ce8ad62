package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// writeLog records, per account, every write the hammer sent (before
// sending, since a call that errors may still have been applied).
type writeLog struct {
	mu      sync.Mutex
	nicks   map[string]map[string]bool // nicks written; "" for an old-form (ids only) import
	imports map[string]int             // import calls that named the account
	deletes map[string]int             // deletes that answered ResultCode 0
}

func (l *writeLog) imported(id, nick string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.nicks[id] == nil {
		l.nicks[id] = map[string]bool{}
	}
	l.nicks[id][nick] = true
	l.imports[id]++
}

func (l *writeLog) deleted(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.deletes[id]++
}

// pick returns k distinct ids of ids, in random order.
func pick(ids []string, k int) []string {
	out := make([]string, k)
	for i, j := range rand.Perm(len(ids))[:k] {
		out[i] = ids[j]
	}
	return out
}

// Ensure two instances on one PostgreSQL database keep accounts consistent
// under concurrent load:
//
//  1. 8 goroutines per instance run a random mix of account_import,
//     multiaccount_import (both forms), account_delete and account_check on
//     40 shared accounts; every call succeeds, every delete item is 0 or
//     70107, and every stored nick is one that was written, whole.
//  2. Both instances delete every account at once: each account that existed
//     is deleted exactly once (one ResultCode 0, one 70107), the others twice
//     70107.
//  3. Both instances import every account at once: both then see all of them.
func TestMulti_AccountsConcurrent(t *testing.T) {
	const (
		appID     = 1400000077
		accounts  = 40
		workers   = 8 // per instance
		hammerFor = 2 * time.Second
		maxOps    = 300 // per worker
	)
	key := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	env := map[string]string{
		"TIMD_DATA":       dbtest.PostgresDSN(t),
		"TIMD_SDKAPPID":   fmt.Sprint(appID),
		"TIMD_SECRET_KEY": key,
		"TIMD_RATE_LIMIT": "off",
		"TIMD_LOG_LEVEL":  "warn", // thousands of request lines would bury a failure
	}
	hc := newMultiClient(t)
	inst := []*adminClient{
		newAdminClient(t, "A", MustRunMain(t, env), hc, appID, key),
		newAdminClient(t, "B", MustRunMain(t, env), hc, appID, key),
	}
	ids := make([]string, accounts)
	for i := range ids {
		ids[i] = fmt.Sprintf("acct-%02d", i)
	}
	r := &accountsRun{t: t, inst: inst, app: appID, ids: ids,
		writes: &writeLog{nicks: map[string]map[string]bool{}, imports: map[string]int{}, deletes: map[string]int{}}}

	// Phase 1: the hammer.
	var n hammerCounts
	began := time.Now()
	deadline := began.Add(hammerFor)
	r.run(workers, func(a *adminClient, ai, w int) {
		for i := 0; i < maxOps && time.Now().Before(deadline) && r.nerr.Load() == 0; i++ {
			r.hammerOp(a, w, i, &n)
		}
	})
	t.Logf("phase 1: %d account_import, %d multiaccount_import, %d account_delete, %d account_check in %v; slowest call A %v, B %v",
		n.imports.Load(), n.multis.Load(), n.deletes.Load(), n.checks.Load(), time.Since(began).Round(time.Millisecond),
		inst[0].takeSlowest(), inst[1].takeSlowest())

	// Which accounts exist now, as both instances and the store see them,
	// each with a nick that was written, whole.
	existed, nExisted := r.checkAfterHammer()
	t.Logf("after phase 1: %d of %d accounts exist", nExisted, accounts)

	// Phase 2: both instances delete every account, each in its own random
	// order, in batches of 1 to 3, from 4 workers each.
	began = time.Now()
	r.deleteAllFromBoth(existed)
	t.Logf("phase 2: %d accounts deleted exactly once, %d absent twice, in %v; slowest call A %v, B %v",
		nExisted, accounts-nExisted, time.Since(began).Round(time.Millisecond), inst[0].takeSlowest(), inst[1].takeSlowest())

	// Phase 3: both instances import every account, each in its own random
	// order, from 4 workers each; both then see every account.
	began = time.Now()
	r.importAllFromBoth()
	t.Logf("phase 3: %d accounts imported by both instances in %v; slowest call A %v, B %v",
		accounts, time.Since(began).Round(time.Millisecond), inst[0].takeSlowest(), inst[1].takeSlowest())
}

// accountsRun is TestMulti_AccountsConcurrent's two instances, its
// accounts, and what its workers wrote and failed.
type accountsRun struct {
	t      *testing.T
	inst   []*adminClient
	app    uint64
	ids    []string
	writes *writeLog
	nerr   atomic.Int32
}

// accountsPhaseWorkers is the number of workers per instance of phases 2
// and 3.
const accountsPhaseWorkers = 4

// fail reports err from any goroutine, at most 10 times; the workers stop
// at the first.
func (r *accountsRun) fail(err error) {
	const maxErrors = 10
	if r.nerr.Add(1) <= maxErrors {
		r.t.Error(err)
	}
}

// run runs fn(instance, worker) in n workers per instance, started
// together, and waits for them.
func (r *accountsRun) run(n int, fn func(a *adminClient, ai, w int)) {
	start := make(chan struct{})
	var wg sync.WaitGroup
	for ai, a := range r.inst {
		for w := range n {
			wg.Go(func() {
				<-start
				fn(a, ai, w)
			})
		}
	}
	close(start)
	wg.Wait()
	if r.t.Failed() {
		r.t.FailNow()
	}
}

// hammerCounts counts the calls of the hammer.
type hammerCounts struct{ imports, multis, deletes, checks atomic.Int64 }

// hammerOp is call i of worker w on a: account_import 3 times in 10,
// multiaccount_import 2 in 10, account_delete 2 in 10, account_check the
// rest, on random accounts.
func (r *accountsRun) hammerOp(a *adminClient, w, i int, n *hammerCounts) {
	ids, writes := r.ids, r.writes
	switch op := rand.IntN(10); {
	case op < 3:
		id, nick := ids[rand.IntN(len(ids))], fmt.Sprintf("n-%s-%d-%d", a.name, w, i)
		writes.imported(id, nick)
		n.imports.Add(1)
		if err := a.importOne(id, nick); err != nil {
			r.fail(err)
		}
	case op < 5:
		var old []string
		nicks := map[string]string{}
		for j, id := range pick(ids, 1+rand.IntN(5)) {
			if rand.IntN(2) == 0 {
				old = append(old, id)
				writes.imported(id, "")
			} else {
				nicks[id] = fmt.Sprintf("m-%s-%d-%d-%d", a.name, w, i, j)
				writes.imported(id, nicks[id])
			}
		}
		n.multis.Add(1)
		if err := a.multiImport(old, nicks); err != nil {
			r.fail(err)
		}
	case op < 7:
		del := pick(ids, 1+rand.IntN(3))
		n.deletes.Add(1)
		codes, err := a.delete(del)
		if err != nil {
			r.fail(err)
			return
		}
		for j, c := range codes {
			if c == 0 {
				writes.deleted(del[j])
			}
		}
	default:
		n.checks.Add(1)
		if _, err := a.check(pick(ids, 1+rand.IntN(10))); err != nil {
			r.fail(err)
		}
	}
}

// checkAfterHammer checks both instances and the store agree on which
// accounts exist, each with a nick that was written, whole, and with no
// more successful deletes than imports; it returns which exist and how
// many.
func (r *accountsRun) checkAfterHammer() (existed []bool, nExisted int) {
	t, writes := r.t, r.writes
	existed = r.inst[0].mustCheck(t, r.ids)
	if other := r.inst[1].mustCheck(t, r.ids); !slices.Equal(existed, other) {
		t.Fatalf("after phase 1 the instances disagree on which accounts exist:\nA %v\nB %v", existed, other)
	}
	for i, id := range r.ids {
		acc, err := r.inst[i%2].m.Store.FindAccount(context.Background(), r.app, id)
		if !existed[i] {
			if im.ErrorCode(err) != im.CodeAccountNotFound {
				t.Errorf("%s is NotImported but the store finds %+v, %v", id, acc, err)
			}
			if writes.deletes[id] > writes.imports[id] {
				t.Errorf("%s: %d deletes succeeded, more than the %d imports that named it", id, writes.deletes[id], writes.imports[id])
			}
			continue
		}
		nExisted++
		switch {
		case err != nil:
			t.Errorf("%s is Imported but the store fails to find it: %v", id, err)
		case !writes.nicks[id][acc.Nick]:
			t.Errorf("%s has nick %q, which no call wrote (written: %v)", id, acc.Nick, writes.nicks[id])
		}
		if writes.deletes[id] >= writes.imports[id] {
			t.Errorf("%s exists after %d successful deletes and only %d imports", id, writes.deletes[id], writes.imports[id])
		}
	}
	if t.Failed() {
		t.FailNow()
	}
	return existed, nExisted
}

// deleteAllFromBoth is phase 2: both instances delete every account at
// once. Each account that existed is deleted exactly once (one ResultCode
// 0, one 70107), the others twice 70107, and none is left.
func (r *accountsRun) deleteAllFromBoth(existed []bool) {
	const notFound = im.CodeAccountNotFound
	t, ids, accounts := r.t, r.ids, len(r.ids)
	var (
		mu      sync.Mutex
		results = map[string][]int{} // id -> ResultCode from A and B, in reply order
	)
	orders := [][]string{pick(ids, accounts), pick(ids, accounts)}
	r.run(accountsPhaseWorkers, func(a *adminClient, ai, w int) {
		var mine []string
		for i := w; i < accounts; i += accountsPhaseWorkers {
			mine = append(mine, orders[ai][i])
		}
		for len(mine) > 0 && r.nerr.Load() == 0 {
			batch := mine[:min(len(mine), 1+rand.IntN(3))]
			mine = mine[len(batch):]
			codes, err := a.delete(batch)
			if err != nil {
				r.fail(err)
				return
			}
			mu.Lock()
			for j, id := range batch {
				results[id] = append(results[id], codes[j])
			}
			mu.Unlock()
		}
	})
	for i, id := range ids {
		got := results[id]
		slices.Sort(got)
		want := []int{notFound, notFound}
		if existed[i] {
			want = []int{0, notFound}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s (existed: %v): the two deletes answered %v, want %v", id, existed[i], got, want)
		}
	}
	if gone := r.inst[1].mustCheck(t, ids); slices.Contains(gone, true) {
		t.Errorf("after phase 2 accounts are still imported: %v", gone)
	}
	if t.Failed() {
		t.FailNow()
	}
}

// importAllFromBoth is phase 3: both instances import every account at
// once; both then see every account, with the nick of one of the imports.
func (r *accountsRun) importAllFromBoth() {
	t, ids, accounts := r.t, r.ids, len(r.ids)
	orders := [][]string{pick(ids, accounts), pick(ids, accounts)}
	r.run(accountsPhaseWorkers, func(a *adminClient, ai, w int) {
		for i := w; i < accounts && r.nerr.Load() == 0; i += accountsPhaseWorkers {
			id := orders[ai][i]
			if err := a.importOne(id, "p3-"+a.name+"-"+id); err != nil {
				r.fail(err)
			}
		}
	})
	for _, a := range r.inst {
		if imported := a.mustCheck(t, ids); slices.Contains(imported, false) {
			t.Errorf("%s: after phase 3 not every account is imported: %v", a.name, imported)
		}
	}
	for _, id := range ids {
		acc, err := r.inst[0].m.Store.FindAccount(context.Background(), r.app, id)
		if err != nil || (acc.Nick != "p3-A-"+id && acc.Nick != "p3-B-"+id) {
			t.Errorf("%s after phase 3: %+v, %v; want the nick p3-A-%s or p3-B-%s", id, acc, err, id, id)
		}
	}
}
