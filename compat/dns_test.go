package compat

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"strings"
)

// hostsResolver is a resolver that knows only hosts (name → IPv4), as an
// /etc/hosts entry would, without editing the machine's /etc/hosts: Go's own
// resolver asks it over an in-memory connection. The test child installs it
// as net.DefaultResolver; no SDK code is touched.
func hostsResolver(hosts map[string]net.IP) *net.Resolver {
	return &net.Resolver{PreferGo: true, Dial: func(context.Context, string, string) (net.Conn, error) {
		client, server := net.Pipe()
		go serveDNS(server, hosts)
		return client, nil
	}}
}

// serveDNS answers DNS queries framed as over TCP (a two-byte length first),
// which is how Go's resolver talks over a connection that is not a packet
// connection, until c is closed.
func serveDNS(c net.Conn, hosts map[string]net.IP) {
	defer c.Close()
	for {
		var n [2]byte
		if _, err := io.ReadFull(c, n[:]); err != nil {
			return
		}
		q := make([]byte, binary.BigEndian.Uint16(n[:]))
		if _, err := io.ReadFull(c, q); err != nil {
			return
		}
		a := dnsAnswer(q, hosts)
		if _, err := c.Write(append(binary.BigEndian.AppendUint16(nil, uint16(len(a))), a...)); err != nil {
			return
		}
	}
}

// dnsAnswer answers the one question of query q: an A record for a name of
// hosts, no record for its other types (AAAA), and NXDOMAIN for any other
// name. Malformed queries get an empty reply, which the resolver rejects.
func dnsAnswer(q []byte, hosts map[string]net.IP) []byte {
	name, end, ok := dnsQuestion(q)
	if !ok {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[end-4:])
	ip, known := hosts[strings.ToLower(name)]
	flags, answers := uint16(0x8180), uint16(0) // a response, recursion desired and available
	if !known {
		flags |= 3 // NXDOMAIN
	} else if qtype == 1 {
		answers = 1
	}
	out := append([]byte{}, q[:2]...) // the query's id
	out = binary.BigEndian.AppendUint16(out, flags)
	out = append(out, 0, 1, byte(answers>>8), byte(answers), 0, 0, 0, 0)
	out = append(out, q[12:end]...) // the question
	if answers == 1 {
		// A pointer to the question's name, type A, class IN, TTL 60s, 4 bytes.
		out = append(out, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
		out = append(out, ip.To4()...)
	}
	return out
}

// dnsQuestion reads the name of the first question of q and where the
// question ends (after its type and class).
func dnsQuestion(q []byte) (string, int, bool) {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:]) != 1 {
		return "", 0, false
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		n := int(q[i])
		if n > 63 || i+1+n > len(q) {
			return "", 0, false
		}
		labels = append(labels, string(q[i+1:i+1+n]))
		i += 1 + n
	}
	if i+5 > len(q) {
		return "", 0, false
	}
	return strings.Join(labels, "."), i + 5, true
}
