package timdtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"
)

// containerPort is where the image's timd listens inside the container.
const containerPort = "8080"

// runContainer runs o.image with the container engine's command line (no
// Docker library, so the module needs none): `run -d` with the settings as
// -e flags and the API's port published on loopback, `port` for where it
// landed, then GET /readyz until timd answers 200. The app's SdkAppId and
// key are Run's own, passed in, so nothing is read from the container.
func runContainer(ctx context.Context, o *options) (*Server, error) {
	engine := o.engine
	if engine == "" {
		engine = "docker"
	}
	env := maps.Clone(o.env)
	env["TIMD_ADDR"] = "0.0.0.0:" + containerPort // inside the container; published below
	args := []string{"run", "-d", "--rm", "-p", "127.0.0.1::" + containerPort}
	for _, k := range slices.Sorted(maps.Keys(env)) {
		args = append(args, "-e", k+"="+env[k])
	}
	id, err := engineOut(ctx, engine, append(args, o.image)...)
	if err != nil {
		return nil, fmt.Errorf("start timd: %w", err)
	}
	stop := func() error {
		_, err := engineOut(context.Background(), engine, "rm", "-f", id)
		return err
	}
	addr, err := engineOut(ctx, engine, "port", id, containerPort+"/tcp")
	if err == nil {
		addr, err = publishedAddr(addr)
	}
	if err == nil {
		err = awaitReady(ctx, "http://"+addr, o.wait)
	}
	if err != nil {
		logs, _ := engineOut(context.Background(), engine, "logs", id) // for the message only
		return nil, errors.Join(fmt.Errorf("timd in container %s: %w\n%s", id, err, logs), stop())
	}
	appID, err := strconv.ParseUint(env["TIMD_SDKAPPID"], 10, 64)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("TIMD_SDKAPPID: %w", err), stop())
	}
	return newServer("http://"+addr, appID, env["TIMD_SECRET_KEY"], adminOf(env), stop)
}

// engineOut runs the engine and returns its standard output, trimmed.
func engineOut(ctx context.Context, engine string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, engine, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("%s %s: %w: %s", engine, args[0], err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// publishedAddr picks the address a local client reaches from `port`'s
// answer: one HOST:PORT a line (IPv4 first), 0.0.0.0 meaning loopback.
func publishedAddr(out string) (string, error) {
	line, _, _ := strings.Cut(out, "\n")
	host, port, err := net.SplitHostPort(strings.TrimSpace(line))
	if err != nil {
		return "", fmt.Errorf("published port %q: %w", out, err)
	}
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// awaitReady polls base's /readyz until it answers 200, for at most wait.
func awaitReady(ctx context.Context, base string, wait time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			_ = resp.Body.Close() // the status is the answer
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not ready at %s/readyz: %w", base, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}
