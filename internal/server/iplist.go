package server

import "net"

// listenIPs are the addresses ln accepts connections on, for
// ConfigSvc/GetIPList: its host, or, when it listens on every address
// (0.0.0.0, ::), the addresses of the machine's interfaces that are up.
// Loopback addresses are listed too: a client on the same machine reaches
// timd there.
func listenIPs(ln net.Listener) []string {
	if ln == nil {
		return nil
	}
	tcp, ok := ln.Addr().(*net.TCPAddr)
	if !ok {
		return nil
	}
	if !tcp.IP.IsUnspecified() {
		return []string{tcp.IP.String()}
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var ips []string
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLinkLocalUnicast() {
			if tcp.IP.To4() != nil && n.IP.To4() == nil {
				continue // an IPv4 listener is not reached over IPv6
			}
			ips = append(ips, n.IP.String())
		}
	}
	return ips
}
