package compat

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	dobyte "github.com/dobyte/tencent-im"
	"github.com/dobyte/tencent-im/group"

	"github.com/timd/timd/internal/proxyfront"
	"github.com/timd/timd/internal/usersig"
)

// The variables the parent test passes its child: the mode, and the
// loopback address Tencent's hosts resolve to in the child (unset when the
// parent could not listen on port 443).
const (
	proxyChildEnv = "TIMD_COMPAT_PROXY_CHILD"
	tencentIPEnv  = "TIMD_COMPAT_TENCENT_IP"
)

// Ensure clients that hard-code https://console.tim.qq.com reach timd
// through its proxy front with nothing but their process's environment. A
// child process (this test binary again) gets HTTPS_PROXY and SSL_CERT_FILE,
// as a user would set them, and in it: Go's standard client imports an
// account through CONNECT, verifying the front's certificate against the
// CA; a CONNECT to another host is refused; and dobyte's SDK, unchanged and
// without reflection, imports accounts and creates a group. That SDK ignores
// HTTPS_PROXY (its http.Transport sets no Proxy), so for it the child maps
// console.tim.qq.com to the front's address on port 443, as an /etc/hosts
// entry would. The parent then reads the results back from timd.
func TestDobyte_ThroughProxyFront(t *testing.T) {
	srv := startTimdServer(t)
	ca, err := proxyfront.LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	connectLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	serveFront(t, ca, srv.Config.Handler, connectLn)
	env := append(environWithoutProxies(), proxyChildEnv+"=1",
		"HTTPS_PROXY=http://"+connectLn.Addr().String(), "SSL_CERT_FILE="+ca.CertPath())
	tlsLn, why := listenLoopback443()
	if tlsLn != nil {
		serveFront(t, ca, srv.Config.Handler, tlsLn)
		host, _, _ := net.SplitHostPort(tlsLn.Addr().String())
		env = append(env, tencentIPEnv+"="+host)
	}
	out := runProxyChild(t, env)
	checkThroughProxy(t, newSDK(t, srv.URL), out, tlsLn != nil)
	if tlsLn == nil {
		t.Skipf("the standard client passed; dobyte's SDK was not run: %s", why)
	}
}

// serveFront serves a proxy front with timd's handler h on ln until the test ends.
func serveFront(t *testing.T, ca *proxyfront.CA, h http.Handler, ln net.Listener) {
	f := proxyfront.New(ca, h, slog.New(slog.NewTextHandler(io.Discard, nil)))
	done := make(chan error, 1)
	go func() { done <- f.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := f.Shutdown(ctx); err != nil {
			t.Error(err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("proxy front: %v", err)
		}
	})
}

// listenLoopback443 listens on port 443 of a random 127.x.y.z address, so
// that tests running at once on one machine do not collide; it returns why
// not when this process may not listen on a port below 1024.
func listenLoopback443() (net.Listener, string) {
	var b [3]byte
	for range 5 {
		_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
		ip := net.IPv4(127, b[0]%254+1, b[1]%254+1, b[2]%254+1)
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "443"))
		if err == nil {
			return ln, ""
		}
		if errors.Is(err, syscall.EACCES) {
			return nil, "listening on port 443 needs CAP_NET_BIND_SERVICE or net.ipv4.ip_unprivileged_port_start<=443"
		}
	}
	return nil, "no free 127.x.y.z:443"
}

// environWithoutProxies is this process's environment without proxy
// settings, which the child gets only from the test.
func environWithoutProxies() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "ALL_PROXY", "SSL_CERT_FILE", "SSL_CERT_DIR", proxyChildEnv, tencentIPEnv:
			continue
		}
		env = append(env, kv)
	}
	return env
}

// runProxyChild runs TestDobyte_ProxyChild in a child process with env and
// returns its output, failing the test when the child fails.
func runProxyChild(t *testing.T, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestDobyte_ProxyChild$", "-test.v", "-test.count=1")
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestDobyte_ProxyChild") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return string(out)
}

var childGroup = regexp.MustCompile(`(?m)^GROUP=(\S+)$`)

// checkThroughProxy reads back from timd what the child did: carol imported
// by the standard client; with dobyte's part, alice and bob and the group
// the child printed.
func checkThroughProxy(t *testing.T, sdk dobyte.IM, out string, withDobyte bool) {
	t.Helper()
	want := map[string]bool{"carol": true, "alice": withDobyte, "bob": withDobyte}
	for id, imported := range want {
		if ok, err := sdk.Account().CheckAccount(id); err != nil || ok != imported {
			t.Errorf("account %s imported: %v %v, want %v", id, ok, err, imported)
		}
	}
	m := childGroup.FindStringSubmatch(out)
	if !withDobyte {
		return
	}
	if m == nil {
		t.Fatalf("the child printed no group:\n%s", out)
	}
	g, err := sdk.Group().GetGroup(m[1])
	if err != nil || g == nil || g.GetName() != "ViaProxyFront" || g.GetOwner() != "alice" || g.GetMemberNum() != 2 {
		t.Errorf("group %s created through the front: %+v %v", m[1], g, err)
	}
}

// TestDobyte_ProxyChild is the child of TestDobyte_ThroughProxyFront; it
// runs only when that test starts this binary with proxyChildEnv set.
func TestDobyte_ProxyChild(t *testing.T) {
	if os.Getenv(proxyChildEnv) == "" {
		t.Skip("runs only as the child process of TestDobyte_ThroughProxyFront")
	}
	childStandardClient(t)
	if ip := os.Getenv(tencentIPEnv); ip != "" {
		// An /etc/hosts entry for Tencent's host, for this process only.
		net.DefaultResolver = hostsResolver(map[string]net.IP{"console.tim.qq.com": net.ParseIP(ip)})
		childDobyte(t)
	}
}

// childStandardClient imports carol with Go's default client, which reads
// HTTPS_PROXY and SSL_CERT_FILE, and checks that the proxy front refuses a
// host that is not Tencent's.
func childStandardClient(t *testing.T) {
	sig, err := usersig.Gen(sdkAppID, sdkKey, "administrator", 3600, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"sdkappid": {fmt.Sprint(sdkAppID)}, "identifier": {"administrator"}, "usersig": {sig},
		"random": {"1"}, "contenttype": {"json"}}
	resp, err := http.Post("https://console.tim.qq.com/v4/im_open_login_svc/account_import?"+q.Encode(),
		"application/json", strings.NewReader(`{"UserID":"carol"}`))
	if err != nil {
		t.Fatalf("through HTTPS_PROXY: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if !strings.Contains(string(body), `"ActionStatus":"OK"`) || len(resp.TLS.VerifiedChains) == 0 {
		t.Fatalf("account_import through HTTPS_PROXY: %s (verified chains %d)", body, len(resp.TLS.VerifiedChains))
	}
	if resp, err := http.Get("https://example.com/"); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		if resp != nil {
			_ = resp.Body.Close()
		}
		t.Fatalf("CONNECT to example.com through the front: %v, want Forbidden", err)
	}
}

// childDobyte imports alice and bob and creates alice's group with bob
// through dobyte's SDK as its users build it, and prints the group's id.
func childDobyte(t *testing.T) {
	sdk := dobyte.NewIM(&dobyte.Options{AppId: sdkAppID, AppSecret: sdkKey, UserId: "administrator", Expiration: 3600})
	if err := sdk.Account().ImportAccount(&accountWithNick); err != nil {
		t.Fatalf("ImportAccount: %v", err)
	}
	if _, err := sdk.Account().ImportAccounts("bob"); err != nil {
		t.Fatalf("ImportAccounts: %v", err)
	}
	ng := group.NewGroup()
	ng.SetName("ViaProxyFront")
	ng.SetGroupType(group.TypePublic)
	ng.SetOwner("alice")
	ng.SetMembers(group.NewMember("bob"))
	id, err := sdk.Group().CreateGroup(ng)
	if err != nil || id == "" {
		t.Fatalf("CreateGroup: %q %v", id, err)
	}
	if g, err := sdk.Group().GetGroup(id); err != nil || g.GetName() != "ViaProxyFront" || g.GetMemberNum() != 2 {
		t.Fatalf("GetGroup: %+v %v", g, err)
	}
	fmt.Printf("GROUP=%s\n", id)
}
