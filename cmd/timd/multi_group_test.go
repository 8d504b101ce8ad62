package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure 64 concurrent destroy_group calls on one group, spread over two
// timd instances sharing one PostgreSQL database, dismiss it exactly once:
// one OK, 63 × 10010, and one Group.CallbackAfterGroupDestroyed event.
func TestMulti_DestroyGroupOnce(t *testing.T) {
	dsn := dbtest.PostgresDSN(t)
	const appID, key = 1400000077, "multi-destroy-key"
	env := map[string]string{
		"TIMD_DATA": dsn, "TIMD_SDKAPPID": fmt.Sprint(appID), "TIMD_SECRET_KEY": key,
		"TIMD_RATE_LIMIT": "off", "TIMD_CALLBACK_URL": "http://127.0.0.1:9/callback",
	}
	a, b := MustRunMain(t, env), MustRunMain(t, env)
	const login, group = "im_open_login_svc", "group_open_http_svc"
	a.MustCall(t, 0, appID, key, "administrator", login, "multiaccount_import", `{"Accounts":["alice","bob","carol"]}`)
	r := b.MustCall(t, 0, appID, key, "administrator", group, "create_group",
		`{"Owner_Account":"alice","Type":"Public","Name":"doomed","MemberList":[{"Member_Account":"bob"},{"Member_Account":"carol"}]}`)
	id := r.M["GroupId"].(string)
	body := `{"GroupId":"` + id + `"}`

	sigs := map[*Main]string{a: TencentSig(t, appID, key, "administrator"), b: TencentSig(t, appID, key, "administrator")}
	codes := make([]int, 64)
	errs := make([]error, 64)
	var wg sync.WaitGroup
	for i := range codes {
		m := a
		if i%2 == 1 {
			m = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			// No t.Fatal off the test goroutine: collect, then check.
			r, err := tryPost(http.DefaultClient, CallURL(m.URL(), group, "destroy_group", appID, "administrator", sigs[m]), body)
			if err == nil {
				var n int64
				if n, err = r.M["ErrorCode"].(json.Number).Int64(); err == nil {
					codes[i] = int(n)
				}
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if count[0] != 1 || count[im.CodeGroupNotFound] != 63 {
		t.Fatalf("codes = %v, want one 0 and 63 × 10010", count)
	}

	events, err := a.Store.Events(context.Background(), appID)
	if err != nil {
		t.Fatal(err)
	}
	destroyed := 0
	for _, ev := range events {
		if ev.Command == im.CallbackAfterGroupDestroyed {
			destroyed++
			if ev.Key != id {
				t.Errorf("event key %q, want %q", ev.Key, id)
			}
		}
	}
	if destroyed != 1 {
		t.Fatalf("%d Group.CallbackAfterGroupDestroyed events, want 1", destroyed)
	}
	b.MustCall(t, 10010, appID, key, "administrator", group, "destroy_group", body)
	r = a.MustCall(t, 0, appID, key, "administrator", group, "get_group_info", `{"GroupIdList":["`+id+`"]}`)
	if info := r.M["GroupInfo"].([]any)[0].(map[string]any); fmt.Sprint(info["ErrorCode"]) != "10010" {
		t.Fatalf("get_group_info after dismissal: %s", r.Raw)
	}
}
