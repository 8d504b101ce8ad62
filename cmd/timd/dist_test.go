//go:build unix

package main

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// The release archives and the container image, built as a user would:
// scripts/release-snapshot's go build fallback for this machine's platform
// gives a stamped static binary, which then runs as the image runs it.

const distVersion = "9.9.9-disttest"

// Ensure scripts/release-snapshot's fallback writes the archive
// .goreleaser.yaml names, with the stamped binary and the files it lists, and
// a checksums.txt that matches it; then that the binary runs as the image
// runs it, and that the GitHub Action installs and starts it.
func TestDist_ReleaseSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a release binary")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("scripts/release-snapshot needs bash")
	}
	dist := t.TempDir()
	target := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("bash", "../../scripts/release-snapshot", "--fallback", target)
	cmd.Env = append(os.Environ(), "DIST="+dist, "VERSION="+distVersion)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release-snapshot: %v\n%s", err, out)
	}
	name := fmt.Sprintf("timd_%s_%s_%s.tar.gz", distVersion, runtime.GOOS, runtime.GOARCH)
	sums, err := os.ReadFile(filepath.Join(dist, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	archive, err := os.ReadFile(filepath.Join(dist, name))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(archive)
	if want := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != want {
		t.Errorf("checksums.txt = %q, want %q", sums, want)
	}
	root := t.TempDir()
	files := untar(t, filepath.Join(dist, name), root)
	if want := "README.md deploy/timd.service docs/deploy.md timd"; strings.Join(files, " ") != want {
		t.Errorf("archive holds %v, want %s", files, want)
	}
	bin := filepath.Join(root, "timd")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil || !strings.HasPrefix(string(out), "timd "+distVersion+"\n") || !strings.Contains(string(out), "\nbuilt:  20") ||
		strings.Contains(string(out), "commit: unknown") {
		t.Errorf("timd --version: %v\n%s", err, out)
	}
	t.Run("image", func(t *testing.T) { testImage(t, bin) })
	t.Run("action", func(t *testing.T) { testAction(t, dist, bin) })
}

// untar extracts the regular files of the tar.gz at path into dir and
// returns their names, sorted.
func untar(t *testing.T, path, dir string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// Read only: its Close has nothing to report.
	defer func() { _ = f.Close() }()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		dst := filepath.Join(dir, filepath.FromSlash(h.Name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(tr)
		if err == nil {
			err = os.WriteFile(dst, b, os.FileMode(h.Mode)&0o755)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	sort.Strings(names)
	return names
}

// freePort is a TCP port nothing listens on just now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	return port
}
