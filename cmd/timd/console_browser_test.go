package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// playwrightVersion is the playwright-core that .ci/run installs into
// internal/console/e2e for this test.
const playwrightVersion = "1.65.2"

// Ensure the console works in a real browser: Chromium, driven by
// playwright-core (internal/console/e2e/console.e2e.js), logs in with the
// development app's secret key, imports an account, sees a group created
// through the API, dismisses it and sees its callback arrive in the log,
// with a screenshot of each page (TIMD_CONSOLE_SCREENSHOTS, by default
// internal/console/e2e/screenshots). Without node, playwright-core or
// Chromium it skips, unless TIMD_CONSOLE_E2E=require (.ci/run sets it once
// it has installed them).
func TestConsole_Browser(t *testing.T) {
	e2e, err := filepath.Abs("../../internal/console/e2e")
	if err != nil {
		t.Fatal(err)
	}
	chromium := os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, err := exec.LookPath("node")
	missing := ""
	switch {
	case err != nil:
		missing = "node is not installed"
	case !exists(filepath.Join(e2e, "node_modules", "playwright-core", "package.json")):
		missing = "playwright-core is not installed: cd internal/console/e2e && npm install --no-save playwright-core@" + playwrightVersion
	case !exists(chromium):
		missing = chromium + " is not installed (apt-get install chromium)"
	}
	if missing != "" {
		if os.Getenv("TIMD_CONSOLE_E2E") == "require" {
			t.Fatal(missing)
		}
		t.Skip(missing)
	}
	shots := os.Getenv("TIMD_CONSOLE_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(e2e, "screenshots")
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}

	m := MustRunMain(t, map[string]string{"TIMD_TIME_CONTROL": "on"}) // the clock's page works too
	w := m.DevWelcome(t)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "console.e2e.js")
	cmd.Dir = e2e
	cmd.Env = append(os.Environ(),
		"TIMD_URL="+m.URL(), "TIMD_SDKAPPID="+strconv.FormatUint(w.SDKAppID, 10), "TIMD_KEY="+w.SecretKey,
		"TIMD_ADMIN="+w.Admin, "TIMD_USERSIG="+TencentSig(t, w.SDKAppID, w.SecretKey, w.Admin),
		"TIMD_SHOTS="+shots, "CHROMIUM="+chromium)
	out, err := cmd.CombinedOutput()
	t.Logf("console.e2e.js (screenshots in %s):\n%s", shots, out)
	if err != nil {
		t.Fatalf("console.e2e.js: %v", err)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
