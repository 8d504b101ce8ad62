package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// Ensure a timd started with TIMD_CALLBACK_URL=internal captures its
// callbacks, after and before, for timd_capture (at /timd/v1/capture/...),
// and that timd_fault reaches both the REST commands and the callback
// sender, counted in /metrics.
func TestMain_CaptureAndFaults(t *testing.T) {
	m := MustRunMain(t, map[string]string{"TIMD_CALLBACK_URL": "internal", "TIMD_CALLBACK_RETRY": "0s,100ms,100ms"})
	w := m.DevWelcome(t)
	call := func(code int, svc, cmd, body string) Reply {
		t.Helper()
		return m.MustCall(t, code, w.SDKAppID, w.SecretKey, w.Admin, svc, cmd, body)
	}
	call(0, "timd_fault", "set", `{"Service":"group_open_http_svc","Command":"create_group","ErrorCode":10002,"Count":1}`)
	call(0, "timd_fault", "set_callback", `{"CallbackCommand":"Group.CallbackAfterCreateGroup","Action":"Fail","Count":1}`)
	create := `{"Owner_Account":"` + w.Admin + `","Type":"Public","Name":"n","GroupId":"main_cap"}`
	call(10002, "group_open_http_svc", "create_group", create)
	call(0, "group_open_http_svc", "create_group", create)
	call(0, "group_open_http_svc", "destroy_group", `{"GroupId":"main_cap"}`)

	wait := CallURL(m.URL(), "timd_capture", "wait", w.SDKAppID, w.Admin, TencentSig(t, w.SDKAppID, w.SecretKey, w.Admin))
	wait = strings.Replace(wait, "/v4/timd_capture/", "/timd/v1/capture/", 1)
	var got struct {
		Callbacks []struct {
			CallbackCommand, Kind string
			Body                  map[string]any
		}
	}
	for _, cmd := range []string{"Group.CallbackBeforeCreateGroup", "Group.CallbackAfterCreateGroup", "Group.CallbackAfterGroupDestroyed"} {
		r := Post(t, wait, `{"CallbackCommand":"`+cmd+`","TimeoutMs":10000}`)
		if err := json.Unmarshal([]byte(r.Raw), &got); err != nil || r.Code(t) != 0 {
			t.Fatalf("wait %s: %s", cmd, r.Raw)
		}
		if len(got.Callbacks) != 1 || got.Callbacks[0].Body["CallbackCommand"] != cmd {
			t.Errorf("wait %s: %s", cmd, r.Raw)
		}
	}
	code, metrics := get(t, m, "/metrics")
	for _, want := range []string{
		`timd_faults_injected_total{command="create_group",kind="API",service="group_open_http_svc"} 1`,
		`timd_faults_injected_total{command="Group.CallbackAfterCreateGroup",kind="Callback",service="callback"} 1`,
	} {
		if code != http.StatusOK || !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}
