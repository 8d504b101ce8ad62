package main

import (
	"net"
	"net/http"
	"testing"
	"time"
)

// Ensure TIMD_MAX_CONNECTIONS caps the client connections timd keeps open:
// with the cap held by idle clients the next one is not served, and it is
// as soon as one of them leaves.
func TestMain_MaxConnections(t *testing.T) {
	m := MustRunMain(t, map[string]string{"TIMD_MAX_CONNECTIONS": "2"})
	var idle []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", m.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		idle = append(idle, c)
	}
	client := &http.Client{Timeout: 500 * time.Millisecond}
	if resp, err := client.Get(m.URL() + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("a third connection was served while two idle ones held the cap")
	}
	idle[0].Close()
	client.Timeout = 5 * time.Second
	resp, err := client.Get(m.URL() + "/healthz")
	if err != nil {
		t.Fatalf("after an idle client left: %v", err)
	}
	resp.Body.Close()
}
