package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure timd's own APIs answer under /timd/v1/{name}/{command} as under
// /v4/timd_{name}/{command}, and that the control plane answers only for
// an app whose Control is on: another app gets 60009 saying how to turn it
// on, and nothing changes.
func TestControl_PathsAndGate(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	h.importUsers("alice")
	body := `{"To_Account":"alice","Platform":"Web","Action":"Login"}`
	if r := h.Do("POST", "/timd/v1/control/set_state", AdminQuery(t), body); r.Code(t) != 0 {
		t.Fatalf("/timd/v1/control/set_state: %s", r)
	}
	if r := h.Do("POST", "/timd/v1/callback/list_deliveries", AdminQuery(t), `{}`); r.Code(t) != 0 {
		t.Fatalf("/timd/v1/callback/list_deliveries: %s", r)
	}
	if r := h.Do("POST", "/timd/v1/control/no_such", AdminQuery(t), `{}`); r.Code(t) != 60009 {
		t.Fatalf("unknown control command: %s", r)
	}
	other := "sdkappid=1400000002&identifier=administrator&usersig=" + Sig(t, OtherAppID, OtherKey, Admin, 86400) +
		"&random=1&contenttype=json"
	r := h.Do("POST", "/v4/timd_control/set_state", other, body)
	if r.Code(t) != 60009 || !strings.Contains(r.Raw, "TIMD_CONTROL=on") {
		t.Fatalf("control plane of an app without it: %s", r)
	}
}
