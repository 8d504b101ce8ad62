package server

import (
	"net"
	"reflect"
	"testing"
)

// Ensure ConfigSvc/GetIPList's addresses are the listener's host, or the
// machine's addresses for a listener on every address.
func TestListenIPs(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if got := listenIPs(ln); !reflect.DeepEqual(got, []string{"127.0.0.1"}) {
		t.Errorf("listenIPs(127.0.0.1:0) = %v", got)
	}
	all, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	got := listenIPs(all)
	found := false
	for _, ip := range got {
		found = found || ip == "127.0.0.1"
	}
	if !found {
		t.Errorf("listenIPs(0.0.0.0:0) = %v, without 127.0.0.1", got)
	}
	if listenIPs(nil) != nil {
		t.Error("listenIPs(nil) is not nil")
	}
}
