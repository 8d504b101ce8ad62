package api_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// c2cs renders ContactItems for UserIDs.
func c2cs(ids []string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = c2c(id)
	}
	return out
}

// codes returns the ResultCode of each per-item result in a reply.
func codes(t *testing.T, raw string) []int {
	t.Helper()
	var out []int
	for _, part := range strings.Split(raw, `"ResultCode":`)[1:] {
		var c int
		if _, err := fmt.Sscanf(part, "%d", &c); err != nil {
			t.Fatalf("ResultCode in %s: %v", raw, err)
		}
		out = append(out, c)
	}
	return out
}

// allZero fails unless n per-item results are all 0.
func allZero(t *testing.T, what, raw string, n int) {
	t.Helper()
	cs := codes(t, raw)
	if len(cs) != n {
		t.Fatalf("%s: %d results, want %d", what, len(cs), n)
	}
	for i, c := range cs {
		if c != 0 {
			t.Fatalf("%s: item %d answered %d", what, i, c)
		}
	}
}

// Ensure a user has at most 20 conversation groups (51010), and that a
// deleted group makes room again.
func TestContact_GroupLimit(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openContacts(t, dsn)
		for i := range 20 {
			h.MustCall(0, rc, "create_contact_group", createBody("alice", fmt.Sprintf("g%d", i)))
		}
		h.MustCall(51010, rc, "create_contact_group", createBody("alice", "g20", c2c("bob")))
		h.MustCall(0, rc, "create_contact_group", createBody("bob", "g20"))
		h.MustCall(0, rc, "del_contact_group", delBody("alice", "g7"))
		r := h.MustCall(0, rc, "create_contact_group", createBody("alice", "g20"))
		if !strings.Contains(r.Raw, `"GroupId":21`) {
			t.Errorf("21st id: %s", r.Raw)
		}
		h.MustCall(51010, rc, "create_contact_group", createBody("alice", "g21"))
		if _, groups := h.contactGroups("alice"); len(groups) != 20 {
			t.Errorf("%d groups", len(groups))
		}
	})
}

// Ensure a user has at most 1000 conversations in conversation groups and
// at most 1000 marked ones (per-item 51008 beyond), that a conversation
// already counted costs nothing more, and that get_contact_group pages
// through them all in a fixed order, 100 a page.
func TestContact_ConversationLimits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openContacts(t, dsn)
		us := users("u", 1001)
		sort.Strings(us)
		h.importUsers(us...)
		first, extra := us[:1000], us[1000]
		groupThousandAndOne(t, h, first, extra)
		markThousandAndOne(t, h, first, extra)

		convs, _ := h.contactGroups("alice")
		if len(convs) != 1002 { // the 1001 users and G2
			t.Errorf("%d conversations", len(convs))
		}
		checkContactPagesInOrder(t, h)
	})
}

// groupThousandAndOne puts alice's 1000 conversations with first in a
// group and checks the one with extra is refused in any group until a
// conversation leaves its last group.
func groupThousandAndOne(t *testing.T, h *Harness, first []string, extra string) {
	r := h.MustCall(0, rc, "create_contact_group", createBody("alice", "big", c2cs(first)...))
	allZero(t, "create 1000", r.Raw, 1000)
	r = h.MustCall(0, rc, "update_contact_group", updateBody("alice", "big", 1, c2c(extra), c2c(first[0])))
	if got := codes(t, r.Raw); fmt.Sprint(got) != "[51008 0]" {
		t.Errorf("1001st grouped: %v: %s", got, r.Raw)
	}
	r = h.MustCall(0, rc, "create_contact_group", createBody("alice", "other", c2c(first[1]), c2c(extra), grpItem("G1")))
	if got := codes(t, r.Raw); fmt.Sprint(got) != "[0 51008 51008]" {
		t.Errorf("other group: %v", got)
	}
	// Leaving one group while still in another frees nothing; joining a
	// second group costs nothing; leaving the last group frees one.
	h.MustCall(0, rc, "update_contact_group", updateBody("alice", "big", 2, c2c(first[1])))
	r = h.MustCall(0, rc, "update_contact_group", updateBody("alice", "big", 1, c2c(extra)))
	if got := codes(t, r.Raw); fmt.Sprint(got) != "[51008]" {
		t.Errorf("after leaving one of two groups: %v", got)
	}
	allZero(t, "a grouped conversation in a second group",
		h.MustCall(0, rc, "update_contact_group", updateBody("alice", "other", 1, c2c(first[3]))).Raw, 1)
	h.MustCall(0, rc, "update_contact_group", updateBody("alice", "big", 2, c2c(first[2])))
	r = h.MustCall(0, rc, "update_contact_group", updateBody("alice", "other", 1, c2c(extra), grpItem("G1")))
	if got := codes(t, r.Raw); fmt.Sprint(got) != "[0 51008]" {
		t.Errorf("after leaving the last group: %v", got)
	}
}

// markThousandAndOne marks alice's 1000 conversations with first and
// checks a 1001st mark is refused until a conversation loses every mark.
func markThousandAndOne(t *testing.T, h *Harness, first []string, extra string) {
	for i := 0; i < 1000; i += 100 {
		items := make([]string, 100)
		for j := range items {
			items[j] = markItem(2, c2c(first[i+j]), `"CustomMark":"m"`)
		}
		allZero(t, "mark 100", h.MustCall(0, rc, "mark_contact", markBody("alice", items...)).Raw, 100)
	}
	r := h.MustCall(0, rc, "mark_contact", markBody("alice", markItem(1, c2c(extra), `"SetMark":[0]`),
		markItem(1, c2c(first[5]), `"SetMark":[0]`), markItem(1, grpItem("G2"), `"SetMark":[0]`)))
	if got := codes(t, r.Raw); fmt.Sprint(got) != "[51008 0 51008]" {
		t.Errorf("1001st marked: %v", got)
	}
	// Clearing every mark of a conversation frees one.
	h.MustCall(0, rc, "mark_contact", markBody("alice", markItem(3, c2c(first[5]), `"ClearMark":[0]`),
		markItem(2, c2c(first[6]), "")))
	r = h.MustCall(0, rc, "mark_contact", markBody("alice", markItem(1, c2c(extra), `"SetMark":[0]`),
		markItem(1, grpItem("G2"), `"SetMark":[0]`)))
	allZero(t, "mark after unmarking", r.Raw, 2)
}

// checkContactPagesInOrder reads alice's 1002 conversations 100 a page
// with get_contact_group: the pages list C2C conversations, then group
// ones, each by peer.
func checkContactPagesInOrder(t *testing.T, h *Harness) {
	var keys []string
	for start := 0; start < 1100; start += 100 {
		r := h.MustCall(0, rc, "get_contact_group", getBody("alice", start))
		var page struct {
			ContactItem    []contactView
			CompleteFlag   int
			NextStartIndex int
		}
		if err := json.Unmarshal([]byte(r.Raw), &page); err != nil {
			t.Fatal(err)
		}
		last := start+100 >= 1002
		if len(page.ContactItem) != min(100, 1002-start) || (page.CompleteFlag == 1) != last ||
			(!last && page.NextStartIndex != start+100) {
			t.Fatalf("page at %d: %d items, CompleteFlag %d, NextStartIndex %d",
				start, len(page.ContactItem), page.CompleteFlag, page.NextStartIndex)
		}
		for _, v := range page.ContactItem {
			keys = append(keys, fmt.Sprintf("%d:%s%s", v.Type, v.To_Account, v.ToGroupId))
		}
	}
	if !sort.StringsAreSorted(keys) || keys[len(keys)-1] != "2:G2" {
		t.Errorf("pages out of order: %v ... %v", keys[:3], keys[len(keys)-3:])
	}
}
