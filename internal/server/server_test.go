package server

import (
	"net"
	"testing"
)

// fakeListener reports a fixed address.
type fakeListener struct {
	net.Listener
	addr string
}

func (f fakeListener) Addr() net.Addr { a, _ := net.ResolveTCPAddr("tcp", f.addr); return a }

// Ensure URL gives a base URL a local client can use: a wildcard listen
// address becomes 127.0.0.1, a specific one is kept.
func TestServer_URL(t *testing.T) {
	for addr, want := range map[string]string{
		"0.0.0.0:8080":  "http://127.0.0.1:8080",
		"[::]:8080":     "http://127.0.0.1:8080",
		"127.0.0.1:81":  "http://127.0.0.1:81",
		"10.1.2.3:9000": "http://10.1.2.3:9000",
		"[::1]:9":       "http://[::1]:9",
	} {
		m := &Server{ln: fakeListener{addr: addr}}
		if got := m.URL(); got != want {
			t.Errorf("URL with listener on %s = %q, want %q", addr, got, want)
		}
	}
	if got := New().Addr(); got != "" {
		t.Errorf("Addr before Run = %q, want empty", got)
	}
}
