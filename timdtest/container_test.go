//go:build unix

package timdtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/timd/timd/timdtest"
)

// Ensure the container mode runs the image with Run's settings, finds the
// published port and stops the container on Close. testdata/fake-engine
// stands in for docker, running a timd binary built from this checkout as
// the image would run it; a real engine is TIMDTEST_IMAGE's to try.
func TestRun_Container(t *testing.T) {
	if testing.Short() {
		t.Skip("builds timd")
	}
	for _, tool := range []string{"bash", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("needs %s", tool)
		}
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "timd")
	if out, err := exec.Command("go", "build", "-o", bin, "../cmd/timd").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	engine, err := filepath.Abs("testdata/fake-engine")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TIMDTEST_ENGINE", engine)
	t.Setenv("FAKE_ENGINE_DIR", dir)
	t.Setenv("FAKE_ENGINE_TIMD", bin)

	srv := timdtest.Start(t, timdtest.WithImage("timd:test"), timdtest.WithEnv("TIMD_ADMINS", "boss"))
	if srv.Admin != "boss" || !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Errorf("server %+v", srv)
	}
	call(t, srv, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
	call(t, srv, "timd_clock", "advance", `{"Seconds":60}`)

	image, _ := os.ReadFile(filepath.Join(dir, "image"))
	env, _ := os.ReadFile(filepath.Join(dir, "env"))
	if string(image) != "timd:test\n" {
		t.Errorf("image %q", image)
	}
	for _, want := range []string{"TIMD_ADDR=0.0.0.0:8080", "TIMD_DATA=:memory:", "TIMD_CALLBACK_URL=internal",
		"TIMD_SDKAPPID=" + strconv.FormatUint(srv.SdkAppID, 10), "TIMD_SECRET_KEY=" + srv.SecretKey} {
		if !strings.Contains("\n"+string(env), "\n"+want+"\n") {
			t.Errorf("settings lack %s:\n%s", want, env)
		}
	}
	pidText, _ := os.ReadFile(filepath.Join(dir, "pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(pidText)))
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if pid == 0 || syscall.Kill(pid, 0) == nil {
		t.Errorf("timd %d still runs after Close", pid)
	}
}
