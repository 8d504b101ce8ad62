package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure deploy/timd.service keeps its hardening, and that systemd, when
// installed, reads it without a complaint and rates its exposure OK.
func TestDist_SystemdUnit(t *testing.T) {
	b, err := os.ReadFile("../../deploy/timd.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, line := range []string{"DynamicUser=yes", "StateDirectory=timd", "ProtectSystem=strict", "ProtectHome=yes",
		"NoNewPrivileges=yes", "PrivateTmp=yes", "PrivateDevices=yes", "CapabilityBoundingSet=", "AmbientCapabilities=",
		"ExecStart=/usr/local/bin/timd serve", "Environment=TIMD_DATA=%S/timd/timd.db"} {
		if !strings.Contains(unit, "\n"+line+"\n") {
			t.Errorf("deploy/timd.service lacks the line %s", line)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit is not verified by systemd")
	}
	// verify checks that ExecStart names an executable: this test's own.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "timd.service")
	unit = strings.Replace(unit, "ExecStart=/usr/local/bin/timd", "ExecStart="+self, 1)
	if err := os.WriteFile(path, []byte(unit), 0o644); err != nil {
		t.Fatal(err)
	}
	// verify warns of unknown keys and bad values but exits 0 all the same.
	if out, err := exec.Command(analyze, "verify", path).CombinedOutput(); err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	help, _ := exec.Command(analyze, "security", "--help").CombinedOutput()
	if !strings.Contains(string(help), "--offline") {
		t.Logf("systemd-analyze security has no --offline: the unit's exposure is not rated")
		return
	}
	// Exposure is 0 (best) to 10; --threshold is in tenths.
	if out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=20", path).CombinedOutput(); err != nil {
		t.Errorf("systemd-analyze security: exposure over 2.0: %v\n%s", err, out)
	}
}
