package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure the proxy front's settings are checked together: off by default,
// a host:port of its own, and a CA directory wherever the data has none.
func TestConfig_ProxySettings(t *testing.T) {
	if c := Default(); c.ProxyAddr != "" || c.Validate() != nil {
		t.Fatalf("default: proxy %q, %v", c.ProxyAddr, c.Validate())
	}
	for _, tt := range []struct {
		vars map[string]string
		want string // "" when valid
	}{
		{map[string]string{"TIMD_PROXY_ADDR": "127.0.0.1:8443"}, ""},
		{map[string]string{"TIMD_PROXY_ADDR": "0.0.0.0:443", "TIMD_DATA": "/var/lib/timd/"}, ""},
		{map[string]string{"TIMD_PROXY_ADDR": ":8443", "TIMD_DATA": "postgres://u:pw@db/timd", "TIMD_PROXY_CA_DIR": "/etc/timd"}, ""},
		{map[string]string{"TIMD_PROXY_ADDR": "127.0.0.1:0", "TIMD_ADDR": "127.0.0.1:0"}, ""},
		{map[string]string{"TIMD_PROXY_ADDR": "8443"}, "is not host:port"},
		{map[string]string{"TIMD_PROXY_ADDR": "127.0.0.1:9000", "TIMD_ADDR": "127.0.0.1:9000"}, "needs its own port"},
		{map[string]string{"TIMD_PROXY_ADDR": "127.0.0.1:8443", "TIMD_DATA": "postgres://u:pw@db/timd"}, "needs proxy_ca_dir (TIMD_PROXY_CA_DIR)"},
		{map[string]string{"TIMD_PROXY_ADDR": "127.0.0.1:8443", "TIMD_DATA": ":memory:"}, "needs proxy_ca_dir"},
		{map[string]string{"TIMD_PROXY_CA_DIR": "/etc/timd"}, "TIMD_PROXY_ADDR) is not"},
	} {
		c, err := Load(nil, env(tt.vars))
		if err != nil {
			t.Fatal(err)
		}
		err = c.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%v refused: %v", tt.vars, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%v: Validate = %v, want %q", tt.vars, err, tt.want)
		case err != nil && strings.Contains(err.Error(), ":pw@"):
			t.Errorf("%v: the error shows the password: %v", tt.vars, err)
		}
	}
}

// Ensure the config file sets the proxy front as the variables do.
func TestConfig_ProxyFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "timd.yaml")
	if err := os.WriteFile(path, []byte("proxy_addr: 127.0.0.1:8443\nproxy_ca_dir: /etc/timd/proxy\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(nil, env(map[string]string{EnvConfigFile: path}))
	if err != nil || c.ProxyAddr != "127.0.0.1:8443" || c.ProxyCADir != "/etc/timd/proxy" || c.Validate() != nil {
		t.Errorf("from file: %q %q, %v %v", c.ProxyAddr, c.ProxyCADir, err, c.Validate())
	}
}
