package server

import (
	"context"
	"fmt"
	"os"
	"slices"

	"github.com/timd/timd/internal/im"
)

// seed imports the --seed document, if any, into its app (SdkAppId; 0
// names the one app served), replacing that app's state.
func (m *Server) seed(ctx context.Context) error {
	if m.Config.Seed == "" {
		return nil
	}
	doc, err := ReadStateDoc(m.Config.Seed)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	i := slices.IndexFunc(m.Apps, func(a *im.App) bool { return a.SDKAppID == doc.SdkAppId })
	if doc.SdkAppId == 0 && len(m.Apps) == 1 {
		i = 0
	}
	if i < 0 {
		return fmt.Errorf("seed %s: app %d is not served: configure it, or give the development app's SDKAppID (or 0 when one app is served)",
			m.Config.Seed, doc.SdkAppId)
	}
	app := m.Apps[i]
	if err := m.Store.ImportApp(ctx, app.SDKAppID, doc, app.Admins); err != nil {
		return fmt.Errorf("seed %s: %w", m.Config.Seed, err)
	}
	m.Logger.Info("state seeded", "sdkappid", app.SDKAppID, "file", m.Config.Seed)
	return nil
}

// ReadStateDoc reads a state document (docs/control-state.md) from a
// file: the --seed of a start, or the file of `timd import`.
func ReadStateDoc(path string) (*im.StateDoc, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	doc, err := im.ParseStateDoc(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return doc, nil
}
