package compat

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/dobyte/tencent-im/account"

	"github.com/timd/timd/internal/usersig"
)

// setState calls timd's own timd_control/set_state, which the SDK does not
// know, as the administrator, and fails unless it answers OK.
func setState(t *testing.T, base, body string) {
	t.Helper()
	sig, err := usersig.Gen(sdkAppID, sdkKey, "administrator", 3600, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"sdkappid": {fmt.Sprint(sdkAppID)}, "identifier": {"administrator"}, "usersig": {sig},
		"random": {"1"}, "contenttype": {"json"}}
	resp, err := http.Post(base+"/v4/timd_control/set_state?"+q.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(reply), `"ErrorCode":0`) {
		t.Fatalf("set_state %s: %s", body, reply)
	}
}

// Ensure the SDK's online-state calls work against timd: the state set
// through timd_control reads back through GetAccountOnlineState and
// GetAccountsOnlineState (openim/query_online_status), with and without
// detail; an unknown account is 70107; KickAccount (which sends the legacy
// Identifier) logs the account out of every platform.
func TestDobyte_OnlineState(t *testing.T) {
	base := startTimd(t)
	acc := newSDK(t, base).Account()
	if _, err := acc.ImportAccounts("alice", "bob"); err != nil {
		t.Fatal(err)
	}
	setState(t, base, `{"To_Account":"alice","Platform":"iPhone","Action":"Login"}`)
	setState(t, base, `{"To_Account":"alice","Platform":"Web","Action":"Disconnect"}`)

	sdkQueryState(t, acc)

	if err := acc.KickAccount("alice"); err != nil {
		t.Fatalf("KickAccount: %v", err)
	}
	if st, err := acc.GetAccountOnlineState("alice", true); err != nil || st.Status != "Offline" || st.Detail != nil {
		t.Fatalf("after KickAccount: %+v %v", st, err)
	}
	if err := acc.KickAccount("nobody"); codeOf(err) != 70107 {
		t.Fatalf("KickAccount(nobody): %v, want 70107", err)
	}
}

// sdkQueryState reads the state set in TestDobyte_OnlineState through the
// SDK's two queries.
func sdkQueryState(t *testing.T, acc account.API) {
	t.Helper()
	st, err := acc.GetAccountOnlineState("alice", true)
	if err != nil || st == nil || st.Status != "Online" || len(st.Detail) != 2 ||
		st.Detail[0] != (account.OnlineStatusPlatform{Platform: "iPhone", Status: "Online"}) ||
		st.Detail[1] != (account.OnlineStatusPlatform{Platform: "Web", Status: "PushOnline"}) {
		t.Fatalf("GetAccountOnlineState(alice): %+v %v", st, err)
	}
	ret, err := acc.GetAccountsOnlineState([]string{"alice", "bob", "nobody"})
	if err != nil || len(ret.Results) != 2 || ret.Results[1].Status != "Offline" || ret.Results[0].Detail != nil ||
		len(ret.Errors) != 1 || ret.Errors[0].UserId != "nobody" || ret.Errors[0].ErrorCode != 70107 {
		t.Fatalf("GetAccountsOnlineState: %+v %v", ret, err)
	}
	if _, err := acc.GetAccountOnlineState("nobody"); codeOf(err) != 70107 {
		t.Fatalf("GetAccountOnlineState(nobody): %v, want 70107", err)
	}
}
