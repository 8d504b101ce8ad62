package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// twoOnPostgres starts two timd instances on one fresh PostgreSQL schema
// serving one app, with the accounts given imported.
func twoOnPostgres(t *testing.T, accounts ...string) (a, b *Main, call func(m *Main, svc, cmd, body string) (Reply, error)) {
	t.Helper()
	const appID, key = 1400000044, "multi-lists-key"
	env := map[string]string{"TIMD_DATA": dbtest.PostgresDSN(t), "TIMD_SDKAPPID": fmt.Sprint(appID),
		"TIMD_SECRET_KEY": key, "TIMD_RATE_LIMIT": "off"}
	a, b = MustRunMain(t, env), MustRunMain(t, env)
	sig := TencentSig(t, appID, key, "administrator")
	call = func(m *Main, svc, cmd, body string) (Reply, error) {
		return tryPost(http.DefaultClient, CallURL(m.URL(), svc, cmd, appID, "administrator", sig), body)
	}
	list, _ := json.Marshal(accounts)
	if r, err := call(a, "im_open_login_svc", "multiaccount_import", `{"Accounts":`+string(list)+`}`); err != nil || r.M["ErrorCode"] != json.Number("0") {
		t.Fatalf("import: %v %v", r.Raw, err)
	}
	return a, b, call
}

func code(r Reply) int {
	n, _ := r.M["ErrorCode"].(json.Number).Int64()
	return int(n)
}

// Ensure 50 concurrent friend-list changes on one user, spread over two
// instances on one PostgreSQL database, each move CurrentSequence by exactly
// one and leave the list set a serial order gives: 25 workers each add a
// list and then delete it again.
func TestMulti_FriendListSequence(t *testing.T) {
	a, b, call := twoOnPostgres(t, "u")
	seq := func() int64 {
		r, err := call(a, "sns", "group_get", `{"From_Account":"u"}`)
		if err != nil || code(r) != 0 {
			t.Fatalf("group_get: %v %v", r.Raw, err)
		}
		n, _ := r.M["CurrentSequence"].(json.Number).Int64()
		return n
	}
	before := seq()
	errs := make([]error, 25)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := a
			if i%2 == 1 {
				m = b
			}
			name := fmt.Sprintf("list-%02d", i)
			for _, cmd := range []string{"group_add", "group_delete"} {
				r, err := call(m, "sns", cmd, `{"From_Account":"u","GroupName":["`+name+`"]}`)
				if err == nil && code(r) != 0 {
					err = fmt.Errorf("%s %s: %s", cmd, name, r.Raw)
				}
				if err != nil {
					errs[i] = err
					return
				}
				m = map[*Main]*Main{a: b, b: a}[m] // the other instance next
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if after := seq(); after != before+50 {
		t.Fatalf("CurrentSequence %d → %d, want +50", before, after)
	}
	r, _ := call(b, "sns", "group_get", `{"From_Account":"u"}`)
	if items, _ := r.M["ResultItem"].([]any); len(items) != 0 {
		t.Fatalf("lists left after every add was deleted: %s", r.Raw)
	}
}

// Ensure concurrent conversation-group creates and deletes on one user,
// spread over two instances on one PostgreSQL database, never exceed 20
// groups and never hand out one id twice.
func TestMulti_ContactGroupLimitAndIds(t *testing.T) {
	a, b, call := twoOnPostgres(t, "u", "peer")
	handed := &handedIDs{ids: map[int64]string{}}
	errs := make([]error, 40)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := a
			if i%2 == 1 {
				m = b
			}
			errs[i] = createContactGroupOn(call, m, i, handed)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	ids := handed.ids
	r, err := call(a, "recentcontact", "get_contact_group", `{"From_Account":"u","StartIndex":0}`)
	if err != nil || code(r) != 0 {
		t.Fatalf("get_contact_group: %v %v", r.Raw, err)
	}
	var got struct {
		GroupItem []struct {
			GroupName string
			GroupId   int64
		}
	}
	if err := json.Unmarshal([]byte(r.Raw), &got); err != nil {
		t.Fatalf("get_contact_group reply: %v: %s", err, r.Raw)
	}
	if len(got.GroupItem) > 20 {
		t.Fatalf("%d conversation groups, limit 20: %s", len(got.GroupItem), r.Raw)
	}
	var live []int64
	for _, g := range got.GroupItem {
		if ids[g.GroupId] != g.GroupName {
			t.Fatalf("group %s has id %d, handed out to %q", g.GroupName, g.GroupId, ids[g.GroupId])
		}
		live = append(live, g.GroupId)
	}
	sort.Slice(live, func(i, j int) bool { return live[i] < live[j] })
	t.Logf("%d ids handed out, %d groups left: %v", len(ids), len(live), live)
}

// handedIDs are the conversation group ids create replies handed out, with
// the name of the group each was handed out to.
type handedIDs struct {
	mu  sync.Mutex
	ids map[int64]string
}

// createContactGroupOn is worker i of TestMulti_ContactGroupLimitAndIds: it
// creates u's conversation group cg-i on m, records the id handed out, and
// deletes the group again if i%3 == 0. Over the limit (51010) is fine.
func createContactGroupOn(call func(m *Main, svc, cmd, body string) (Reply, error), m *Main, i int, handed *handedIDs) error {
	name := fmt.Sprintf("cg-%02d", i)
	r, err := call(m, "recentcontact", "create_contact_group",
		`{"From_Account":"u","GroupContactItem":[{"GroupName":"`+name+`","ContactItem":[{"Type":1,"To_Account":"peer"}]}]}`)
	if err != nil {
		return err
	}
	switch code(r) {
	case 51010: // over the limit: fine, as long as the limit holds
		return nil
	case 0:
	default:
		return fmt.Errorf("create %s: %s", name, r.Raw)
	}
	var reply struct {
		GroupResultItem []struct {
			GroupItem struct {
				GroupName string
				GroupId   int64
			}
		}
	}
	if err := json.Unmarshal([]byte(r.Raw), &reply); err != nil || len(reply.GroupResultItem) != 1 {
		return fmt.Errorf("create %s: %s", name, r.Raw)
	}
	id := reply.GroupResultItem[0].GroupItem.GroupId
	handed.mu.Lock()
	if prev, dup := handed.ids[id]; dup {
		err = fmt.Errorf("id %d handed out to %s and %s", id, prev, name)
	}
	handed.ids[id] = name
	handed.mu.Unlock()
	if i%3 == 0 { // some are deleted again, freeing room but never their id
		if r, derr := call(m, "recentcontact", "del_contact_group", `{"From_Account":"u","GroupName":["`+name+`"]}`); derr != nil || code(r) != 0 {
			err = fmt.Errorf("delete %s: %v %s", name, derr, r.Raw)
		}
	}
	return err
}
