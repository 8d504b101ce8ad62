package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/timd/timd/internal/config"
)

// healthcheckOpts are the flags of `timd healthcheck`.
type healthcheckOpts struct {
	url     string
	timeout time.Duration
}

// defaultHealthTimeout bounds one healthcheck, connection included: a
// container engine or a balancer's probe should not hang on a stuck timd.
const defaultHealthTimeout = 3 * time.Second

func healthcheckFlags(o *healthcheckOpts) *flag.FlagSet {
	fs := flag.NewFlagSet("timd healthcheck", flag.ContinueOnError)
	fs.StringVar(&o.url, "url", "", "timd's base URL, or a full URL to GET; default http:// and TIMD_ADDR (else "+
		config.Default().Addr+"), an unspecified host (0.0.0.0, ::) taken as loopback")
	fs.DurationVar(&o.timeout, "timeout", defaultHealthTimeout, "how long to wait for the answer")
	return fs
}

// healthcheckCmd asks a running timd whether it is ready (GET /readyz: the
// process serves and its database answers) and prints one line. A timd
// that is not ready, or does not answer, is an error: the process exits 1.
func healthcheckCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var o healthcheckOpts
	fs := healthcheckFlags(&o)
	fs.SetOutput(stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("healthcheck: unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.timeout <= 0 {
		return errors.New("healthcheck: --timeout must be positive")
	}
	target, err := healthURL(o.url, getenv("TIMD_ADDR"))
	if err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	status, err := probe(ctx, target, o.timeout)
	if err != nil {
		return fmt.Errorf("not ready: %w", err)
	}
	_, err = fmt.Fprintf(stdout, "ready: %s answered %s\n", target, status)
	return err
}

// healthURL is the URL the healthcheck GETs: rawURL if it names a path,
// else its /readyz; without rawURL, /readyz of the listen address addr.
func healthURL(rawURL, addr string) (string, error) {
	if rawURL == "" {
		if addr == "" {
			addr = config.Default().Addr
		}
		host, port, err := net.SplitHostPort(addr)
		if err != nil {
			return "", fmt.Errorf("TIMD_ADDR %q: %w", addr, err)
		}
		rawURL = "http://" + net.JoinHostPort(dialHost(host), port)
	}
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("--url %q: want http://host:port[/path]", rawURL)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/readyz"
	}
	return u.String(), nil
}

// dialHost is the host to reach a server listening on host: loopback for
// an unspecified (every-interface) address.
func dialHost(host string) string {
	switch host {
	case "", "0.0.0.0":
		return "127.0.0.1"
	case "::":
		return "::1"
	}
	return host
}

// probe GETs target within timeout; anything but 200 is an error naming
// the status and the first line of the body.
func probe(ctx context.Context, target string, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return "", err
	}
	// No proxy from the environment: the probe is for this timd itself.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512)) // the status decides; the body only explains
	line, _, _ := strings.Cut(strings.TrimSpace(string(body)), "\n")
	status := fmt.Sprintf("%d %s", resp.StatusCode, line)
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s answered %s", target, status)
	}
	return status, nil
}
