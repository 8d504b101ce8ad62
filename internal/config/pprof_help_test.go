package config

import (
	"bytes"
	"strings"
	"testing"
)

// Ensure TIMD_PPROF_ADDR takes only a loopback address unless
// TIMD_PPROF_ALLOW_REMOTE says otherwise, and that the error tells how.
func TestConfig_PprofLoopbackOnly(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:6060": true, "localhost:6060": true, "[::1]:0": true, "127.0.0.2:1": true,
		"0.0.0.0:6060": false, ":6060": false, "[::]:6060": false, "10.0.0.5:6060": false,
		"pprof.example:6060": false, "6060": false,
	} {
		c, err := Load(nil, env(map[string]string{"TIMD_PPROF_ADDR": addr}))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		if ok && err != nil {
			t.Errorf("%s refused: %v", addr, err)
		}
		if !ok && (err == nil || !strings.Contains(err.Error(), "not a loopback address") ||
			!strings.Contains(err.Error(), "TIMD_PPROF_ALLOW_REMOTE=true")) {
			t.Errorf("%s: Validate = %v, want a refusal naming TIMD_PPROF_ALLOW_REMOTE", addr, err)
		}
	}
	for _, args := range [][]string{{"--pprof-allow-remote"}, {"--pprof-allow-remote=true"}} {
		c, err := Load(append([]string{"--pprof-addr", "0.0.0.0:6060"}, args...), env(nil))
		if err != nil || c.Validate() != nil {
			t.Errorf("%v: %v, %v", args, err, c.Validate())
		}
	}
	c, err := Load(nil, env(map[string]string{"TIMD_PPROF_ADDR": "0.0.0.0:6060", "TIMD_PPROF_ALLOW_REMOTE": "true"}))
	if err != nil || c.Validate() != nil {
		t.Errorf("TIMD_PPROF_ALLOW_REMOTE=true: %v, %v", err, c.Validate())
	}
	if _, err := Load(nil, env(map[string]string{"TIMD_PPROF_ALLOW_REMOTE": "maybe"})); err == nil {
		t.Error("TIMD_PPROF_ALLOW_REMOTE=maybe accepted")
	}
}

// Ensure the help shows every setting of the table with its variable and a
// real default, and that the defaults shown are Default()'s.
func TestConfig_WriteHelp(t *testing.T) {
	var b bytes.Buffer
	WriteHelp(&b)
	help := b.String()
	for _, s := range append([]setting{{flag: "config", env: EnvConfigFile}}, settings...) {
		line := "--" + s.flag
		i := strings.Index(help, "  "+line+" ")
		if i < 0 {
			t.Errorf("help lacks %s", line)
			continue
		}
		first := help[i:]
		first = first[:strings.IndexByte(first, '\n')]
		if !strings.Contains(first, "("+s.env+", default ") || strings.Contains(first, "default ?") {
			t.Errorf("help line of %s lacks its variable or default: %q", line, first)
		}
	}
	for _, want := range []string{
		"--addr value  (TIMD_ADDR, default 127.0.0.1:8080)",
		"--data value  (TIMD_DATA, default timd-data/timd.db)",
		"(TIMD_CALLBACK_RETRY, default 0s,5s,5m,30m,2h,5h,10h,10h)",
		"(TIMD_CALLBACK_RETENTION, default 168h)",
		"(TIMD_MAX_CONNS, default 16)",
		"--pprof-allow-remote  (TIMD_PPROF_ALLOW_REMOTE, default false)",
		"--proxy-addr value  (TIMD_PROXY_ADDR, default off)",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
}
