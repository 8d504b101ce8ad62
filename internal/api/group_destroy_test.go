package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// destroyedEvents returns the Group.CallbackAfterGroupDestroyed events of
// one group.
func (h *Harness) destroyedEvents(groupID string) []event {
	h.tb.Helper()
	var out []event
	for _, ev := range h.eventsOf(im.CallbackAfterGroupDestroyed) {
		if ev.Body["GroupId"] == groupID {
			out = append(out, ev)
		}
	}
	return out
}

// checkDestroyed checks a group's one dismissal event: its exact fields,
// Operator_Account the admin who dismissed it, MemberList as given (nil:
// omitted) and EventTime in milliseconds within [from, to].
func checkDestroyed(t *testing.T, ev event, id, typ, owner, operator, name string, members []string, from, to time.Time) {
	t.Helper()
	if ev.Key != id {
		t.Errorf("%s: event key %q", id, ev.Key)
	}
	want := map[string]any{"CallbackCommand": im.CallbackAfterGroupDestroyed, "GroupId": id, "Type": typ, "Owner_Account": owner,
		"Operator_Account": operator, "Name": name}
	if members != nil {
		list := []any{}
		for _, m := range members {
			list = append(list, map[string]any{"Member_Account": m})
		}
		want["MemberList"] = list
	}
	body := map[string]any{}
	for k, v := range ev.Body {
		if k != "EventTime" {
			body[k] = v
		}
	}
	if jstr(body) != jstr(want) {
		t.Errorf("%s: event %s\nwant %s (and EventTime)", id, ev.Raw, jstr(want))
	}
	ms, err := ev.Body["EventTime"].(json.Number).Int64()
	if err != nil || ms < from.UnixMilli() || ms > to.UnixMilli() {
		t.Errorf("%s: EventTime %v not in ms within [%d, %d]", id, ev.Body["EventTime"], from.UnixMilli(), to.UnixMilli())
	}
}

// Ensure destroy_group dismisses a group of every type, aliases included:
// afterwards the group is 10010 everywhere, gone from the app's list and
// every former member's list, and exactly one event reports it with the
// members as they were, in joining order (none listed for a Community).
func TestGroup_DestroyEveryType(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.create(`{"Type":"Public","GroupId":"Keep","Name":"keep","Owner_Account":"alice","MemberList":` + memberList("bob", "carol", "dave") + `}`)
		for _, tc := range []struct{ typ, stored string }{
			{"Private", "Private"}, {"Public", "Public"}, {"ChatRoom", "ChatRoom"}, {"AVChatRoom", "AVChatRoom"},
			{"Community", "Community"}, {"Work", "Private"}, {"Meeting", "ChatRoom"},
		} {
			id, name := "D-"+tc.typ, "Group "+tc.typ
			if tc.typ == "Community" {
				id = "@TGS#_D-Community"
			}
			members := []string{"alice"}
			if tc.typ == "AVChatRoom" {
				h.create(`{"Type":"AVChatRoom","GroupId":"` + id + `","Name":"` + name + `","Owner_Account":"alice"}`)
			} else {
				// Joining order: the owner, the create list, then later additions.
				h.create(`{"Type":"` + tc.typ + `","GroupId":"` + id + `","Name":"` + name + `","Owner_Account":"alice","MemberList":` + memberList("dave", "bob") + `}`)
				h.MustCall(0, grp, "add_group_member", `{"GroupId":"`+id+`","MemberList":`+memberList("carol")+`}`)
				members = append(members, "dave", "bob", "carol")
			}
			total := h.groupCount()
			for _, m := range members {
				r := h.MustCall(0, grp, "get_joined_group_list", `{"Member_Account":"`+m+`","WithHugeGroups":1}`)
				if !strings.Contains(r.Raw, `{"GroupId":"`+id+`"}`) {
					t.Fatalf("%s not in %s's groups before: %s", id, m, r.Raw)
				}
			}

			before := len(h.events())
			from := time.Now()
			h.MustCall(0, grp, "destroy_group", `{"GroupId":"`+id+`"}`)
			to := time.Now()
			evs := h.events()
			if len(evs) != before+1 {
				t.Fatalf("%s: %d events recorded, want 1", id, len(evs)-before)
			}
			if tc.typ == "Community" {
				members = nil
			}
			checkDestroyed(t, evs[len(evs)-1], id, tc.stored, "alice", Admin, name, members, from, to)

			r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["`+id+`"]}`)
			if !strings.Contains(r.Raw, `"GroupInfo":[{"GroupId":"`+id+`","ErrorCode":10010,`) {
				t.Fatalf("%s after dismissal: %s", id, r.Raw)
			}
			if n := h.groupCount(); n != total-1 {
				t.Fatalf("%s: TotalCount %d after dismissal, want %d", id, n, total-1)
			}
			if r := h.MustCall(0, grp, "get_appid_group_list", `{}`); strings.Contains(r.Raw, `"`+id+`"`) {
				t.Fatalf("%s still listed: %s", id, r.Raw)
			}
			for _, m := range []string{"alice", "bob", "carol", "dave"} {
				r := h.MustCall(0, grp, "get_joined_group_list", `{"Member_Account":"`+m+`","WithHugeGroups":1}`)
				if strings.Contains(r.Raw, `"`+id+`"`) || !strings.Contains(r.Raw, `"TotalCount":1,"GroupIdList":[{"GroupId":"Keep"}]`) {
					t.Fatalf("%s's groups after dismissing %s: %s", m, id, r.Raw)
				}
			}
			h.MustCall(10010, grp, "destroy_group", `{"GroupId":"`+id+`"}`)
			h.MustCall(10010, grp, "get_group_member_info", `{"GroupId":"`+id+`"}`)
			h.MustCall(10010, grp, "add_group_member", `{"GroupId":"`+id+`","MemberList":`+memberList("bob")+`}`)
			if n := len(h.destroyedEvents(id)); n != 1 {
				t.Fatalf("%s: %d dismissal events", id, n)
			}
		}
		// The bystander group is untouched.
		r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["Keep"],"ResponseFilter":{"GroupBaseInfoFilter":["MemberNum"]}}`)
		if !strings.Contains(r.Raw, `"ErrorCode":0,"ErrorInfo":"","MemberNum":4}`) {
			t.Fatalf("Keep: %s", r.Raw)
		}
	})
}

// Ensure a dismissal reports Owner_Account "" for a group without owner, an
// empty MemberList for one without members, the dismissing admin as
// Operator_Account, and that a dismissed custom id
// can be used again, for a new group that starts empty.
func TestGroup_DestroyOwnerlessAndReuse(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob")
		from := time.Now()
		h.create(`{"Type":"Private","GroupId":"NoOwner","Name":"n","MemberList":` + memberList("bob", "alice") + `}`)
		h.create(`{"Type":"Public","GroupId":"Empty","Name":"e"}`)
		// Another admin dismisses NoOwner: Operator_Account names that admin.
		admin2 := "sdkappid=1400000001&identifier=admin2&usersig=" + Sig(t, TestAppID, TestKey, "admin2", 86400) +
			"&random=1&contenttype=json"
		if r := h.Do("POST", "/v4/"+grp+"/destroy_group", admin2, `{"GroupId":"NoOwner"}`); r.Code(t) != 0 {
			t.Fatalf("destroy_group as admin2: %s", r.Raw)
		}
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"Empty"}`)
		to := time.Now()
		if evs := h.destroyedEvents("NoOwner"); len(evs) != 1 {
			t.Fatalf("NoOwner: %d events", len(evs))
		} else {
			checkDestroyed(t, evs[0], "NoOwner", "Private", "", "admin2", "n", []string{"bob", "alice"}, from, to)
		}
		if evs := h.destroyedEvents("Empty"); len(evs) != 1 {
			t.Fatalf("Empty: %d events", len(evs))
		} else {
			checkDestroyed(t, evs[0], "Empty", "Public", "", Admin, "e", []string{}, from, to)
		}

		h.create(`{"Type":"Public","GroupId":"Reuse","Name":"first","Owner_Account":"alice","MemberList":` + memberList("bob") + `}`)
		h.MustCall(10021, grp, "create_group", `{"Type":"Public","GroupId":"Reuse","Name":"second"}`)
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"Reuse"}`)
		h.create(`{"Type":"ChatRoom","GroupId":"Reuse","Name":"second","Owner_Account":"bob"}`)
		r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["Reuse"],"ResponseFilter":{"GroupBaseInfoFilter":["Type","Name","Owner_Account","MemberNum"],"MemberInfoFilter":["Role"]}}`)
		if !strings.Contains(r.Raw, `"Type":"ChatRoom","Name":"second","Owner_Account":"bob","MemberNum":1,"MemberList":[{"Member_Account":"bob","Role":"Owner"}]}`) {
			t.Fatalf("reused id: %s", r.Raw)
		}
		r = h.MustCall(0, grp, "get_joined_group_list", `{"Member_Account":"alice"}`)
		if !strings.Contains(r.Raw, `"TotalCount":0,`) {
			t.Fatalf("alice kept the old group's membership: %s", r.Raw)
		}
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"Reuse"}`)
		if evs := h.destroyedEvents("Reuse"); len(evs) != 2 || evs[0].Body["Name"] != "first" || evs[1].Body["Name"] != "second" {
			t.Fatalf("Reuse events: %v", evs)
		}
	})
}

// postCode sends a POST and returns the reply's ErrorCode. Unlike Harness.Do
// it does not fail the test, so goroutines may call it.
func postCode(url, body string) (int, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var r struct{ ErrorCode *int }
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || r.ErrorCode == nil {
		return 0, fmt.Errorf("reply without ErrorCode (HTTP %d): %v", resp.StatusCode, err)
	}
	return *r.ErrorCode, nil
}

// Ensure 64 concurrent dismissals of one group let exactly one through:
// one OK, 63 answers 10010 and one event with the full member list.
func TestGroup_DestroyConcurrent(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		members := users("m", 20)
		h := openGroups(t, dsn, append(members, "owner")...)
		h.create(`{"Type":"Public","GroupId":"Contested","Name":"c","Owner_Account":"owner","MemberList":` + memberList(members...) + `}`)
		url := h.URL + "/v4/" + grp + "/destroy_group?" + AdminQuery(t)

		const n = 64
		codes := make([]int, n)
		errs := make([]error, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				<-start
				codes[i], errs[i] = postCode(url, `{"GroupId":"Contested"}`)
			})
		}
		from := time.Now()
		close(start)
		wg.Wait()
		to := time.Now()

		count := map[int]int{}
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			count[codes[i]]++
		}
		if count[0] != 1 || count[10010] != n-1 {
			t.Fatalf("codes %v, want one 0 and %d × 10010", count, n-1)
		}
		evs := h.destroyedEvents("Contested")
		if len(evs) != 1 {
			t.Fatalf("%d dismissal events, want 1", len(evs))
		}
		checkDestroyed(t, evs[0], "Contested", "Public", "owner", Admin, "c", append([]string{"owner"}, members...), from, to)
		if n := h.groupCount(); n != 0 {
			t.Fatalf("TotalCount %d after dismissal", n)
		}
	})
}

// Ensure that without a callback URL no group command records an event.
func TestGroup_NoEventsWithoutCallbackURL(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice", "bob", "carol")
		h.create(`{"Type":"Public","GroupId":"G","Name":"g","Owner_Account":"alice","MemberList":` + memberList("bob") + `}`)
		h.create(`{"Type":"Community","Name":"c","Owner_Account":"alice"}`)
		h.MustCall(0, grp, "add_group_member", `{"GroupId":"G","MemberList":`+memberList("carol")+`}`)
		h.MustCall(0, grp, "delete_group_member", `{"GroupId":"G","MemberToDel_Account":["bob"]}`)
		h.MustCall(0, grp, "change_group_owner", `{"GroupId":"G","NewOwner_Account":"carol"}`)
		h.MustCall(0, grp, "modify_group_base_info", `{"GroupId":"G","Name":"renamed"}`)
		h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"carol"}]}`)
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"G"}`)
		if evs := h.events(); len(evs) != 0 {
			t.Fatalf("%d events recorded without a callback URL: %s", len(evs), evs[0].Raw)
		}
	})
}

// Ensure account_delete takes the account out of every group without an
// event: member counts drop, a re-imported account of the same id belongs
// to no group, and a group whose owner was deleted stays, without owner.
func TestGroup_AccountDeleteCascade(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.create(`{"Type":"Public","GroupId":"G1","Name":"g1","Owner_Account":"alice","MemberList":` + memberList("bob", "carol") + `}`)
		h.create(`{"Type":"Private","GroupId":"G2","Name":"g2","Owner_Account":"carol","MemberList":` + memberList("bob") + `}`)
		h.create(`{"Type":"AVChatRoom","GroupId":"Live","Name":"live","Owner_Account":"bob"}`)
		info := func() string {
			r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["G1","G2","Live"],"ResponseFilter":{"GroupBaseInfoFilter":["Owner_Account","MemberNum"],"MemberInfoFilter":["Role"]}}`)
			var parts []string
			for _, gi := range r.M["GroupInfo"].([]any) {
				g := gi.(map[string]any)
				s := fmt.Sprintf("%s owner=%q n=%s", g["GroupId"], g["Owner_Account"], g["MemberNum"])
				if ml, ok := g["MemberList"].([]any); ok {
					for _, m := range ml {
						s += " " + m.(map[string]any)["Member_Account"].(string) + ":" + m.(map[string]any)["Role"].(string)
					}
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, "; ")
		}
		before := len(h.events())

		r := h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"bob"}]}`)
		if !strings.Contains(r.Raw, `"ResultCode":0`) {
			t.Fatal(r.Raw)
		}
		if got, want := info(), `G1 owner="alice" n=2 alice:Owner carol:Member; G2 owner="carol" n=1 carol:Owner; Live owner="" n=0`; got != want {
			t.Fatalf("after deleting bob:\n got %s\nwant %s", got, want)
		}
		h.importUsers("bob")
		r = h.MustCall(0, grp, "get_joined_group_list", `{"Member_Account":"bob","WithHugeGroups":1}`)
		if !strings.Contains(r.Raw, `"TotalCount":0,"GroupIdList":[]`) {
			t.Fatalf("re-imported bob: %s", r.Raw)
		}

		h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"alice"}]}`)
		if got, want := info(), `G1 owner="" n=1 carol:Member; G2 owner="carol" n=1 carol:Owner; Live owner="" n=0`; got != want {
			t.Fatalf("after deleting alice:\n got %s\nwant %s", got, want)
		}
		if n := len(h.events()); n != before {
			t.Fatalf("account_delete recorded %d events", n-before)
		}
		r = h.MustCall(0, grp, "get_group_member_info", `{"GroupId":"G1","MemberRoleFilter":["Owner"]}`)
		if !strings.Contains(r.Raw, `"MemberNum":1,"MemberList":[]`) {
			t.Fatalf("G1 owners: %s", r.Raw)
		}
		// The ownerless group still works: members come and go, and its
		// dismissal reports no owner.
		r = h.MustCall(0, grp, "add_group_member", `{"GroupId":"G1","MemberList":`+memberList("bob", "carol")+`}`)
		if !strings.Contains(r.Raw, `[{"Member_Account":"bob","Result":1},{"Member_Account":"carol","Result":2}]`) {
			t.Fatal(r.Raw)
		}
		from := time.Now()
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"G1"}`)
		evs := h.destroyedEvents("G1")
		if len(evs) != 1 {
			t.Fatalf("%d G1 events", len(evs))
		}
		checkDestroyed(t, evs[0], "G1", "Public", "", Admin, "g1", []string{"carol", "bob"}, from, time.Now())
		if !slices.Equal(eventCommands(h.events()[before:]), []string{im.CallbackAfterNewMemberJoin, im.CallbackAfterGroupDestroyed}) {
			t.Fatalf("events after the cascade: %v", eventCommands(h.events()[before:]))
		}
	})
}

func eventCommands(evs []event) []string {
	out := make([]string, len(evs))
	for i, ev := range evs {
		out[i] = ev.Command
	}
	return out
}
