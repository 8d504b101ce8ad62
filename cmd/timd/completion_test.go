package main

import (
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/timd/timd/internal/config"
)

// Ensure each completion script offers every command but the hidden one,
// every flag of serve's settings table and of the other commands, and
// parses in its shell (bash always; zsh and fish when installed).
func TestCompletion_Scripts(t *testing.T) {
	for _, shell := range completionShells {
		script, _, err := runCmd("completion", shell)
		if err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		for _, c := range commands {
			if strings.Contains(script, c.name) == c.hidden {
				t.Errorf("%s: command %s offered: %v, hidden: %v", shell, c.name, !c.hidden, c.hidden)
			}
		}
		for _, c := range completable() {
			for _, f := range c.flags() {
				if !strings.Contains(script, f.name) {
					t.Errorf("%s: lacks --%s of %s", shell, f.name, c.name)
				}
			}
		}
		checkSyntax(t, shell, script)
	}
	for _, args := range [][]string{{"completion"}, {"completion", "tcsh"}, {"completion", "bash", "zsh"}} {
		if out, _, err := runCmd(args...); err == nil || out != "" {
			t.Errorf("%v: %q, %v", args, out, err)
		}
	}
}

// checkSyntax parses script with its shell's -n, skipping a shell that is
// not installed (bash must be).
func checkSyntax(t *testing.T, shell, script string) {
	t.Helper()
	if _, err := exec.LookPath(shell); err != nil {
		if shell == "bash" {
			t.Fatal("bash is not installed")
		}
		t.Logf("%s is not installed: its script's syntax is not checked", shell)
		return
	}
	cmd := exec.Command(shell, "-n")
	cmd.Stdin = strings.NewReader(script)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("%s -n: %v\n%s", shell, err, out)
	}
}

// Ensure bash completes what the table says: commands in the first word,
// serve's flags after a flag, a flag's values after it, a subcommand's own
// flags, and completion's shells.
func TestCompletion_Bash(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Fatal("bash is not installed")
	}
	script, _, err := runCmd("completion", "bash")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ words, want string }{
		{"timd he|", "healthcheck help"},
		{"timd --pprof-a|", "--pprof-addr --pprof-allow-remote"},
		{"timd serve --log-level |", "debug info warn error"},
		{"timd --data x --log-f|", "--log-format"},
		{"timd --edition p|", "pro"},
		{"timd --addr |", ""},
		{"timd usersig --s|", "--sdkappid"},
		{"timd healthcheck --|", "--timeout --url"},
		{"timd completion |", "bash zsh fish"},
		{"timd completion bash |", ""},
	} {
		// "|" is the cursor: the last word is being completed.
		words := strings.Split(strings.TrimSuffix(tc.words, "|"), " ")
		cword := len(words) - 1
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, zshQuote(w))
		}
		prog := script + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + "); COMP_CWORD=" + strconv.Itoa(cword) +
			"; _timd; echo \"${COMPREPLY[*]}\""
		out, err := exec.Command("bash", "-c", prog).CombinedOutput()
		if got := strings.TrimSpace(string(out)); err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.words, got, err, tc.want)
		}
	}
}

// Ensure every value completion offers for a setting is one timd accepts,
// and every hint names a setting, so that the hints cannot drift from the
// settings table.
func TestCompletion_Hints(t *testing.T) {
	known := map[string]bool{}
	for _, s := range config.Settings() {
		known[s.Flag] = true
	}
	for name, h := range valueHints {
		if !known[name] {
			t.Errorf("value hint for --%s, which is no setting", name)
		}
		for _, v := range h.values {
			c, err := config.Load([]string{"--" + name, v}, func(string) string { return "" })
			if err == nil {
				err = c.Validate()
			}
			if err != nil {
				t.Errorf("--%s %s, offered by completion: %v", name, v, err)
			}
		}
	}
}

// Ensure every command of the table, which the help and completion show,
// is one run dispatches, and that the usage line names only commands of
// the table.
func TestCommands_Dispatched(t *testing.T) {
	for _, c := range commands {
		if _, _, err := runCmd(c.name, "-h"); err != nil && strings.Contains(err.Error(), "unknown command") {
			t.Errorf("%s is in the command table but run does not know it: %v", c.name, err)
		}
	}
	if _, _, err := runCmd("nosuch"); err == nil || !strings.Contains(err.Error(), "unknown command") {
		t.Errorf("unknown command: %v", err)
	}
	known := map[string]bool{}
	for _, c := range commands {
		known[c.name] = true
	}
	// usage: timd [serve|usersig|...] [flags] ...
	list := usage[strings.Index(usage, "[")+1 : strings.Index(usage, "]")]
	for _, name := range strings.Split(list, "|") {
		if !known[name] {
			t.Errorf("usage names %q, which the command table lacks", name)
		}
	}
}
