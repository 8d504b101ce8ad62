package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// topBody is a recentcontact/top request of owner naming one-to-one peers
// ("u") and groups ("g:G").
func topBody(owner string, op int, peers ...string) string {
	items := make([]string, len(peers))
	for i, p := range peers {
		if g, ok := strings.CutPrefix(p, "g:"); ok {
			items[i] = fmt.Sprintf(`{"Type":2,"GroupId":%q}`, g)
		} else {
			items[i] = fmt.Sprintf(`{"Type":1,"To_Account":%q}`, p)
		}
	}
	return fmt.Sprintf(`{"From_Account":%q,"OperationType":%d,"RecentContactItem":[%s]}`, owner, op, strings.Join(items, ","))
}

// listItems renders owner's first get_list page with flags as
// "peer/TopFlag" in the order given ("g:" before a group).
func listItems(t *testing.T, h *Harness, owner string, flags int) string {
	t.Helper()
	body := fmt.Sprintf(`{"From_Account":%q,"TimeStamp":0,"StartIndex":0,"TopTimeStamp":0,"TopStartIndex":0,"AssistFlags":%d}`, owner, flags)
	var r struct {
		SessionItem []struct {
			To_Account, GroupId string
			TopFlag             int
		}
	}
	if err := json.Unmarshal([]byte(h.MustCall(0, rc, "get_list", body).Raw), &r); err != nil {
		t.Fatal(err)
	}
	parts := make([]string, len(r.SessionItem))
	for i, it := range r.SessionItem {
		peer := it.To_Account
		if it.GroupId != "" {
			peer = "g:" + it.GroupId
		}
		parts[i] = fmt.Sprintf("%s/%d", peer, it.TopFlag)
	}
	return strings.Join(parts, " ")
}

// Ensure a conversation pinned with recentcontact/top comes in get_list's
// pinned section with TopFlag 1, before newer conversations that are not
// pinned, and among them by time (TopFlag still 1) without AssistFlags bit
// 0; that unpinning puts it back; and that pinning a group the account is
// not in changes nothing.
func TestTop_PinnedSection(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openConvHarness(t, dsn) // carol pinned; dave 1010, G1 1005, bob and carol 1000
		if got, want := listItems(t, h, "alice", 5), "carol/1 dave/0 g:G1/0 bob/0"; got != want {
			t.Fatalf("before: %s, want %s", got, want)
		}
		h.MustCall(0, rc, "top", topBody("alice", 1, "bob", "g:G1", "g:G3"))
		for _, c := range []struct {
			flags int
			want  string
		}{
			{5, "g:G1/1 bob/1 carol/1 dave/0"},
			{7, "g:G1/1 bob/1 carol/1 dave/0 g:G2/0"},
			{0, "dave/0 g:G1/1 bob/1 carol/1"},
		} {
			if got := listItems(t, h, "alice", c.flags); got != c.want {
				t.Errorf("AssistFlags %d: %s, want %s", c.flags, got, c.want)
			}
		}
		h.MustCall(0, rc, "top", topBody("alice", 2, "g:G1", "carol", "dave"))
		if got, want := listItems(t, h, "alice", 5), "bob/1 dave/0 g:G1/0 carol/0"; got != want {
			t.Errorf("after unpinning: %s, want %s", got, want)
		}
		// The other side's list is its own.
		if got, want := listItems(t, h, "bob", 5), "g:G3/0 g:G1/0 alice/0"; got != want {
			t.Errorf("bob: %s, want %s", got, want)
		}
	})
}

// Ensure the 50-pinned limit (51012) holds across the items of one call,
// and that a call failing at any item changes nothing, with each documented
// code.
func TestTop_LimitAndCodes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openConvHarness(t, dsn) // carol pinned
		var peers []string
		for i := range im.MaxPinnedConversations - 1 {
			peers = append(peers, fmt.Sprintf("p%02d", i))
		}
		h.importUsers(peers...)
		h.MustCall(0, rc, "top", topBody("alice", 1, peers...)) // 49 + carol: 50
		full := listItems(t, h, "alice", 3)
		if n := strings.Count(full, "/1"); n != im.MaxPinnedConversations {
			t.Fatalf("%d pinned, want %d: %s", n, im.MaxPinnedConversations, full)
		}
		many := make([]string, im.MaxPinItems+1)
		for i := range many {
			many[i] = "p00"
		}
		runCases(t, h, rc, []callCase{
			{name: "51st", command: "top", body: topBody("alice", 1, "dave"), code: 51012},
			{name: "51st after a pinned one", command: "top", body: topBody("alice", 1, "carol", "dave"), code: 51012},
			{name: "unknown peer after an unpin", command: "top", body: topBody("alice", 2, "p00", "ghost"), code: 50001},
			{name: "unknown group after an unpin", command: "top", body: topBody("alice", 2, "p00", "g:@TGS#gone"), code: 51007},
			{name: "bad Type after an unpin", command: "top", body: `{"From_Account":"alice","OperationType":2,"RecentContactItem":[{"Type":1,"To_Account":"p00"},{"Type":3,"To_Account":"p01"}]}`, code: 50002},
			{name: "too many items", command: "top", body: topBody("alice", 2, many...), code: 50002},
			{name: "no RecentContactItem", command: "top", body: `{"From_Account":"alice","OperationType":2}`, code: 50002},
			{name: "no OperationType", command: "top", body: `{"From_Account":"alice","RecentContactItem":[{"Type":1,"To_Account":"p00"}]}`, code: 50002},
			{name: "pinning a pinned one", command: "top", body: topBody("alice", 1, "carol", "p00", "carol"), code: 0},
		})
		if got := listItems(t, h, "alice", 3); got != full {
			t.Errorf("failed calls changed the list:\n%s\n%s", full, got)
		}
		// Exactly at the limit: an unpin makes room for one.
		h.MustCall(0, rc, "top", topBody("alice", 2, "p00", "dave"))
		h.MustCall(0, rc, "top", topBody("alice", 1, "dave"))
		h.MustCall(51012, rc, "top", topBody("alice", 1, "p00"))
	})
}

// Ensure a group conversation pinned before its member left the group
// keeps its pinned mark: get_list no longer shows the group, the mark still
// counts toward the 50, and unpinning it (the group exists) makes room.
func TestTop_PinKeptAfterLeaving(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openConvHarness(t, dsn) // carol pinned; alice a member of G1
		var peers []string
		for i := range im.MaxPinnedConversations - 2 {
			peers = append(peers, fmt.Sprintf("p%02d", i))
		}
		h.importUsers(peers...)
		h.MustCall(0, rc, "top", topBody("alice", 1, append(peers, "g:G1")...)) // 48 + carol + G1: 50
		h.MustCall(0, grp, "delete_group_member", `{"GroupId":"G1","MemberToDel_Account":["alice"]}`)
		if list := listItems(t, h, "alice", 3); strings.Contains(list, "g:G1") || strings.Count(list, "/1") != im.MaxPinnedConversations-1 {
			t.Fatalf("after leaving G1: %s", list)
		}
		h.MustCall(51012, rc, "top", topBody("alice", 1, "dave"))
		h.MustCall(0, rc, "top", topBody("alice", 2, "g:G1"))
		h.MustCall(0, rc, "top", topBody("alice", 1, "dave"))
	})
}
