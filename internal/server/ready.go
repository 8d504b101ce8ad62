package server

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/timd/timd/internal/ready"
)

// writeReady writes the start-up handshake to TIMD_READY_FILE, if set: the
// URL, the first app and its first admin, the pid and where the data lives,
// and the development app's key (a configured app's is the operator's). A
// program that started timd reads it instead of the welcome.
func (m *Server) writeReady() error {
	path := m.Config.ReadyFile
	if path == "" {
		return nil
	}
	app := m.Apps[0]
	info := ready.Info{URL: m.URL(), SDKAppID: app.SDKAppID, Admin: app.Admins[0], PID: os.Getpid(), Data: m.dataWhere,
		ProxyURL: m.ProxyURL(), ProxyCA: m.ProxyCA()}
	if len(m.Config.AllApps()) == 0 {
		info.SecretKey = app.SecretKey
	}
	if err := ready.Write(path, info); err != nil {
		return fmt.Errorf("ready file: %w", err)
	}
	m.readyFile = path
	return nil
}

// removeReady removes the ready file this start wrote: a timd shutting down
// is no longer ready. One killed leaves it behind, with its pid.
func (m *Server) removeReady() {
	if m.readyFile != "" {
		// Left behind, it would tell a program that timd is ready.
		if err := os.Remove(m.readyFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			m.Logger.Warn("remove ready file", "path", m.readyFile, "err", err)
		}
		m.readyFile = ""
	}
}
