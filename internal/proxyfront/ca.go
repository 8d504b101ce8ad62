package proxyfront

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/timd/timd/internal/atomicfile"
)

// File names of the CA in its directory. The certificate is what clients
// trust (SSL_CERT_FILE, a trust store); the key never leaves the directory.
const (
	CACertFile = "timd-proxy-ca.pem"
	CAKeyFile  = "timd-proxy-ca-key.pem"
)

// CA is the local certificate authority of the proxy front: it signs, on
// demand, a certificate for each Tencent host a client connects to.
type CA struct {
	certPath string
	cert     *x509.Certificate
	key      *ecdsa.PrivateKey
	now      func() time.Time

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

// LoadOrCreateCA reads the CA kept in dir, or, when dir holds neither of its
// files, makes one and writes it there (the directory is created). A
// directory holding only one of the two files is an error: timd does not
// replace a CA clients may already trust.
func LoadOrCreateCA(dir string) (*CA, error) {
	certPath, keyPath := filepath.Join(dir, CACertFile), filepath.Join(dir, CAKeyFile)
	_, certErr := os.Stat(certPath)
	_, keyErr := os.Stat(keyPath)
	switch {
	case errors.Is(certErr, fs.ErrNotExist) && errors.Is(keyErr, fs.ErrNotExist):
		if err := createCA(dir, certPath, keyPath); err != nil {
			return nil, fmt.Errorf("proxy CA in %s: %w", dir, err)
		}
	case certErr != nil || keyErr != nil:
		return nil, fmt.Errorf("proxy CA in %s: need both %s and %s: %w", dir, CACertFile, CAKeyFile, errors.Join(certErr, keyErr))
	}
	ca, err := loadCA(certPath, keyPath)
	if err != nil {
		return nil, fmt.Errorf("proxy CA in %s: %w", dir, err)
	}
	return ca, nil
}

// CertPath is the absolute path of the CA certificate (PEM) clients trust.
func (ca *CA) CertPath() string { return ca.certPath }

// createCA makes a CA whose name constraints limit it to Tencent's REST
// domains, so trusting it vouches for no other site, and writes it.
func createCA(dir, certPath, keyPath string) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:                serial(),
		Subject:                     pkix.Name{CommonName: "timd local proxy CA", Organization: []string{"timd"}},
		NotBefore:                   now.Add(-time.Hour),
		NotAfter:                    now.AddDate(10, 0, 0),
		KeyUsage:                    x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid:       true,
		IsCA:                        true,
		MaxPathLenZero:              true,
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         constrainedDomains,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The key first: a certificate without its key would stop the next start.
	if err := writePEM(keyPath, "PRIVATE KEY", keyDER, 0o600); err != nil {
		return err
	}
	return writePEM(certPath, "CERTIFICATE", der, 0o644)
}

// writePEM writes one PEM block to path atomically, so a crash leaves no
// half-written file.
func writePEM(path, typ string, der []byte, perm os.FileMode) error {
	return atomicfile.Write(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), perm)
}

// loadCA reads the CA's certificate and key and checks that they belong
// together.
func loadCA(certPath, keyPath string) (*CA, error) {
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(pair.Certificate[0])
	if err != nil {
		return nil, err
	}
	key, ok := pair.PrivateKey.(*ecdsa.PrivateKey)
	if !ok || !cert.IsCA {
		return nil, errors.New("not a CA certificate with an ECDSA key made by timd")
	}
	abs, err := filepath.Abs(certPath)
	if err != nil {
		return nil, err
	}
	return &CA{certPath: abs, cert: cert, key: key, now: time.Now, leaves: map[string]*tls.Certificate{}}, nil
}

// leafLife is how long a host certificate is valid: within the 398 days
// some clients accept at most. One is made per host and process.
const leafLife = 397 * 24 * time.Hour

// Leaf returns the certificate of host signed by the CA, made on first use.
func (ca *CA) Leaf(host string) (*tls.Certificate, error) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if c, ok := ca.leaves[host]; ok && ca.now().Before(c.Leaf.NotAfter.Add(-time.Hour)) {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	now := ca.now()
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: host},
		DNSNames:     []string{host},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.Add(leafLife),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, ca.cert.Raw}, PrivateKey: key, Leaf: leaf}
	ca.leaves[host] = c
	return c, nil
}

// serial draws a random 128-bit certificate serial number.
func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return n
}
