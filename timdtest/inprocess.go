package timdtest

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/timd/timd/internal/server"
)

// runInProcess starts timd's server in this process on a loopback port,
// configured by o.env alone: the process's own TIMD_* variables, meant for
// a timd the developer runs, do not leak into the test's.
func runInProcess(ctx context.Context, o *options) (*Server, error) {
	m := server.New()
	m.Version = "timdtest"
	m.Stdout, m.Stderr = io.Discard, o.log
	if err := m.ParseFlags(nil, func(k string) string { return o.env[k] }); err != nil {
		return nil, err
	}
	if err := m.Run(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("start timd: %w", err), m.Close())
	}
	app := m.Apps[0]
	return newServer(m.URL(), app.SDKAppID, app.SecretKey, app.Admins[0], m.Close)
}
