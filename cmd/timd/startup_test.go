package main

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Ensure a development app's welcome says where its data and key live, as
// an absolute path, even for a relative TIMD_DATA: that this start created
// them, or that it reused them. The log says it too.
func TestMain_DataLocation(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	want := filepath.Join(dir, "timd-data", "timd.db")
	env := map[string]string{"TIMD_DATA": "timd-data/timd.db"}

	m1 := MustRunMain(t, env)
	w1 := m1.DevWelcome(t)
	if !strings.HasPrefix(w1.Data, want+" ") || !strings.Contains(w1.Data, "new database, created now") {
		t.Errorf("first start's Data line %q, want %s and that it was created now", w1.Data, want)
	}
	if !strings.Contains(w1.Out, "(development app created now, stored in the data above") {
		t.Errorf("first start does not say where the new key lives:\n%s", w1.Out)
	}
	if log := m1.Stderr.(*syncBuffer).String(); !strings.Contains(log, `msg="development app created`) ||
		!strings.Contains(log, "data="+want) {
		t.Errorf("the log does not say the app was created in %s:\n%s", want, log)
	}
	if err := m1.Close(); err != nil {
		t.Fatal(err)
	}

	m2 := MustRunMain(t, env)
	w2 := m2.DevWelcome(t)
	if w2.Data != want+"  (existing database, reused)" || strings.Contains(w2.Out, "created now") {
		t.Errorf("second start's Data line %q, want %s reused:\n%s", w2.Data, want, w2.Out)
	}
	if log := m2.Stderr.(*syncBuffer).String(); !strings.Contains(log, `msg="development app reused"`) {
		t.Errorf("the log does not say the app was reused:\n%s", log)
	}
}

// Ensure TIMD_PPROF_ADDR refuses an address other machines can reach unless
// TIMD_PPROF_ALLOW_REMOTE=true, and then warns in the log.
func TestMain_PprofRemote(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0"} {
		env := map[string]string{"TIMD_PPROF_ADDR": addr, "TIMD_DATA": t.TempDir()}
		err := NewMain().ParseFlags(nil, func(k string) string { return env[k] })
		if err == nil || !strings.Contains(err.Error(), "not a loopback address") || !strings.Contains(err.Error(), "TIMD_PPROF_ALLOW_REMOTE") {
			t.Errorf("TIMD_PPROF_ADDR=%s: %v, want a refusal", addr, err)
		}
	}
	m := MustRunMain(t, map[string]string{"TIMD_PPROF_ADDR": "0.0.0.0:0", "TIMD_PPROF_ALLOW_REMOTE": "true"})
	if m.PprofAddr() == "" || !strings.Contains(m.Stderr.(*syncBuffer).String(), "level=WARN msg=\"pprof profiles served on a non-loopback") {
		t.Errorf("allowed remote pprof: addr %q, log:\n%s", m.PprofAddr(), m.Stderr)
	}
}

var rePprofAddr = regexp.MustCompile(`msg="pprof profiles served" addr=(\S+)`)

// Ensure what only a process shows: an in-memory database is one database
// for every connection, a second timd on the same SQLite file exits with a
// message naming the file and the first's pid while the first keeps
// serving, and /debug/pprof/cmdline hides the secrets of the command line.
func TestMain_ProcessStartup(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the timd binary")
	}
	bin := buildTimd(t)

	t.Run("Memory", func(t *testing.T) { startupMemory(t, bin) })
	t.Run("SecondProcess", func(t *testing.T) { startupSecondProcess(t, bin) })
	t.Run("PprofCmdline", func(t *testing.T) { startupPprofCmdline(t, bin) })
}

// startupMemory checks an in-memory database is one database for every
// connection, and that the welcome says it is lost at exit.
func startupMemory(t *testing.T, bin string) {
	cmd := exec.Command(bin, "--data", ":memory:", "--max-conns", "4")
	cmd.Env = timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_RATE_LIMIT=off")
	w, _ := startWelcome(t, cmd)
	if !strings.Contains(w.Out, "(SQLite in memory)") || !strings.Contains(w.Data, "in memory only") ||
		!strings.Contains(w.Data, "lost when timd exits") {
		t.Errorf("welcome does not say the data is in memory and lost at exit:\n%s", w.Out)
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(bin), ":memory:")); err == nil {
		t.Error("a file named :memory: was created")
	}
	if r := Post(t, w.CurlURL, w.CurlBody); r.Raw != okReply {
		t.Fatalf("import alice: %s", r.Raw)
	}
	sig := TencentSig(t, w.SDKAppID, w.SecretKey, w.Admin)
	u := CallURL(strings.SplitN(w.CurlURL, "/v4/", 2)[0], "im_open_login_svc", "account_check", w.SDKAppID, w.Admin, sig)
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for range 12 { // more readers than --max-conns
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				r, err := tryPost(http.DefaultClient, u, `{"CheckItem":[{"UserID":"alice"}]}`)
				if err != nil || !strings.Contains(r.Raw, `"AccountStatus":"Imported"`) {
					errs <- fmt.Sprintf("%v %s", err, r.Raw)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("account_check of alice: %s", e)
	}
}

// startupSecondProcess checks a second timd on the same SQLite file exits
// with a message naming the file and the first's pid while the first keeps
// serving.
func startupSecondProcess(t *testing.T, bin string) {
	data := filepath.Join(t.TempDir(), "timd.db")
	first := exec.Command(bin)
	first.Env = timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+data)
	w, _ := startWelcome(t, first)

	second := exec.Command(bin)
	second.Env = timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+data)
	out, err := runWithTimeout(second, 20*time.Second)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("second timd on %s: %v, want exit status 1\n%s", data, err, out)
	}
	for _, want := range []string{data + " is in use by another process (pid " + strconv.Itoa(first.Process.Pid) + ")",
		data + ".lock", "only one timd may serve a SQLite file"} {
		if !strings.Contains(out, want) {
			t.Errorf("second timd's output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "serving the Tencent Cloud Chat REST API") {
		t.Errorf("second timd served:\n%s", out)
	}
	if r := Post(t, w.CurlURL, w.CurlBody); r.Raw != okReply {
		t.Errorf("first timd after the second's attempt: %s", r.Raw)
	}
}

// startupPprofCmdline checks /debug/pprof/cmdline hides the secrets of the
// command line.
func startupPprofCmdline(t *testing.T, bin string) {
	const key, token, secret = "k3y-that-must-not-leak", "t0ken-that-must-not-leak", "whsec_c2VjcmV0LW11c3Qtbm90LWxlYWs="
	cmd := exec.Command(bin, "--pprof-addr", "127.0.0.1:0", "--sdkappid", "1400000077", "--secret-key", key,
		"--callback-token="+token, "--callback-secret", secret, "--callback-url", "http://cb:pa55word@127.0.0.1:9/cb")
	cmd.Env = timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+t.TempDir())
	_, stderr := startWelcome(t, cmd)
	// stdout and stderr are separate pipes: the welcome can arrive before
	// the log line that names the pprof address, so wait for it.
	var m []string
	for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		m = rePprofAddr.FindStringSubmatch(stderr.String())
	}
	if m == nil {
		t.Fatalf("no pprof address in the log:\n%s", stderr)
	}
	resp, err := http.Get("http://" + m[1] + "/debug/pprof/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	got := string(body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(got, "--secret-key\x00xxxxx") || !strings.Contains(got, "1400000077") {
		t.Errorf("cmdline: %d %q", resp.StatusCode, got)
	}
	for _, s := range []string{key, token, secret, "pa55word"} {
		if strings.Contains(got, s) {
			t.Errorf("cmdline shows %q: %q", s, got)
		}
	}
}

// startWelcome starts cmd, waits for its welcome and stops it when the test
// ends; it returns the welcome and the process's stderr.
func startWelcome(t *testing.T, cmd *exec.Cmd) (Welcome, *syncBuffer) {
	t.Helper()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
	})
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if out := stdout.String(); reAdmin.MatchString(out) && strings.HasSuffix(out, "\n\n") {
			return ParseWelcome(t, out), stderr
		}
		select {
		case err := <-done:
			t.Fatalf("timd exited before its welcome: %v\n%s\n%s", err, stdout, stderr)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatalf("no welcome within 20s:\n%s\n%s", stdout, stderr)
	return Welcome{}, nil
}

// runWithTimeout runs cmd to its end, killing it after d, and returns its
// combined output.
func runWithTimeout(cmd *exec.Cmd, d time.Duration) (string, error) {
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return "", err
	}
	timer := time.AfterFunc(d, func() { cmd.Process.Kill() })
	defer timer.Stop()
	err := cmd.Wait()
	return out.String(), err
}
