package main

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
)

// benchEnv is what scenarios share: the timd target for the untimed setup,
// a prefix unique to this run (so reruns against one server never collide on
// ids) and the run's settings.
type benchEnv struct {
	timd        *benchTarget
	prefix      string
	concurrency int
	duration    time.Duration
	setup       int     // groups pre-created for destroy_group; 0 = as many as 4×duration of creating allows (destroy is faster than create), or with rate what the schedule needs
	rate        float64 // --rate; 0: closed loop

	readIDs []string // the groups the read scenarios look up, once created
	pools   int      // destroy_group pools made so far: a scenario may be listed twice
}

// destroyPool is how many groups destroy_group creates before timing: n
// groups, or with n 0 as many as limit allows.
func (e *benchEnv) destroyPool() (n int, limit time.Duration) {
	switch {
	case e.setup > 0:
		return e.setup, 0
	case e.rate > 0:
		return int(math.Ceil(e.rate*e.duration.Seconds())) + e.concurrency, 0
	}
	return 0, 4 * e.duration
}

// benchScenario is one workload. ops builds the request generator; against
// timd (baseline false) it first runs the scenario's untimed setup and
// returns how many objects it made. cycle is how many requests a worker
// always completes together (an add and its delete).
type benchScenario struct {
	name  string
	cycle int
	ops   func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error)
}

// Accounts every scenario may name; benchUser(w) is worker w's own user, so
// per-user limits (32 friend lists, 20 conversation groups) never collide.
const benchOwner, benchMember1, benchMember2 = "bench_o", "bench_m1", "bench_m2"

func benchUser(w int) string { return fmt.Sprintf("bench_u%d", w) }

func groupOp(id string) benchOp {
	gid := ""
	if id != "" {
		gid = `"GroupId":"` + id + `",`
	}
	return benchOp{"group_open_http_svc", "create_group", []byte(`{` + gid + `"Owner_Account":"` + benchOwner +
		`","Type":"Public","Name":"bench","MemberList":[{"Member_Account":"` + benchMember1 + `"},{"Member_Account":"` + benchMember2 + `"}]}`)}
}

func destroyOp(id string) benchOp {
	return benchOp{"group_open_http_svc", "destroy_group", []byte(`{"GroupId":"` + id + `"}`)}
}

func infoOp(id string) benchOp {
	return benchOp{"group_open_http_svc", "get_group_info", []byte(`{"GroupIdList":["` + id + `"]}`)}
}

func importOp(id string) benchOp {
	return benchOp{"im_open_login_svc", "account_import", []byte(`{"UserID":"` + id + `"}`)}
}

// listOp adds (even i) or deletes (odd i) worker w's friend list.
func listOp(w, i int) benchOp {
	cmd := map[bool]string{true: "group_add", false: "group_delete"}[i%2 == 0]
	return benchOp{"sns", cmd, []byte(`{"From_Account":"` + benchUser(w) + `","GroupName":["bench"]}`)}
}

// contactOp creates (even i) or deletes (odd i) worker w's conversation group.
func contactOp(w, i int) benchOp {
	u := benchUser(w)
	if i%2 == 0 {
		return benchOp{"recentcontact", "create_contact_group", []byte(`{"From_Account":"` + u +
			`","GroupContactItem":[{"GroupName":"bench","ContactItem":[{"Type":1,"To_Account":"` + benchOwner + `"}]}]}`)}
	}
	return benchOp{"recentcontact", "del_contact_group", []byte(`{"From_Account":"` + u + `","GroupName":["bench"]}`)}
}

// createGroups makes groups with 2 members each, concurrency-parallel, until
// n exist (n > 0) or, with n == 0, until limit has passed. It returns the ids
// created; a failure stops it.
func createGroups(ctx context.Context, e *benchEnv, tag string, n int, limit time.Duration) ([]string, error) {
	var (
		mu       sync.Mutex
		ids      []string
		firstErr error
		next     atomic.Int64
		wg       sync.WaitGroup
	)
	deadline := time.Now().Add(limit)
	for range e.concurrency {
		wg.Go(func() {
			for ctx.Err() == nil {
				k := int(next.Add(1) - 1)
				if (n > 0 && k >= n) || (n == 0 && time.Now().After(deadline)) {
					return
				}
				id := fmt.Sprintf("%s-%s%d", e.prefix, tag, k)
				code, key := e.timd.call(ctx, groupOp(id))
				mu.Lock()
				if key != "" && firstErr == nil {
					firstErr = fmt.Errorf("setup create_group %s: %s (code %d)", id, key, code)
				}
				if key == "" {
					ids = append(ids, id)
				}
				mu.Unlock()
				if key != "" {
					return
				}
			}
		})
	}
	wg.Wait()
	return ids, firstErr
}

// readGroups is the setup of the read scenarios: 64 groups to look up,
// created by the first scenario that reads and shared with the next.
func readGroups(ctx context.Context, e *benchEnv, baseline bool) ([]string, error) {
	if baseline {
		return []string{e.prefix + "-r0"}, nil
	}
	if e.readIDs == nil {
		ids, err := createGroups(ctx, e, "r", 64, 0)
		if err != nil {
			return ids, err
		}
		e.readIDs = ids
	}
	return e.readIDs, nil
}

var benchScenarios = []benchScenario{
	{name: "destroy_group", cycle: 1, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		if baseline {
			return func(w, i int) (benchOp, bool) { return destroyOp(fmt.Sprintf("%s-x%d-%d", e.prefix, w, i)), true }, 0, nil
		}
		// Every destroy hits a distinct existing group: the pool is made
		// here, untimed; when it runs out the scenario stops (reported).
		n, limit := e.destroyPool()
		e.pools++
		ids, err := createGroups(ctx, e, fmt.Sprintf("d%d-", e.pools), n, limit)
		var next atomic.Int64
		return func(w, i int) (benchOp, bool) {
			k := int(next.Add(1) - 1)
			if k >= len(ids) {
				return benchOp{}, false
			}
			return destroyOp(ids[k]), true
		}, len(ids), err
	}},
	{name: "create_group", cycle: 1, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		return func(w, i int) (benchOp, bool) { return groupOp(""), true }, 0, nil
	}},
	{name: "get_group_info", cycle: 1, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		ids, err := readGroups(ctx, e, baseline)
		return func(w, i int) (benchOp, bool) { return infoOp(ids[(w+i)%len(ids)]), true }, len(ids), err
	}},
	{name: "account_import", cycle: 1, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		return func(w, i int) (benchOp, bool) { return importOp(fmt.Sprintf("%s-a%d-%d", e.prefix, w, i)), true }, 0, nil
	}},
	{name: "sns_group_add+delete", cycle: 2, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		return func(w, i int) (benchOp, bool) { return listOp(w, i), true }, 0, nil
	}},
	{name: "contact_group_create+del", cycle: 2, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		return func(w, i int) (benchOp, bool) { return contactOp(w, i), true }, 0, nil
	}},
	sendmsgScenario,
	roamScenario,
	// mix: per worker a cycle of 3 reads and 7 writes; the group it creates
	// is destroyed at the end of the same cycle.
	{name: "mix", cycle: 10, ops: func(ctx context.Context, e *benchEnv, baseline bool) (opFunc, int, error) {
		ids, err := readGroups(ctx, e, baseline)
		return func(w, i int) (benchOp, bool) {
			own := fmt.Sprintf("%s-m%d-%d", e.prefix, w, i/10)
			switch i % 10 {
			case 1:
				return groupOp(own), true
			case 3, 4:
				return listOp(w, i-3), true
			case 6, 7:
				return contactOp(w, i-6), true
			case 8:
				return importOp(fmt.Sprintf("%s-ma%d-%d", e.prefix, w, i/10)), true
			case 9:
				return destroyOp(own), true
			}
			return infoOp(ids[(w+i)%len(ids)]), true
		}, len(ids), err
	}},
}
