package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/proxyfront"
	"github.com/timd/timd/internal/ready"
)

// Ensure TIMD_PROXY_ADDR starts the proxy front: its CA is made in the data
// directory, the welcome and the ready file name it and the HTTPS_PROXY
// value, and a client that trusts only that CA reaches the API as
// https://console.tim.qq.com through it.
func TestMain_ProxyFront(t *testing.T) {
	dir := t.TempDir()
	readyPath := filepath.Join(dir, "ready.json")
	m := MustRunMain(t, map[string]string{"TIMD_DATA": filepath.Join(dir, "data", "timd.db"),
		"TIMD_PROXY_ADDR": "127.0.0.1:0", "TIMD_READY_FILE": readyPath})
	wantCA := filepath.Join(dir, "data", proxyfront.CACertFile)
	info, err := ready.Read(readyPath)
	if err != nil {
		t.Fatal(err)
	}
	if info.ProxyCA != wantCA || info.ProxyURL != m.ProxyURL() || !strings.HasPrefix(info.ProxyURL, "http://127.0.0.1:") {
		t.Errorf("ready file: proxy %q %q, want CA %s", info.ProxyURL, info.ProxyCA, wantCA)
	}
	w := m.DevWelcome(t)
	if want := "Proxy front: HTTPS_PROXY=" + m.ProxyURL() + " SSL_CERT_FILE=" + wantCA; !strings.Contains(w.Out, want) {
		t.Errorf("welcome lacks %q:\n%s", want, w.Out)
	}
	u, err := url.Parse(w.CurlURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Scheme, u.Host = "https", "console.tim.qq.com"
	resp, err := proxiedClient(t, m.ProxyURL(), wantCA).Post(u.String(), "application/json", strings.NewReader(`{"UserID":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"ActionStatus":"OK"`) {
		t.Fatalf("account_import through the proxy front: %d %s", resp.StatusCode, body)
	}
}

// proxiedClient is an HTTP client whose proxy is proxyURL and which trusts
// only the CA certificate at caPath.
func proxiedClient(t *testing.T, proxyURL, caPath string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(caPath)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", caPath)
	}
	pu, err := url.Parse(proxyURL)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool},
	}}
}
