//go:build unix

package main

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"gopkg.in/yaml.v3"
)

// The GitHub Action (action.yml): its step, scripts/action-start.sh, runs
// here as a runner runs it, with GITHUB_ENV and the other files of the
// runner in a temporary directory, and the release served from file://.

// Ensure action.yml is a composite action whose one step runs
// scripts/action-start.sh with every input, and whose outputs are the
// step's.
func TestAction_YAML(t *testing.T) {
	b, err := os.ReadFile("../../action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Name    string
		Inputs  map[string]struct{ Description, Default string }
		Outputs map[string]struct{ Description, Value string }
		Runs    struct {
			Using string
			Steps []struct {
				ID, Shell, Run string
				Env            map[string]string
			}
		}
	}
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	if a.Name == "" || a.Runs.Using != "composite" || len(a.Runs.Steps) != 1 {
		t.Fatalf("action.yml: name %q, runs %+v", a.Name, a.Runs)
	}
	step := a.Runs.Steps[0]
	if step.Shell != "bash" || !strings.Contains(step.Run, "$GITHUB_ACTION_PATH/scripts/action-start.sh") {
		t.Errorf("step %+v", step)
	}
	for _, in := range []string{"version", "sdkappid", "port", "binary"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("no input %s", in)
		}
		if env := "INPUT_" + strings.ToUpper(in); step.Env[env] != "${{ inputs."+in+" }}" {
			t.Errorf("step env %s = %q", env, step.Env[env])
		}
	}
	if v := a.Inputs["version"].Default; len(strings.Split(v, ".")) != 3 || strings.HasPrefix(v, "v") {
		t.Errorf("version default %q is not a release without its v", v)
	}
	for _, out := range []string{"url", "sdkappid", "admin", "admin-sig", "secret-key", "pid"} {
		if got := a.Outputs[out].Value; got != "${{ steps."+step.ID+".outputs."+out+" }}" {
			t.Errorf("output %s = %q", out, got)
		}
	}
	for _, path := range []string{"../../docs/ci-usage.md", "../../README.md", "../../docs/deploy.md"} {
		doc, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(doc), "uses: timd/timd@v"+a.Inputs["version"].Default) {
			t.Errorf("%s does not use the action's pinned release v%s (%v)", path, a.Inputs["version"].Default, err)
		}
	}
}

// testAction runs the action's step on the release archives in dist (of
// version distVersion): downloaded and checked, then from a binary with an
// SDKAppID given; each time timd serves a call with the exported UserSig.
// An archive that does not match checksums.txt is refused. The GitLab job
// of docs/ci-usage.md runs on the same archive.
func testAction(t *testing.T, dist, bin string) {
	for _, tool := range []string{"curl", "tar", "od"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the action's step needs %s", tool)
		}
	}
	releases := t.TempDir()
	rel := filepath.Join(releases, "v"+distVersion)
	name := "timd_" + distVersion + "_" + runtime.GOOS + "_" + runtime.GOARCH + ".tar.gz"
	for _, f := range []string{name, "checksums.txt"} {
		b, err := os.ReadFile(filepath.Join(dist, f))
		if err == nil {
			err = os.MkdirAll(rel, 0o755)
		}
		if err == nil {
			err = os.WriteFile(filepath.Join(rel, f), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Run("gitlab", func(t *testing.T) { testGitLab(t, releases) })
	download := "TIMD_ACTION_DOWNLOAD_URL=file://" + releases
	env, out := runAction(t, "INPUT_VERSION="+distVersion, download)
	if !strings.Contains(out, "timd "+distVersion) {
		t.Errorf("the step did not run the release:\n%s", out)
	}
	checkActionEnv(t, env, 0)

	env, _ = runAction(t, "INPUT_BINARY="+bin, "INPUT_SDKAPPID=1400000123")
	checkActionEnv(t, env, 1400000123)

	if err := os.WriteFile(filepath.Join(rel, name), []byte("not the archive"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd, _ := actionCmd(t, "INPUT_VERSION="+distVersion, download)
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "does not match its sum in checksums.txt") {
		t.Errorf("a corrupt archive: %v\n%s", err, out)
	}
}

// actionCmd is the action's step as a runner runs it, with the inputs
// vars, on a free port; it returns the command and the runner's temporary
// directory.
func actionCmd(t *testing.T, vars ...string) (*exec.Cmd, string) {
	runner := t.TempDir()
	cmd := exec.Command("bash", "../../scripts/action-start.sh")
	cmd.Env = timdEnv(append([]string{"RUNNER_TEMP=" + runner, "INPUT_PORT=" + freePort(t),
		"GITHUB_ENV=" + filepath.Join(runner, "env"), "GITHUB_OUTPUT=" + filepath.Join(runner, "output"),
		"GITHUB_PATH=" + filepath.Join(runner, "path")}, vars...)...)
	return cmd, runner
}

// runAction runs the step, stops the timd it started when the test ends,
// and returns what it wrote to GITHUB_ENV and its output.
func runAction(t *testing.T, vars ...string) (map[string]string, string) {
	cmd, runner := actionCmd(t, vars...)
	out, err := cmd.CombinedOutput()
	env := readEnvFile(t, filepath.Join(runner, "env"))
	if pid, _ := strconv.Atoi(env["TIMD_PID"]); pid > 0 {
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGTERM) }) // it may have exited: the test says so
	}
	if err != nil {
		t.Fatalf("action-start.sh: %v\n%s", err, out)
	}
	path, _ := os.ReadFile(filepath.Join(runner, "path"))
	if want := filepath.Join(runner, "timd-action") + "\n"; string(path) != want {
		t.Errorf("GITHUB_PATH = %q, want %q", path, want)
	}
	outputs := readEnvFile(t, filepath.Join(runner, "output"))
	if outputs["url"] != env["TIMD_URL"] || outputs["admin-sig"] != env["TIMD_ADMIN_SIG"] {
		t.Errorf("outputs %v differ from the exported %v", outputs, env)
	}
	return env, string(out)
}

// checkActionEnv checks the exported variables reach a serving timd:
// account_import answers 0 with TIMD_ADMIN_SIG. appID, when not 0, is the
// SDKAppID the step was given.
func checkActionEnv(t *testing.T, env map[string]string, appID uint64) {
	t.Helper()
	id, err := strconv.ParseUint(env["TIMD_SDKAPPID"], 10, 64)
	if err != nil || (appID != 0 && id != appID) || env["TIMD_ADMIN"] != "administrator" || env["TIMD_SECRET_KEY"] == "" {
		t.Fatalf("exported %v", env)
	}
	r := Post(t, CallURL(env["TIMD_URL"], "im_open_login_svc", "account_import", id, "administrator", env["TIMD_ADMIN_SIG"]), `{"UserID":"alice"}`)
	if r.Code(t) != 0 {
		t.Errorf("account_import with the exported UserSig: %s", r.Raw)
	}
	r = Post(t, CallURL(env["TIMD_URL"], "timd_capture", "list", id, "administrator", env["TIMD_ADMIN_SIG"]), `{}`)
	if r.Code(t) != 0 {
		t.Errorf("the control plane is off: %s", r.Raw)
	}
}

// readEnvFile reads a GITHUB_ENV-style file of NAME=value lines.
func readEnvFile(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }() // read only
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			m[k] = v
		}
	}
	return m
}

// testGitLab runs the before_script of docs/ci-usage.md's GitLab job, as
// GitLab would, on the release in releases (file://), with its paths moved
// into a temporary directory and timd on a free port; the variables it
// exports reach a serving timd.
func testGitLab(t *testing.T, releases string) {
	doc, err := os.ReadFile("../../docs/ci-usage.md")
	if err != nil {
		t.Fatal(err)
	}
	_, job, _ := strings.Cut(string(doc), "## GitLab CI\n")
	_, job, _ = strings.Cut(job, "```yaml\n")
	job, _, _ = strings.Cut(job, "```")
	var gl map[string]struct {
		Variables    map[string]string
		BeforeScript []string `yaml:"before_script"`
	}
	if err := yaml.Unmarshal([]byte(job), &gl); err != nil {
		t.Fatalf("the GitLab job does not parse: %v\n%s", err, job)
	}
	test := gl["test"]
	if len(test.BeforeScript) != 1 || test.Variables["TIMD_VERSION"] == "" {
		t.Fatalf("the GitLab job: %+v", test)
	}
	dir := t.TempDir()
	script := strings.NewReplacer("/usr/local/bin", dir, "/tmp/", dir+"/", "cd /tmp ", "cd "+dir+" ").Replace(test.BeforeScript[0])
	script += "\necho TIMD_URL=$TIMD_URL; echo TIMD_SDKAPPID=$TIMD_SDKAPPID; echo TIMD_ADMIN_SIG=$TIMD_ADMIN_SIG; echo TIMD_PID=$!\n"
	cmd := exec.Command("bash", "-ec", script)
	cmd.Dir = dir
	cmd.Env = timdEnv("TIMD_VERSION="+distVersion, "TIMD_RELEASE=file://"+releases,
		"TIMD_ADDR=127.0.0.1:"+freePort(t), "PATH="+dir+":"+os.Getenv("PATH"))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	env := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			env[k] = v
		}
	}
	if pid, _ := strconv.Atoi(env["TIMD_PID"]); pid > 0 {
		t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGTERM) }) // it may have exited: the test says so
	}
	if err != nil {
		t.Fatalf("the GitLab before_script: %v\n%s%s", err, out, stderr.String())
	}
	env["TIMD_ADMIN"], env["TIMD_SECRET_KEY"] = "administrator", "(not exported)"
	checkActionEnv(t, env, 0)
}
