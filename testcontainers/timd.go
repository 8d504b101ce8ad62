// Package timd is a testcontainers-go module for timd, the stand-in for
// the Tencent Cloud Chat server REST API: Run starts timd's image (the
// repository's Dockerfile) with an app of its own, callbacks captured
// (TIMD_CALLBACK_URL=internal), the clock and the control plane on and no
// rate limit, and waits until GET /readyz answers 200.
//
//	ctr, err := timd.Run(ctx, "timd:latest")
//	testcontainers.CleanupContainer(t, ctr)
//	url, err := ctr.URL(ctx)
//	sig, err := ctr.UserSig()
//
// It is a module of its own, so that only its users download
// testcontainers-go; github.com/timd/timd/timdtest runs timd without Docker.
package timd

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

// Port is where timd listens inside the container (the image's TIMD_ADDR).
const Port = "8080/tcp"

// sigExpire is how long UserSig's UserSigs stay valid: 180 days, timd's own
// default, so that a test moving the app's clock keeps its admin.
const sigExpire = 180 * 24 * 60 * 60

// Container is a running timd container.
type Container struct {
	*testcontainers.DockerContainer
	sdkAppID  uint64
	secretKey string
	admin     string
}

// Run starts timd from img and waits until it serves. opts come after the
// module's own, so testcontainers.WithEnv can change any TIMD_* setting
// (`timd help` lists them), the app's TIMD_SDKAPPID, TIMD_SECRET_KEY and
// TIMD_ADMINS included; the accessors report the settings the container
// got. On an error the container, if created, is returned for cleanup.
func Run(ctx context.Context, img string, opts ...testcontainers.ContainerCustomizer) (*Container, error) {
	c := &Container{}
	ctr, err := testcontainers.Run(ctx, img, c.options(opts)...)
	if ctr != nil {
		c.DockerContainer = ctr
	}
	if err != nil {
		if ctr == nil {
			return nil, fmt.Errorf("run timd: %w", err)
		}
		return c, fmt.Errorf("run timd: %w", err)
	}
	return c, nil
}

// options are the module's settings, then the caller's opts, then one that
// records the app c serves from the settings they left.
func (c *Container) options(opts []testcontainers.ContainerCustomizer) []testcontainers.ContainerCustomizer {
	id, key := newApp()
	moduleOpts := []testcontainers.ContainerCustomizer{
		testcontainers.WithExposedPorts(Port),
		testcontainers.WithEnv(map[string]string{
			"TIMD_DATA":         ":memory:",
			"TIMD_SDKAPPID":     strconv.FormatUint(id, 10),
			"TIMD_SECRET_KEY":   key,
			"TIMD_CONTROL":      "on",
			"TIMD_CALLBACK_URL": "internal",
			"TIMD_TIME_CONTROL": "on",
			"TIMD_RATE_LIMIT":   "off",
		}),
		testcontainers.WithWaitStrategy(wait.ForHTTP("/readyz").WithPort(Port).WithStartupTimeout(time.Minute)),
	}
	// Last: it reads the settings after every option has had its say.
	record := testcontainers.CustomizeRequestOption(func(req *testcontainers.GenericContainerRequest) error {
		return c.settings(req.Env)
	})
	return append(append(moduleOpts, opts...), record)
}

// settings takes the app the container serves from its environment.
func (c *Container) settings(env map[string]string) error {
	id, err := strconv.ParseUint(env["TIMD_SDKAPPID"], 10, 64)
	if err != nil {
		return fmt.Errorf("TIMD_SDKAPPID: %w", err)
	}
	c.sdkAppID, c.secretKey, c.admin = id, env["TIMD_SECRET_KEY"], "administrator"
	if first, _, _ := strings.Cut(env["TIMD_ADMINS"], ","); strings.TrimSpace(first) != "" {
		c.admin = strings.TrimSpace(first)
	}
	return nil
}

// URL is timd's base URL from this machine, http://HOST:PORT.
func (c *Container) URL(ctx context.Context) (string, error) {
	return c.PortEndpoint(ctx, Port, "http")
}

// SdkAppID is the app timd serves.
func (c *Container) SdkAppID() uint64 { return c.sdkAppID }

// SecretKey is the app's key, for UserSigs of any identifier.
func (c *Container) SecretKey() string { return c.secretKey }

// Admin is the app's first admin, "administrator" unless TIMD_ADMINS says
// otherwise.
func (c *Container) Admin() string { return c.admin }

// UserSig is a UserSig of the admin, valid 180 days, made with Tencent's
// library.
func (c *Container) UserSig() (string, error) { return c.Sig(c.admin) }

// Sig is a UserSig of identifier, valid 180 days.
func (c *Container) Sig(identifier string) (string, error) {
	return tencentyun.GenUserSig(int(c.sdkAppID), c.secretKey, identifier, sigExpire)
}

// Query is the query string of a REST call as the admin, in Tencent's
// order; append it to URL + "/v4/{service}/{command}?".
func (c *Container) Query() (string, error) {
	sig, err := c.UserSig()
	if err != nil {
		return "", err
	}
	n, _ := rand.Int(rand.Reader, big.NewInt(1<<31)) // crypto/rand does not fail
	return fmt.Sprintf("sdkappid=%d&identifier=%s&usersig=%s&random=%d&contenttype=json",
		c.sdkAppID, url.QueryEscape(c.admin), url.QueryEscape(sig), n.Int64()), nil
}

// newApp draws an SdkAppId in Tencent's 14xxxxxxxx range and a
// 64-hex-digit key, as timd's development app is drawn.
func newApp() (uint64, string) {
	n, _ := rand.Int(rand.Reader, big.NewInt(100_000_000)) // crypto/rand does not fail
	var key [32]byte
	_, _ = rand.Read(key[:])
	return 1_400_000_000 + n.Uint64(), hex.EncodeToString(key[:])
}
