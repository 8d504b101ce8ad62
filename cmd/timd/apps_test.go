package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/im"
)

// Ensure an app created with timd_apps has its callbacks delivered by the
// running sender, is served again with its data after a restart, and
// answers 60006 once deleted.
func TestMain_RuntimeApps(t *testing.T) {
	var hits atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.RawQuery, "CallbackCommand=Group.CallbackAfterCreateGroup") {
			hits.Add(1)
		}
		w.Write([]byte(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":""}`))
	}))
	defer rcv.Close()
	env := map[string]string{"TIMD_DATA": filepath.Join(t.TempDir(), "timd.db")}
	m1 := MustRunMain(t, env)
	dev := m1.DevWelcome(t)
	r := m1.MustCall(t, 0, dev.SDKAppID, dev.SecretKey, "administrator", "timd_apps", "create", `{"CallbackURL":"`+rcv.URL+`/cb"}`)
	var app struct {
		SdkAppId  uint64
		SecretKey string
	}
	if err := json.Unmarshal([]byte(r.Raw), &app); err != nil || app.SdkAppId == 0 {
		t.Fatalf("create: %v %s", err, r.Raw)
	}
	m1.MustCall(t, 0, app.SdkAppId, app.SecretKey, "administrator", "group_open_http_svc", "create_group", `{"Type":"Public","Name":"g","GroupId":"g1"}`)
	deadline := time.Now().Add(10 * time.Second)
	for hits.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if hits.Load() == 0 {
		t.Fatal("the new app's Group.CallbackAfterCreateGroup was not delivered")
	}
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}

	m2 := MustRunMain(t, env)
	r = m2.MustCall(t, 0, app.SdkAppId, app.SecretKey, "administrator", "timd_control", "list_objects", `{"Type":"Group"}`)
	if !strings.Contains(r.Raw, `"Id":"g1"`) {
		t.Errorf("the runtime app's groups after a restart: %s", r.Raw)
	}
	m2.MustCall(t, 0, dev.SDKAppID, dev.SecretKey, "administrator", "timd_apps", "delete", fmt.Sprintf(`{"SdkAppId":%d}`, app.SdkAppId))
	m2.MustCall(t, im.CodeSDKAppIDInvalid, app.SdkAppId, app.SecretKey, "administrator", "timd_control", "list_objects", `{"Type":"Group"}`)
}
