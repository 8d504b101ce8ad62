package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// contactReply is what the concurrency test reads of a reply.
type contactReply struct {
	ErrorCode       *int
	GroupResultItem []struct{ GroupItem groupView }
	GroupItem       []groupView
}

// postContact sends a recentcontact command to a server without failing the
// test, so goroutines may call it.
func postContact(baseURL, query, command, body string) (contactReply, error) {
	var r contactReply
	resp, err := http.Post(baseURL+"/v4/"+rc+"/"+command+"?"+query, "application/json", strings.NewReader(body))
	if err != nil {
		return r, err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.ErrorCode == nil {
		return r, fmt.Errorf("%s: reply without ErrorCode (HTTP %d): %v", command, resp.StatusCode, err)
	}
	return r, nil
}

// Ensure concurrent creates and deletes of one user's conversation groups
// never leave the user with more than 20 groups (the excess answers 51010)
// and never hand out one id twice, on every database; on PostgreSQL the
// calls are spread over two servers sharing the database, as two instances
// would.
func TestContact_ConcurrentCreateDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice")
		servers := []string{h.URL}
		if !strings.HasSuffix(dsn, ".db") {
			servers = append(servers, MustOpenHarness(t, dsn).URL)
		}
		race := &contactRace{servers: servers, query: AdminQuery(t),
			handed: map[int]string{}, deleted: map[int]bool{}, counts: map[string]int{}}

		// Round one: 40 creates at once, 20 fit.
		race.createAtOnce(40)
		if race.counts["create 0"] != 20 || race.counts["create 51010"] != 20 || len(race.errs) > 0 {
			t.Fatalf("40 creates: %v %v", race.counts, race.errs)
		}

		// Round two: 8 workers each create and delete their own groups
		// while the others do the same, against a user at the limit; half
		// of them start by freeing one of round one's groups.
		var firsts []string
		for _, name := range race.handed {
			firsts = append(firsts, name)
		}
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Go(func() { race.createAndDelete(w, firsts) })
		}
		wg.Wait()
		if len(race.errs) > 0 {
			t.Fatal(race.errs)
		}
		for k := range race.counts {
			if k != "create 0" && k != "create 51010" && k != "delete 0" {
				t.Errorf("unexpected outcome %q: %v", k, race.counts)
			}
		}

		_, groups := h.contactGroups("alice")
		race.checkGroupsLeft(t, groups)
		t.Logf("outcomes %v, %d ids handed out, %d groups left", race.counts, len(race.handed), len(groups))
	})
}

// contactRace is what TestContact_ConcurrentCreateDelete learns of the
// replies its goroutines read.
type contactRace struct {
	servers []string
	query   string

	mu      sync.Mutex
	handed  map[int]string // id → name, from create replies
	deleted map[int]bool
	counts  map[string]int // "command code" → calls
	errs    []error
}

// note records a reply to command, or the error of the call.
func (c *contactRace) note(command string, r contactReply, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.errs = append(c.errs, err)
		return
	}
	c.counts[fmt.Sprintf("%s %d", command, *r.ErrorCode)]++
	if *r.ErrorCode != 0 {
		return
	}
	for _, g := range r.GroupResultItem {
		if prev, dup := c.handed[g.GroupItem.GroupId]; dup {
			c.errs = append(c.errs, fmt.Errorf("id %d handed out for %q and %q", g.GroupItem.GroupId, prev, g.GroupItem.GroupName))
		}
		c.handed[g.GroupItem.GroupId] = g.GroupItem.GroupName
	}
	for _, g := range r.GroupItem {
		c.deleted[g.GroupId] = true
	}
}

// createAtOnce creates n of alice's groups at once, first0 to first(n-1).
func (c *contactRace) createAtOnce(n int) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := postContact(c.servers[i%len(c.servers)], c.query, "create_contact_group", createBody("alice", fmt.Sprintf("first%d", i)))
			c.note("create", r, err)
		})
	}
	wg.Wait()
}

// createAndDelete is worker w of round two: 25 creates, and after every
// other one a delete of its oldest group, starting with firsts[w] for the
// first four workers.
func (c *contactRace) createAndDelete(w int, firsts []string) {
	url := c.servers[w%len(c.servers)]
	var mine []string
	if w < 4 {
		mine = append(mine, firsts[w])
	}
	for i := range 25 {
		name := fmt.Sprintf("w%d-%d", w, i)
		r, err := postContact(url, c.query, "create_contact_group", createBody("alice", name))
		c.note("create", r, err)
		if err == nil && *r.ErrorCode == 0 {
			mine = append(mine, name)
		}
		if len(mine) > 0 && i%2 == 0 {
			r, err := postContact(url, c.query, "del_contact_group", delBody("alice", mine[0]))
			c.note("delete", r, err)
			if err == nil && *r.ErrorCode == 0 {
				mine = mine[1:]
			}
		}
	}
}

// checkGroupsLeft checks the groups alice has at the end: at most 20, as
// many as created less deleted, each listed once under the name its id was
// handed out with and not deleted, and the ids handed out are 1..n.
func (c *contactRace) checkGroupsLeft(t *testing.T, groups []groupView) {
	if len(groups) > 20 {
		t.Fatalf("%d groups", len(groups))
	}
	if want := c.counts["create 0"] - c.counts["delete 0"]; len(groups) != want {
		t.Errorf("%d groups left, want %d created - deleted: %v", len(groups), want, c.counts)
	}
	seen := map[int]bool{}
	for _, g := range groups {
		if seen[g.GroupId] || c.deleted[g.GroupId] || c.handed[g.GroupId] != g.GroupName {
			t.Errorf("group %v: listed twice, deleted, or not handed out under that name", g)
		}
		seen[g.GroupId] = true
	}
	for id := 1; id <= len(c.handed); id++ {
		if _, ok := c.handed[id]; !ok {
			t.Errorf("ids handed out are not 1..%d: %d missing", len(c.handed), id)
		}
	}
}

// Ensure a dismissal racing with users adding and marking the group's
// conversation never leaves the conversation behind: each add answers 0
// (and the dismissal removes it) or 51007, and afterwards no user has it.
func TestContact_DismissalRace(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		us := users("r", 16)
		h.importUsers(append(us, "owner")...)
		servers := []string{h.URL}
		if !strings.HasSuffix(dsn, ".db") {
			servers = append(servers, MustOpenHarness(t, dsn).URL)
		}
		query := AdminQuery(t)
		for _, u := range us {
			h.MustCall(0, rc, "create_contact_group", createBody(u, "g"))
		}
		for round := range 5 {
			id := fmt.Sprintf("Race%d", round)
			h.create(`{"Type":"Public","GroupId":"` + id + `","Name":"r","Owner_Account":"owner"}`)
			var (
				wg   sync.WaitGroup
				mu   sync.Mutex
				errs []error
			)
			for i, u := range us {
				wg.Go(func() {
					body := updateBody(u, "g", 1, grpItem(id))
					command := "update_contact_group"
					if i%2 == 1 {
						body, command = markBody(u, markItem(2, grpItem(id), `"CustomMark":"m"`)), "mark_contact"
					}
					resp, err := http.Post(servers[i%len(servers)]+"/v4/"+rc+"/"+command+"?"+query, "application/json", strings.NewReader(body))
					if err == nil {
						var raw strings.Builder
						_, err = io.Copy(&raw, resp.Body)
						resp.Body.Close()
						if err == nil && !strings.Contains(raw.String(), `"ResultCode":0`) && !strings.Contains(raw.String(), `"ResultCode":51007`) {
							err = fmt.Errorf("%s: %s", command, raw.String())
						}
					}
					if err != nil {
						mu.Lock()
						errs = append(errs, err)
						mu.Unlock()
					}
				})
			}
			wg.Go(func() {
				if _, err := postCode(servers[0]+"/v4/"+grp+"/destroy_group?"+query, `{"GroupId":"`+id+`"}`); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			})
			wg.Wait()
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			for _, u := range us {
				if r := h.MustCall(0, rc, "search_contact_group", searchBody(u, grpItem(id))); !strings.Contains(r.Raw, `"ContactResultItem":[]`) {
					t.Fatalf("round %d: %s kept the dismissed group's conversation: %s", round, u, r.Raw)
				}
			}
		}
	})
}
