package main

import (
	"net/http"
	"strings"
	"testing"
)

// Ensure the console is on for the development app: the welcome prints its
// address, it serves its pages, and the app captures its callbacks so the
// console's Callbacks page shows a dismissal arrive without a receiver.
func TestConsole_OnForTheDevelopmentApp(t *testing.T) {
	m := MustRunMain(t, nil)
	w := m.DevWelcome(t)
	if want := "Console:     " + m.URL() + "/console/"; !strings.Contains(w.Out, want) {
		t.Errorf("welcome lacks %q:\n%s", want, w.Out)
	}
	for path, want := range map[string]string{"/console/groups": "groups.js", "/console": "overview.js"} {
		if code, body := get(t, m, path); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("%s: %d %.200s", path, code, body)
		}
	}
	call := func(svc, cmd, body string) Reply {
		t.Helper()
		return m.MustCall(t, 0, w.SDKAppID, w.SecretKey, w.Admin, svc, cmd, body)
	}
	call("group_open_http_svc", "create_group", `{"Owner_Account":"`+w.Admin+`","Type":"Public","Name":"n","GroupId":"c1"}`)
	call("group_open_http_svc", "destroy_group", `{"GroupId":"c1"}`)
	r := call("timd_capture", "wait", `{"CallbackCommand":"Group.CallbackAfterGroupDestroyed","GroupId":"c1","TimeoutMs":10000}`)
	if !strings.Contains(r.Raw, `"GroupId":"c1"`) {
		t.Errorf("no captured dismissal: %s", r.Raw)
	}
}

// Ensure the console is off for a configured app unless TIMD_CONSOLE turns
// it on, and that TIMD_CONSOLE=off leaves the development app's callbacks
// as they were: not recorded without a callback URL.
func TestConsole_Setting(t *testing.T) {
	app := map[string]string{"TIMD_SDKAPPID": "1400000077", "TIMD_SECRET_KEY": "k"}
	for _, c := range []struct {
		name string
		env  map[string]string
		on   bool
	}{
		{"configured", app, false},
		{"configured, on", map[string]string{"TIMD_SDKAPPID": "1400000077", "TIMD_SECRET_KEY": "k", "TIMD_CONSOLE": "on"}, true},
		{"development, off", map[string]string{"TIMD_CONSOLE": "off"}, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := MustRunMain(t, c.env)
			out := m.Welcome(t).Out
			// Off, the REST layer answers the path as any unknown command.
			_, body := get(t, m, "/console/")
			if strings.Contains(body, "timd console") != c.on || strings.Contains(out, "Console:") != c.on {
				t.Errorf("console on %v: /console/ %.100s, welcome:\n%s", c.on, body, out)
			}
			if m.Apps[0].Callback.URL != "" {
				t.Errorf("callback URL %q, want none", m.Apps[0].Callback.URL)
			}
		})
	}
}
