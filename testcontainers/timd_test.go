package timd

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/testcontainers/testcontainers-go"
)

// Ensure the module's request: the API's port exposed, a test's settings
// with an app of its own, a wait on /readyz, and the caller's settings
// over the module's, which the accessors then report. No Docker needed.
func TestOptions(t *testing.T) {
	c := &Container{}
	req := &testcontainers.GenericContainerRequest{}
	opts := c.options([]testcontainers.ContainerCustomizer{
		testcontainers.WithEnv(map[string]string{"TIMD_ADMINS": "boss,ops", "TIMD_EDITION": "pro"}),
	})
	for _, opt := range opts {
		if err := opt.Customize(req); err != nil {
			t.Fatal(err)
		}
	}
	if len(req.ExposedPorts) != 1 || req.ExposedPorts[0] != Port || req.WaitingFor == nil {
		t.Errorf("ports %v, wait %v", req.ExposedPorts, req.WaitingFor)
	}
	for k, want := range map[string]string{"TIMD_DATA": ":memory:", "TIMD_CALLBACK_URL": "internal", "TIMD_CONTROL": "on",
		"TIMD_TIME_CONTROL": "on", "TIMD_RATE_LIMIT": "off", "TIMD_EDITION": "pro", "TIMD_SECRET_KEY": c.SecretKey()} {
		if req.Env[k] != want {
			t.Errorf("%s = %q, want %q", k, req.Env[k], want)
		}
	}
	if c.SdkAppID()/100_000_000 != 14 || len(c.SecretKey()) != 64 || c.Admin() != "boss" {
		t.Errorf("app %d, key %q, admin %q", c.SdkAppID(), c.SecretKey(), c.Admin())
	}
	q, err := c.Query()
	if err != nil || !strings.HasPrefix(q, "sdkappid=14") || !strings.Contains(q, "&identifier=boss&usersig=") {
		t.Errorf("Query() = %q, %v", q, err)
	}
}

// Ensure a user's test against the container: start timd, import an
// account as the admin. It needs a Docker daemon, and skips without one;
// the image is TIMD_TEST_IMAGE, else built from the repository's
// Dockerfile.
func TestRun(t *testing.T) {
	testcontainers.SkipIfProviderIsNotHealthy(t)
	ctx := context.Background()
	var opts []testcontainers.ContainerCustomizer
	img := os.Getenv("TIMD_TEST_IMAGE")
	if img == "" {
		opts = append(opts, testcontainers.WithDockerfile(testcontainers.FromDockerfile{Context: "..", Dockerfile: "Dockerfile"}))
	}
	ctr, err := Run(ctx, img, opts...)
	testcontainers.CleanupContainer(t, ctr)
	if err != nil {
		t.Fatal(err)
	}
	base, err := ctr.URL(ctx)
	if err != nil {
		t.Fatal(err)
	}
	q, err := ctr.Query()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/v4/im_open_login_svc/account_import?"+q, "application/json", strings.NewReader(`{"UserID":"alice"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }() // read below; its Close has nothing to add
	var reply struct{ ErrorCode int }
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil || reply.ErrorCode != 0 {
		t.Errorf("account_import: %v, ErrorCode %d", err, reply.ErrorCode)
	}
}
