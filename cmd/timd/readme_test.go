package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The README's walkthrough, the sections from "## A first call" up to the
// next "## " heading, is run as a user would paste it: timd starts on a
// fresh data directory, the line its banner offers to paste ("Q=...") is
// pasted, then every ```sh block of those sections in order, literally, in
// one bash. Each command's output is checked against the "# ..." lines
// that follow it in the README:
//
//   - the comment lines after a command are its expected output, joined
//     (a continuation line's leading "#" and spaces dropped);
//   - "..." stands for anything (spaces next to it do not count);
//   - a GroupId "@TGS#..." and a 10-digit number (a time, also at the
//     end of a MsgKey) match any other;
//   - a command that prints something must be followed by its output.
//
// The README's URLs name 127.0.0.1:8080; a curl shim sends them to the timd
// under test instead (the port may be taken), and a go shim runs the built
// binary for "go run ./cmd/timd ...", as the commands run outside the
// repository.

// readmeStep is one command of the walkthrough and the output shown after it.
type readmeStep struct {
	line    int    // README line of the command's first line
	command string // as in the README, continuation lines included
	expect  string // "" when the README shows no output
}

// readmeWalkthrough extracts the steps of the walkthrough's ```sh blocks.
func readmeWalkthrough(t *testing.T, readme string) []readmeStep {
	t.Helper()
	lines := strings.Split(readme, "\n")
	start := -1
	for i, l := range lines {
		if l == "## A first call" {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatal(`README.md has no "## A first call" section`)
	}
	var steps []readmeStep
	inBlock, continued := false, false
	for i := start + 1; i < len(lines); i++ {
		l := lines[i]
		switch {
		case !inBlock && strings.HasPrefix(l, "## "):
			return steps
		case !inBlock:
			inBlock = l == "```sh"
			continue
		case l == "```":
			inBlock, continued = false, false
			continue
		case strings.TrimSpace(l) == "":
			continue
		case strings.HasPrefix(l, "#") && !continued:
			if len(steps) == 0 {
				t.Fatalf("README.md:%d: output with no command before it", i+1)
			}
			s := &steps[len(steps)-1]
			if s.expect == "" {
				s.expect = strings.TrimPrefix(strings.TrimPrefix(l, "#"), " ")
			} else {
				s.expect += strings.TrimLeft(l[1:], " ")
			}
			continue
		case continued:
			steps[len(steps)-1].command += "\n" + l
		default:
			steps = append(steps, readmeStep{line: i + 1, command: l})
		}
		continued = strings.HasSuffix(l, `\`)
	}
	return steps
}

var (
	reReadmeGroupID = regexp.MustCompile(`@TGS#[A-Za-z0-9_]+`)
	// A time stands alone or ends a MsgKey ("93847636_1287657_1796475506").
	reReadmeTime = regexp.MustCompile(`(\b|_)[0-9]{10}\b`)
)

// readmeMatch reports whether got is the output expect shows.
func readmeMatch(expect, got string) bool {
	pieces := strings.Split(expect, "...")
	for i, p := range pieces {
		if i > 0 {
			p = strings.TrimLeft(p, " ")
		}
		if i < len(pieces)-1 {
			p = strings.TrimRight(p, " ")
		}
		p = regexp.QuoteMeta(p)
		p = reReadmeGroupID.ReplaceAllLiteralString(p, `@TGS#[A-Za-z0-9_@#]+`)
		pieces[i] = reReadmeTime.ReplaceAllString(p, `${1}[0-9]{10}`)
	}
	return regexp.MustCompile(`(?s)^` + strings.Join(pieces, `.*`) + `$`).MatchString(got)
}

// Ensure the walkthrough matches the rules above on this README's own
// examples, so that a broken README fails for what it says.
func TestReadmeMatch(t *testing.T) {
	for _, tc := range []struct {
		expect, got string
		ok          bool
	}{
		{`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, true},
		{`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, `{"ActionStatus":"FAIL","ErrorInfo":"x","ErrorCode":60006}`, false},
		{`... "TotalCount":0,"GroupIdList":[]}`, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"TotalCount":0,"GroupIdList":[]}`, true},
		{`... "TotalCount":0,"GroupIdList":[]}`, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"TotalCount":1,"GroupIdList":[]}`, false},
		{`... "GroupInfo":[{"GroupId":"@TGS#2J4SZEAEL","ErrorCode":0,...,"MemberNum":3,...}]}`,
			`{"ActionStatus":"OK","GroupInfo":[{"GroupId":"@TGS#2ABCDEFGH","ErrorCode":0,"Type":"Public","MemberNum":3,"MaxMemberNum":2000}]}`, true},
		{`... "GroupInfo":[{"GroupId":"@TGS#2J4SZEAEL","ErrorCode":0,...,"MemberNum":3,...}]}`,
			`{"ActionStatus":"OK","GroupInfo":[{"GroupId":"@TGS#2ABCDEFGH","ErrorCode":0,"Type":"Public","MemberNum":2,"MaxMemberNum":2000}]}`, false},
		{`... {"Tag":"Tag_SNS_IM_AddTime","Value":1795320163}]}`, `{"Tag":"Tag_SNS_IM_AddTime","Value":1767322800}]}`, true},
		{`... {"Tag":"Tag_SNS_IM_AddTime","Value":1795320163}]}`, `{"Tag":"Tag_SNS_IM_AddTime","Value":17673228001}]}`, false},
		{`@TGS#2J4SZEAEL`, `@TGS#2ABCDEFGH`, true},
		{`@TGS#2J4SZEAEL`, ``, false},
	} {
		if got := readmeMatch(tc.expect, tc.got); got != tc.ok {
			t.Errorf("readmeMatch(%s, %s) = %v", tc.expect, tc.got, got)
		}
	}
}

// rePasteLine is the line of the banner a user pastes into a shell.
// reServing finds the URL in the welcome, whose wording this test checks.
var reServing = regexp.MustCompile(`serving the Tencent Cloud Chat REST API at (http://\S+) `)

var rePasteLine = regexp.MustCompile(`(?m)^  (Q='[^'\n]*'.*)$`)

// Ensure pasting the README's walkthrough into a shell on a fresh machine
// gives the answers the README shows (see the rules at the top).
func TestReadme_Walkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a timd process; skipped in -short mode")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("bash is not installed: the README walkthrough runs its shell blocks with bash")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not installed: the README walkthrough calls timd with curl")
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	steps := readmeWalkthrough(t, string(readme))
	if len(steps) < 10 {
		t.Fatalf("only %d commands in the README walkthrough", len(steps))
	}

	bin := buildTimd(t)
	dir := t.TempDir()
	url, paste := startReadmeTimd(t, bin, dir)

	// Shims: curl to the timd under test, go run ./cmd/timd to its binary.
	shims := writeReadmeShims(t, dir, bash)

	var script strings.Builder
	script.WriteString("set -euo pipefail\n" + paste + "\n")
	for i, s := range steps {
		fmt.Fprintf(&script, "%s\nprintf '\\n@@step %d@@\\n'\n", s.command, i)
	}
	sh := exec.Command(bash, "-c", script.String())
	sh.Dir = dir
	sh.Env = timdEnv("PATH="+shims+string(os.PathListSeparator)+os.Getenv("PATH"),
		"README_TIMD_URL="+url, "README_CURL="+curl, "README_TIMD_BIN="+bin)
	var stderr strings.Builder
	sh.Stderr = &stderr
	out, runErr := sh.Output()

	checkReadmeOutputs(t, steps, string(out), runErr, stderr.String())
}

// startReadmeTimd starts bin on a fresh data directory under dir, as the
// README's first command does, and returns the URL it serves at and the
// line of its banner a user pastes into a shell.
func startReadmeTimd(t *testing.T, bin, dir string) (url, paste string) {
	cmd := exec.Command(bin)
	cmd.Env = timdEnv("TIMD_ADDR=127.0.0.1:0", "TIMD_DATA="+filepath.Join(dir, "timd-data", "timd.db"))
	banner := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = banner, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		out := banner.String()
		if m := reServing.FindStringSubmatch(out); m != nil && strings.Contains(out, "curl -s '") {
			url = m[1]
			if m := rePasteLine.FindStringSubmatch(out); m != nil {
				return url, m[1]
			}
			t.Fatalf("the banner has no line to paste starting Q='...':\n%s", out)
		}
		if time.Now().After(deadline) {
			t.Fatalf("timd did not start:\n%s", out)
		}
	}
}

// writeReadmeShims writes, in dir/bin, a curl that calls the timd under
// test and a go whose "go run ./cmd/timd" runs its binary; it returns
// dir/bin.
func writeReadmeShims(t *testing.T, dir, bash string) string {
	shims := filepath.Join(dir, "bin")
	if err := os.Mkdir(shims, 0o755); err != nil {
		t.Fatal(err)
	}
	writeShim := func(name, body string) {
		if err := os.WriteFile(filepath.Join(shims, name), []byte("#!"+bash+"\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeShim("curl", `args=()
for a in "$@"; do args+=("${a//http:\/\/127.0.0.1:8080/$README_TIMD_URL}"); done
exec "$README_CURL" "${args[@]}"
`)
	writeShim("go", `if [ "$1" = run ] && [ "$2" = ./cmd/timd ]; then shift 2; exec "$README_TIMD_BIN" "$@"; fi
echo "README test: only 'go run ./cmd/timd ...' runs here, not: go $*" >&2
exit 2
`)
	return shims
}

// checkReadmeOutputs checks the output of each step of the walkthrough,
// out with the steps' markers, is what the README shows.
func checkReadmeOutputs(t *testing.T, steps []readmeStep, out string, runErr error, stderr string) {
	outputs := regexp.MustCompile(`\n@@step \d+@@\n`).Split(out, -1)
	failed := 0
	for i, s := range steps {
		if i >= len(outputs)-1 {
			t.Fatalf("README.md:%d: the walkthrough stopped at\n%s\n(%v) stderr:\n%s", s.line, s.command, runErr, stderr)
		}
		got := strings.TrimSuffix(outputs[i], "\n")
		switch {
		case s.expect == "" && got != "":
			t.Errorf("README.md:%d: prints\n  %s\nbut the README shows no output after\n  %s", s.line, got, s.command)
		case s.expect != "" && !readmeMatch(s.expect, got):
			t.Errorf("README.md:%d:\n  %s\nanswered\n  %s\nthe README shows\n  %s", s.line, s.command, got, s.expect)
		default:
			continue
		}
		if failed++; failed == 10 {
			t.Fatal("and more")
		}
	}
	if runErr != nil {
		t.Fatalf("bash: %v\n%s", runErr, stderr)
	}
}
