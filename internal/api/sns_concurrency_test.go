package api_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// snsReply is what the concurrency test reads of a reply.
type snsReply struct {
	ErrorCode       *int
	CurrentSequence int64
	Fail_Account    []string
}

// postSNS sends an sns command without failing the test, so goroutines may
// call it.
func postSNS(baseURL, query, command, body string) (snsReply, error) {
	var r snsReply
	resp, err := http.Post(baseURL+"/v4/sns/"+command+"?"+query, "application/json", strings.NewReader(body))
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.ErrorCode == nil {
		return r, fmt.Errorf("%s: reply without ErrorCode (HTTP %d): %v", command, resp.StatusCode, err)
	}
	return r, nil
}

// snsCall is one call of a concurrent round.
type snsCall struct{ command, body string }

// runWorkers runs the workers at once, spread over servers, each sending
// its calls in order, and returns their replies.
func runWorkers(t *testing.T, servers []string, workers [][]snsCall) [][]snsReply {
	t.Helper()
	query := AdminQuery(t)
	replies := make([][]snsReply, len(workers))
	errs := make([]error, len(workers))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, calls := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for j, c := range calls {
				// A worker's calls alternate between the servers.
				r, err := postSNS(servers[(i+j)%len(servers)], query, c.command, c.body)
				if err != nil {
					errs[i] = err
					return
				}
				replies[i] = append(replies[i], r)
			}
		}()
	}
	close(start)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	return replies
}

// listNamesOf returns the names of the user's lists, sorted.
func (h *Harness) listNamesOf(user string) []string {
	h.tb.Helper()
	var v struct{ ResultItem []struct{ GroupName string } }
	if err := json.Unmarshal([]byte(h.MustCall(0, sns, "group_get", `{"From_Account":`+jstr(user)+`}`).Raw), &v); err != nil {
		h.tb.Fatal(err)
	}
	var names []string
	for _, it := range v.ResultItem {
		names = append(names, it.GroupName)
	}
	slices.Sort(names)
	return names
}

// Ensure writes to one user's lists are serialised, never refused. Round
// one: 50 concurrent group_add/group_delete calls that each change the lists
// whatever the order (6 deletes of existing lists, 6 adds of new ones, and
// 19 workers each adding a list of its own and deleting it again, which
// never makes more than 32 lists): all succeed, CurrentSequence ends exactly
// 50 higher, each call answered a sequence of its own, and the lists are the
// existing ones minus the deleted plus the added. Round two: the 25
// adds of new names against 25 deletes of existing ones, where the 32-list
// limit fails some adds with 30011 in some orders: every other call changed
// the lists exactly once. On PostgreSQL the calls are spread over two
// servers sharing the database, as two instances would.
func TestSNS_ConcurrentListChanges(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice", "bob")
		servers := []string{h.URL}
		if !strings.HasSuffix(dsn, ".db") {
			servers = append(servers, MustOpenHarness(t, dsn).URL)
		}
		h.allowAny("bob")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob")+`}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":`+jstr(users("p", 6))+`,"To_Account":["bob"]}`)
		listChangesRoundOne(t, h, servers)

		// Round two: 25 existing lists, 25 deletes of them, 25 adds of new
		// names.
		listChangesRoundTwo(t, h, servers)
	})
}

// listChangesRoundOne is round one of TestSNS_ConcurrentListChanges: 50
// calls that each change alice's lists whatever the order.
func listChangesRoundOne(t *testing.T, h *Harness, servers []string) {
	before := h.listSeq("alice")

	var (
		calls   [][]snsCall // each worker's calls, run in order
		added   = users("n", 6)
		seqs    = map[int64]string{}
		total   int
		workers = 19
	)
	for i := range 6 {
		calls = append(calls,
			[]snsCall{{"group_delete", fmt.Sprintf(`{"From_Account":"alice","GroupName":["p%d"]}`, i)}},
			[]snsCall{{"group_add", fmt.Sprintf(`{"From_Account":"alice","GroupName":["n%d"],"To_Account":["bob"]}`, i)}})
	}
	for i := range workers {
		calls = append(calls, []snsCall{
			{"group_add", fmt.Sprintf(`{"From_Account":"alice","GroupName":["w%d"],"To_Account":["bob"]}`, i)},
			{"group_delete", fmt.Sprintf(`{"From_Account":"alice","GroupName":["w%d"]}`, i)}})
	}
	for i, replies := range runWorkers(t, servers, calls) {
		for j, r := range replies {
			c := calls[i][j]
			if *r.ErrorCode != 0 || len(r.Fail_Account) > 0 {
				t.Fatalf("%s %s: ErrorCode %d, Fail_Account %v", c.command, c.body, *r.ErrorCode, r.Fail_Account)
			}
			if prev, dup := seqs[r.CurrentSequence]; dup {
				t.Errorf("%s and %s both answered CurrentSequence %d", prev, c.body, r.CurrentSequence)
			}
			seqs[r.CurrentSequence] = c.body
			total++
		}
	}
	if total != 50 {
		t.Fatalf("%d calls, want 50", total)
	}
	for s := before + 1; s <= before+50; s++ {
		if seqs[s] == "" {
			t.Errorf("no call answered CurrentSequence %d", s)
		}
	}
	if got := h.listSeq("alice"); got != before+50 {
		t.Fatalf("CurrentSequence %d after 50 changes, want %d", got, before+50)
	}
	if got := h.listNamesOf("alice"); !slices.Equal(got, added) {
		t.Fatalf("lists %v, want %v", got, added)
	}
	if lists := h.listsOf("alice"); strings.Count(lists, `"FriendNumber":1,"To_Account":["bob"]`) != 6 {
		t.Fatalf("members: %s", lists)
	}
}

// listChangesRoundTwo is round two of TestSNS_ConcurrentListChanges: 25
// deletes of existing lists against 25 adds of new names.
func listChangesRoundTwo(t *testing.T, h *Harness, servers []string) {
	h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":`+jstr(users("q", 19))+`}`)
	existing := h.listNamesOf("alice")
	before := h.listSeq("alice")
	var flat []snsCall
	var calls [][]snsCall // each worker's calls, run in order
	for i, name := range existing {
		flat = append(flat, snsCall{"group_delete", `{"From_Account":"alice","GroupName":` + jstr([]string{name}) + `}`},
			snsCall{"group_add", fmt.Sprintf(`{"From_Account":"alice","GroupName":["m%d"]}`, i)})
	}
	for _, c := range flat {
		calls = append(calls, []snsCall{c})
	}
	var added []string
	changed := int64(0)
	seen := map[int64]bool{}
	for i, rs := range runWorkers(t, servers, calls) {
		r := rs[0]
		switch {
		case *r.ErrorCode == 30011 && flat[i].command == "group_add":
			continue
		case *r.ErrorCode != 0:
			t.Fatalf("%s %s: ErrorCode %d", flat[i].command, flat[i].body, *r.ErrorCode)
		case flat[i].command == "group_add":
			added = append(added, fmt.Sprintf("m%d", i/2))
		}
		changed++
		if seen[r.CurrentSequence] || r.CurrentSequence <= before {
			t.Errorf("%s answered CurrentSequence %d twice or too low", flat[i].body, r.CurrentSequence)
		}
		seen[r.CurrentSequence] = true
	}
	if got := h.listSeq("alice"); got != before+changed {
		t.Fatalf("CurrentSequence %d after %d changes, want %d", got, changed, before+changed)
	}
	for s := before + 1; s <= before+changed; s++ {
		if !seen[s] {
			t.Errorf("no call answered CurrentSequence %d", s)
		}
	}
	slices.Sort(added)
	if got := h.listNamesOf("alice"); !slices.Equal(got, added) {
		t.Fatalf("lists %v, want the %d added %v", got, len(added), added)
	}
	if len(added) < 7 {
		t.Fatalf("only %d adds succeeded; at least 7 always fit", len(added))
	}
}
