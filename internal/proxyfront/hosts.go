// Package proxyfront lets a client that hard-codes Tencent's REST hosts reach
// timd unchanged. It listens for HTTP CONNECT to those hosts (HTTPS_PROXY),
// and for TLS sent to it directly (a hosts-file entry pointing a Tencent host
// at it), terminates TLS with a certificate for the host signed by a local CA
// it keeps in a directory, and serves the requests inside with timd's own
// handler. Any other host is refused: it is not an open proxy.
package proxyfront

import "strings"

// Hosts are the REST API hosts of Tencent Cloud Chat the front answers for:
// each region's domain and its my-imcloud.com backup.
var Hosts = []string{
	"console.tim.qq.com", "adminapi.my-imcloud.com", // China
	"adminapisgp.im.qcloud.com", "adminapisgp.my-imcloud.com", // Singapore
	"adminapikr.im.qcloud.com", "adminapikr.my-imcloud.com", // Seoul
	"adminapijpn.im.qcloud.com", "adminapijpn.my-imcloud.com", // Tokyo
	"adminapiger.im.qcloud.com", "adminapiger.my-imcloud.com", // Frankfurt
	"adminapiind.im.qcloud.com", "adminapiind.my-imcloud.com", // Mumbai
	"adminapiusa.im.qcloud.com", "adminapiusa.my-imcloud.com", // Silicon Valley
	"adminapiidn.im.qcloud.com", "adminapiidn.my-imcloud.com", // Jakarta
}

// constrainedDomains are the name constraints of the CA: exactly the hosts
// served, so a leaked CA key cannot vouch for any other name.
var constrainedDomains = Hosts

// Allowed reports whether host (no port; any case, a trailing dot allowed)
// is one of Hosts.
func Allowed(host string) bool {
	host = normalHost(host)
	for _, h := range Hosts {
		if host == h {
			return true
		}
	}
	return false
}

// normalHost lower-cases host and drops a trailing dot.
func normalHost(host string) string {
	return strings.TrimSuffix(strings.ToLower(host), ".")
}
