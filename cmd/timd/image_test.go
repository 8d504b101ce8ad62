//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The image's user (distroless's nonroot) and the bases the Dockerfile
// builds from.
const (
	imageUID     = 65532
	imageBuild   = "golang:1.26"
	imageRuntime = "gcr.io/distroless/static-debian12:nonroot"
)

// testImage checks the container image: built and run by a container engine
// when one answers and has (or can pull) the Dockerfile's base images; else
// the same root file system, the static binary bin and a data directory,
// run as the image runs it.
func testImage(t *testing.T, bin string) {
	if engine := containerEngine(t); engine != "" {
		testContainer(t, engine)
		return
	}
	testRootfs(t, bin)
}

// containerEngine is docker or podman when it answers and has the base
// images, else "" (the test says why).
func containerEngine(t *testing.T) string {
	for _, engine := range []string{"docker", "podman"} {
		if _, err := exec.LookPath(engine); err != nil {
			continue
		}
		if out, err := engineRun(30*time.Second, engine, "info"); err != nil {
			t.Logf("%s does not answer (%v): checking the image's root file system instead\n%s", engine, err, lastLine(out))
			continue
		}
		for _, image := range []string{imageBuild, imageRuntime} {
			if _, err := engineRun(10*time.Second, engine, "image", "inspect", image); err == nil {
				continue
			}
			if out, err := engineRun(2*time.Minute, engine, "pull", image); err != nil {
				t.Logf("%s cannot pull %s (%v): checking the image's root file system instead\n%s", engine, image, err, lastLine(out))
				return ""
			}
		}
		return engine
	}
	return ""
}

// testContainer builds the image from the Dockerfile, checks its size, runs
// it with a volume and asks it `timd healthcheck`, as its HEALTHCHECK does.
func testContainer(t *testing.T, engine string) {
	tag := "timd-disttest:" + strconv.Itoa(os.Getpid())
	if out, err := engineRun(10*time.Minute, engine, "build", "-t", tag, "--build-arg", "VERSION="+distVersion, "../.."); err != nil {
		t.Fatalf("%s build: %v\n%s", engine, err, out)
	}
	t.Cleanup(func() { _, _ = engineRun(time.Minute, engine, "rmi", "-f", tag) })
	out, err := engineRun(time.Minute, engine, "image", "inspect", "--format", "{{.Size}}", tag)
	if size, _ := strconv.ParseInt(strings.TrimSpace(out), 10, 64); err != nil || size <= 0 || size >= 30<<20 {
		t.Errorf("image size %q (%v), want under 30 MB", out, err)
	}
	name := "timd-disttest-" + strconv.Itoa(os.Getpid())
	if out, err := engineRun(time.Minute, engine, "run", "-d", "--name", name, "-v", "/data", "-p", "127.0.0.1::8080", tag); err != nil {
		t.Fatalf("%s run: %v\n%s", engine, err, out)
	}
	t.Cleanup(func() { _, _ = engineRun(time.Minute, engine, "rm", "-f", "-v", name) })
	if out := awaitHealthy(t, func() (string, error) { return engineRun(10*time.Second, engine, "exec", name, "/timd", "healthcheck") }); !strings.HasPrefix(out, "ready: http://127.0.0.1:8080/readyz answered 200") {
		logs, _ := engineRun(time.Minute, engine, "logs", name)
		t.Fatalf("healthcheck in the container: %q\n%s", out, logs)
	}
	if out, err := engineRun(time.Minute, engine, "exec", name, "/timd", "version"); err != nil || !strings.HasPrefix(out, "timd "+distVersion+"\n") {
		t.Errorf("timd version in the container: %v\n%s", err, out)
	}
}

// testRootfs runs bin as the image does, with the image's environment and
// nothing else (no HOME, no PATH), in a directory it cannot write but for
// its data directory (as the image's nonroot user when the test runs as
// root), and checks `timd healthcheck` fails before it serves, passes once
// it does, and fails once it has stopped.
func testRootfs(t *testing.T, bin string) {
	root := rootfs(t, bin)
	port := freePort(t)
	env := []string{"TIMD_ADDR=0.0.0.0:" + port, "TIMD_DATA=" + filepath.Join(root, "data", "timd.db")}
	healthcheck := func() (string, error) {
		cmd := asImageUser(exec.Command(filepath.Join(root, "timd"), "healthcheck"), env, root)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := healthcheck(); err == nil || !strings.HasPrefix(out, "timd: not ready: ") || strings.Count(out, "\n") != 1 {
		t.Errorf("healthcheck before timd serves: %v, %q", err, out)
	}
	var stdout, stderr syncBuffer
	cmd := asImageUser(exec.Command(filepath.Join(root, "timd")), env, root)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if out := awaitHealthy(t, healthcheck); out != "ready: http://127.0.0.1:"+port+"/readyz answered 200 ok\n" {
		t.Fatalf("healthcheck: %q\nstdout:\n%s\nstderr:\n%s", out, &stdout, &stderr)
	}
	if entries, _ := os.ReadDir(root); len(entries) != 2 {
		t.Errorf("timd wrote outside its data directory: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(root, "data", "timd.db")); err != nil {
		t.Errorf("no database in the data directory: %v", err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("timd on SIGTERM: %v\n%s", err, &stderr)
	}
	if out, err := healthcheck(); err == nil || !strings.HasPrefix(out, "timd: not ready: ") {
		t.Errorf("healthcheck after timd stopped: %v, %q", err, out)
	}
}

// rootfs lays out the image's files in a new directory: the binary and an
// empty data directory, the only one the image's user may write.
func rootfs(t *testing.T, bin string) string {
	root := t.TempDir()
	b, err := os.ReadFile(bin)
	if err == nil {
		err = os.WriteFile(filepath.Join(root, "timd"), b, 0o755)
	}
	if err == nil {
		err = os.Mkdir(filepath.Join(root, "data"), 0o700)
	}
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		// The image's user must reach root (t.TempDir's are 0700) and own
		// data; root itself stays root's.
		for _, dir := range []string{filepath.Dir(root), root} {
			if err := os.Chmod(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Chown(filepath.Join(root, "data"), imageUID, imageUID); err != nil {
			t.Fatal(err)
		}
		return root
	}
	if err := os.Chmod(root, 0o555); err != nil {
		t.Fatal(err)
	}
	// Writable again for t.TempDir to remove; if not, that cleanup reports it.
	t.Cleanup(func() { _ = os.Chmod(root, 0o755) })
	return root
}

// asImageUser makes cmd run with env alone, in dir, as the image's user
// when the test runs as root.
func asImageUser(cmd *exec.Cmd, env []string, dir string) *exec.Cmd {
	cmd.Env, cmd.Dir = env, dir
	if os.Geteuid() == 0 {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: imageUID, Gid: imageUID}}
	}
	return cmd
}

// awaitHealthy runs healthcheck until it succeeds, for up to 20 seconds,
// and returns its last output.
func awaitHealthy(t *testing.T, healthcheck func() (string, error)) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, err := healthcheck()
		if err == nil || time.Now().After(deadline) {
			return out
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// engineRun runs a container engine's command and returns its output.
func engineRun(timeout time.Duration, engine string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, engine, args...).CombinedOutput()
	return string(out), err
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
