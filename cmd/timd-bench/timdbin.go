package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// timdModule is the module path of timd's source.
const timdModule = "github.com/timd/timd"

// timdExe is the name of the timd binary on this platform.
func timdExe() string {
	if runtime.GOOS == "windows" {
		return "timd.exe"
	}
	return "timd"
}

// findTimd returns the timd binary timd-bench starts, and what to call once
// it is no longer needed. The first that applies:
//
//  1. --timd, when given (a name without a slash is looked up on PATH);
//  2. timd next to timd-bench's own executable, as `go install ./cmd/...`
//     or `go build -o bin/ ./cmd/...` leave them;
//  3. run inside timd's module (`go run ./cmd/timd-bench` from a clone): a
//     timd built now from that module's ./cmd/timd into a temporary
//     directory, so the figures are those of the code at hand, as they were
//     when the load generator was a subcommand of the timd it measured;
//  4. timd on PATH.
func findTimd(ctx context.Context, given string, logw io.Writer) (string, func(), error) {
	nop := func() {}
	if given != "" {
		return given, nop, nil
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), timdExe())
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nop, nil
		}
	}
	if root := moduleRoot(ctx); root != "" {
		return buildTimd(ctx, root, logw)
	}
	if p, err := exec.LookPath(timdExe()); err == nil {
		return p, nop, nil
	}
	return "", nop, errors.New("no timd binary found: pass --timd PATH, put timd next to timd-bench or on PATH, " +
		"or run timd-bench inside timd's module")
}

// moduleRoot is the directory of timd's go.mod when the working directory is
// inside timd's module and the go command is at hand, else "".
func moduleRoot(ctx context.Context) string {
	if _, err := exec.LookPath("go"); err != nil {
		return ""
	}
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		return ""
	}
	f, err := os.Open(gomod)
	if err != nil {
		return ""
	}
	defer func() { _ = f.Close() }() // read only: nothing to lose
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if mod, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "module "); ok {
			if strings.Trim(strings.TrimSpace(mod), `"`) == timdModule {
				return filepath.Dir(gomod)
			}
			return ""
		}
	}
	return ""
}

// buildTimd builds root's ./cmd/timd into a new temporary directory, which
// the returned function removes.
func buildTimd(ctx context.Context, root string, logw io.Writer) (string, func(), error) {
	dir, err := os.MkdirTemp("", "timd-bench-bin-")
	if err != nil {
		return "", nil, err
	}
	cleanup := func() {
		if err := os.RemoveAll(dir); err != nil {
			fmt.Fprintf(logw, "timd-bench: %v\n", err)
		}
	}
	bin := filepath.Join(dir, timdExe())
	fmt.Fprintf(logw, "timd-bench: building timd from %s\n", filepath.Join(root, "cmd", "timd"))
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/timd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		cleanup()
		return "", nil, fmt.Errorf("build timd: %w\n%s", err, out)
	}
	return bin, cleanup, nil
}
