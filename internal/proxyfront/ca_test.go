package proxyfront

import (
	"bytes"
	"crypto/x509"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Ensure the CA is made once and reused by later starts, its key is
// readable by its owner only, and a directory with half a CA is refused
// rather than overwritten.
func TestCA_MadeOnceAndReused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if first.CertPath() != filepath.Join(dir, CACertFile) {
		t.Errorf("CertPath = %s", first.CertPath())
	}
	again, err := LoadOrCreateCA(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first.cert.Raw, again.cert.Raw) {
		t.Error("second start made a new CA")
	}
	fi, err := os.Stat(filepath.Join(dir, CAKeyFile))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v %v, want mode 0600", fi, err)
	}
	if err := os.Remove(filepath.Join(dir, CAKeyFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateCA(dir); err == nil || !strings.Contains(err.Error(), "need both") {
		t.Errorf("half a CA: %v", err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, CACertFile))
	if !bytes.Equal(b, pemOf(t, first)) {
		t.Error("certificate file changed")
	}
}

// pemOf reads the CA's certificate file.
func pemOf(t *testing.T, ca *CA) []byte {
	b, err := os.ReadFile(ca.CertPath())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Ensure host certificates verify against the CA for Tencent's hosts, and
// that the CA's name constraints make one for any other name fail, so
// trusting the CA trusts nothing else.
func TestCA_LeavesAndNameConstraints(t *testing.T) {
	ca, err := LoadOrCreateCA(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	for host, ok := range map[string]bool{"console.tim.qq.com": true, "adminapiusa.im.qcloud.com": true, "example.com": false, "qq.com": false} {
		leaf, err := ca.Leaf(host)
		if err != nil {
			t.Fatal(err)
		}
		_, err = leaf.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool})
		if ok != (err == nil) {
			t.Errorf("%s: verify = %v", host, err)
		}
	}
	a, _ := ca.Leaf("console.tim.qq.com")
	b, _ := ca.Leaf("console.tim.qq.com")
	if a != b {
		t.Error("a host's certificate is made anew on each use")
	}
}

// Ensure the allowed hosts match whole names only, in any case.
func TestAllowed(t *testing.T) {
	for host, want := range map[string]bool{
		"console.tim.qq.com": true, "CONSOLE.TIM.QQ.COM.": true, "adminapijpn.im.qcloud.com": true,
		"tim.qq.com": false, "x.console.tim.qq.com": false, "console.tim.qq.com.example": false, "": false,
	} {
		if Allowed(host) != want {
			t.Errorf("Allowed(%q) = %v", host, !want)
		}
	}
}
