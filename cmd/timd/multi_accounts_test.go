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
		maxErrors = 10  // reported; the workers stop at the first
		notFound  = im.CodeAccountNotFound
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
	ctx := context.Background()

	// fail reports err from any goroutine, at most maxErrors times.
	var nerr atomic.Int32
	fail := func(err error) {
		if nerr.Add(1) <= maxErrors {
			t.Error(err)
		}
	}
	// run runs fn(instance, worker) in n workers per instance, started
	// together, and waits for them.
	run := func(n int, fn func(a *adminClient, ai, w int)) {
		start := make(chan struct{})
		var wg sync.WaitGroup
		for ai, a := range inst {
			for w := range n {
				wg.Go(func() {
					<-start
					fn(a, ai, w)
				})
			}
		}
		close(start)
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
	}

	// Phase 1: the hammer.
	writes := &writeLog{nicks: map[string]map[string]bool{}, imports: map[string]int{}, deletes: map[string]int{}}
	var nImport, nMulti, nDelete, nCheck atomic.Int64
	began := time.Now()
	deadline := began.Add(hammerFor)
	run(workers, func(a *adminClient, ai, w int) {
		for i := 0; i < maxOps && time.Now().Before(deadline) && nerr.Load() == 0; i++ {
			switch op := rand.IntN(10); {
			case op < 3:
				id, nick := ids[rand.IntN(accounts)], fmt.Sprintf("n-%s-%d-%d", a.name, w, i)
				writes.imported(id, nick)
				nImport.Add(1)
				if err := a.importOne(id, nick); err != nil {
					fail(err)
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
				nMulti.Add(1)
				if err := a.multiImport(old, nicks); err != nil {
					fail(err)
				}
			case op < 7:
				del := pick(ids, 1+rand.IntN(3))
				nDelete.Add(1)
				codes, err := a.delete(del)
				if err != nil {
					fail(err)
					continue
				}
				for j, c := range codes {
					if c == 0 {
						writes.deleted(del[j])
					}
				}
			default:
				nCheck.Add(1)
				if _, err := a.check(pick(ids, 1+rand.IntN(10))); err != nil {
					fail(err)
				}
			}
		}
	})
	t.Logf("phase 1: %d account_import, %d multiaccount_import, %d account_delete, %d account_check in %v; slowest call A %v, B %v",
		nImport.Load(), nMulti.Load(), nDelete.Load(), nCheck.Load(), time.Since(began).Round(time.Millisecond),
		inst[0].takeSlowest(), inst[1].takeSlowest())

	// Which accounts exist now, as both instances and the store see them,
	// each with a nick that was written, whole.
	existed := inst[0].mustCheck(t, ids)
	if other := inst[1].mustCheck(t, ids); !slices.Equal(existed, other) {
		t.Fatalf("after phase 1 the instances disagree on which accounts exist:\nA %v\nB %v", existed, other)
	}
	nExisted := 0
	for i, id := range ids {
		acc, err := inst[i%2].m.Store.FindAccount(ctx, appID, id)
		if !existed[i] {
			if im.ErrorCode(err) != notFound {
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
	t.Logf("after phase 1: %d of %d accounts exist", nExisted, accounts)

	// Phase 2: both instances delete every account, each in its own random
	// order, in batches of 1 to 3, from 4 workers each.
	const phaseWorkers = 4
	var (
		mu      sync.Mutex
		results = map[string][]int{} // id -> ResultCode from A and B, in reply order
	)
	orders := [][]string{pick(ids, accounts), pick(ids, accounts)}
	began = time.Now()
	run(phaseWorkers, func(a *adminClient, ai, w int) {
		var mine []string
		for i := w; i < accounts; i += phaseWorkers {
			mine = append(mine, orders[ai][i])
		}
		for len(mine) > 0 && nerr.Load() == 0 {
			batch := mine[:min(len(mine), 1+rand.IntN(3))]
			mine = mine[len(batch):]
			codes, err := a.delete(batch)
			if err != nil {
				fail(err)
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
	if gone := inst[1].mustCheck(t, ids); slices.Contains(gone, true) {
		t.Errorf("after phase 2 accounts are still imported: %v", gone)
	}
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("phase 2: %d accounts deleted exactly once, %d absent twice, in %v; slowest call A %v, B %v",
		nExisted, accounts-nExisted, time.Since(began).Round(time.Millisecond), inst[0].takeSlowest(), inst[1].takeSlowest())

	// Phase 3: both instances import every account, each in its own random
	// order, from 4 workers each; both then see every account.
	orders = [][]string{pick(ids, accounts), pick(ids, accounts)}
	began = time.Now()
	run(phaseWorkers, func(a *adminClient, ai, w int) {
		for i := w; i < accounts && nerr.Load() == 0; i += phaseWorkers {
			id := orders[ai][i]
			if err := a.importOne(id, "p3-"+a.name+"-"+id); err != nil {
				fail(err)
			}
		}
	})
	for _, a := range inst {
		if imported := a.mustCheck(t, ids); slices.Contains(imported, false) {
			t.Errorf("%s: after phase 3 not every account is imported: %v", a.name, imported)
		}
	}
	for _, id := range ids {
		acc, err := inst[0].m.Store.FindAccount(ctx, appID, id)
		if err != nil || (acc.Nick != "p3-A-"+id && acc.Nick != "p3-B-"+id) {
			t.Errorf("%s after phase 3: %+v, %v; want the nick p3-A-%s or p3-B-%s", id, acc, err, id, id)
		}
	}
	t.Logf("phase 3: %d accounts imported by both instances in %v; slowest call A %v, B %v",
		accounts, time.Since(began).Round(time.Millisecond), inst[0].takeSlowest(), inst[1].takeSlowest())
}
