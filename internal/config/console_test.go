package config

import (
	"os"
	"path/filepath"
	"testing"
)

// Ensure the console is on by default for the development app only, and
// that TIMD_CONSOLE and the file's console key override that either way.
func TestConfig_Console(t *testing.T) {
	file := filepath.Join(t.TempDir(), "timd.yaml")
	if err := os.WriteFile(file, []byte("console: true\napps:\n  - sdkappid: 1400000001\n    secret_key: k\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		env  map[string]string
		on   bool
	}{
		{"development app", nil, nil, true},
		{"development app, off", nil, map[string]string{"TIMD_CONSOLE": "off"}, false},
		{"configured app", nil, map[string]string{"TIMD_SDKAPPID": "1400000001", "TIMD_SECRET_KEY": "k"}, false},
		{"configured app, on", []string{"--console", "on"}, map[string]string{"TIMD_SDKAPPID": "1400000001", "TIMD_SECRET_KEY": "k"}, true},
		{"file", []string{"--config", file}, nil, true},
		{"file, flag off", []string{"--config", file, "--console=off"}, nil, false},
	} {
		cfg, err := Load(c.args, func(k string) string { return c.env[k] })
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cfg.ConsoleOn() != c.on {
			t.Errorf("%s: ConsoleOn %v, want %v", c.name, cfg.ConsoleOn(), c.on)
		}
	}
}
