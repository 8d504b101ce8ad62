package main

import (
	"os"
	"strings"
	"testing"
)

// Ensure the README's Install section offers the four ways, each one
// command: go install, a release binary, the image, and timdtest for Go
// tests; and that the paths they name are this repository's.
func TestReadme_Install(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Install\n")
	if !ok {
		t.Fatal(`README.md has no "## Install" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var commands []string
	for _, block := range strings.Split(section, "```sh\n")[1:] {
		body, _, _ := strings.Cut(block, "```")
		lines := strings.Split(strings.TrimSpace(body), "\n")
		if len(lines) != 1 {
			t.Errorf("an Install block is %d lines, not one command:\n%s", len(lines), body)
		}
		commands = append(commands, strings.TrimSpace(lines[0]))
	}
	want := []string{
		"go install github.com/timd/timd/cmd/timd@latest",
		"curl -fsSL https://github.com/timd/timd/releases/download/vVERSION/timd_VERSION_linux_amd64.tar.gz | tar -xz timd",
		"docker build -t timd . && docker run -d --name timd -p 8080:8080 -v timd-data:/data timd",
		"go get github.com/timd/timd/timdtest",
	}
	if strings.Join(commands, "\n") != strings.Join(want, "\n") {
		t.Errorf("Install commands:\n%s\nwant:\n%s", strings.Join(commands, "\n"), strings.Join(want, "\n"))
	}
	for _, dir := range []string{"../../timdtest", "../../testcontainers", "."} {
		if _, err := os.Stat(dir); err != nil {
			t.Error(err)
		}
	}
}
