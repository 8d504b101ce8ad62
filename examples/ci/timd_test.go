package ci

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// readyInfo is the part of timd's ready file (TIMD_READY_FILE) a test needs.
type readyInfo struct {
	URL       string `json:"url"`
	SDKAppID  int    `json:"sdkappid"`
	Admin     string `json:"admin"`
	SecretKey string `json:"secret_key"`
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// timdBinary returns the timd to start: $TIMD_BIN when set (a release
// binary, say), else one built from this repository once per run.
func timdBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("TIMD_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "timd-ci-example")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "timd")
		out, err := exec.Command("go", "build", "-o", builtBin, "github.com/timd/timd/cmd/timd").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builtBin
}

// startTimd starts timd on the database data (a SQLite path or a
// postgres:// URL) with callbacks captured and time control on, as
// docs/ci-usage.md does, and stops it when the test ends.
func startTimd(t *testing.T, data string) readyInfo {
	t.Helper()
	readyFile := filepath.Join(t.TempDir(), "ready.json")
	var logs bytes.Buffer
	cmd := exec.Command(timdBinary(t))
	cmd.Env = append(os.Environ(), "TIMD_DATA="+data, "TIMD_ADDR=127.0.0.1:0",
		"TIMD_CALLBACK_URL=internal", "TIMD_TIME_CONTROL=on", "TIMD_RATE_LIMIT=off",
		"TIMD_READY_FILE="+readyFile)
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("timd's log:\n%s", logs.String())
		}
	})
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		select {
		case <-exited:
			t.Fatalf("timd exited before it was ready:\n%s", logs.String())
		default:
		}
		b, err := os.ReadFile(readyFile)
		if err != nil {
			continue
		}
		var info readyInfo
		if err := json.Unmarshal(b, &info); err != nil {
			t.Fatalf("ready file: %v", err)
		}
		return info
	}
	t.Fatal("timd did not write its ready file within 60 s")
	return readyInfo{}
}

// client calls one app of a timd as its admin.
type client struct {
	t        *testing.T
	base     string
	sdkAppID int
	admin    string
	userSig  string
}

// newClient signs an admin UserSig valid for a day with the app's key.
func newClient(t *testing.T, base string, sdkAppID int, key, admin string) *client {
	t.Helper()
	sig, err := tencentyun.GenUserSig(sdkAppID, key, admin, 86400)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, base: base, sdkAppID: sdkAppID, admin: admin, userSig: sig}
}

// reply is a decoded answer; every Tencent reply carries these three.
type reply map[string]any

func (r reply) code() int { n, _ := r["ErrorCode"].(float64); return int(n) }

// call POSTs body (marshalled unless it is already []byte) to path, e.g.
// "v4/group_open_http_svc/create_group" or "timd/v1/capture/wait".
func (c *client) call(path string, body any) reply {
	c.t.Helper()
	b, ok := body.([]byte)
	if !ok {
		var err error
		if b, err = json.Marshal(body); err != nil {
			c.t.Fatal(err)
		}
	}
	url := fmt.Sprintf("%s/%s?sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json",
		c.base, path, c.sdkAppID, c.admin, c.userSig, time.Now().UnixNano()%4294967295)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		c.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: HTTP %d %v: %s", path, resp.StatusCode, err, raw)
	}
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		c.t.Fatalf("%s: %v: %s", path, err, raw)
	}
	return r
}

// ok calls path and fails the test unless timd answers ErrorCode 0.
func (c *client) ok(path string, body any) reply {
	c.t.Helper()
	r := c.call(path, body)
	if r.code() != 0 {
		c.t.Fatalf("%s %v: %v", path, body, r)
	}
	return r
}

// withSig returns a client of the same app and admin whose UserSig is
// valid for expire seconds.
func (c *client) withSig(key string, expire int) *client {
	c.t.Helper()
	sig, err := tencentyun.GenUserSig(c.sdkAppID, key, c.admin, expire)
	if err != nil {
		c.t.Fatal(err)
	}
	return &client{t: c.t, base: c.base, sdkAppID: c.sdkAppID, admin: c.admin, userSig: sig}
}

// on returns c reporting to t, for a subtest.
func (c *client) on(t *testing.T) *client {
	d := *c
	d.t = t
	return &d
}
