// Package ready is timd's machine-readable start-up handshake. Once a timd
// started with TIMD_READY_FILE (--ready-file) listens and serves, it writes
// an Info as one JSON object to that file, atomically (a temporary file
// renamed into place), so a program that started it (timd-bench, the
// process-level tests, a supervisor's script) finds its URL and app without
// reading the welcome, which is written for people and may change.
package ready

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/timd/timd/internal/atomicfile"
)

// Info is what the ready file holds.
type Info struct {
	URL      string `json:"url"`      // base URL clients on this machine reach timd at
	SDKAppID uint64 `json:"sdkappid"` // the first app served
	Admin    string `json:"admin"`    // its first admin
	// SecretKey is the development app's key, which timd made itself; a
	// configured app's key is the operator's and is left out.
	SecretKey string `json:"secret_key,omitempty"`
	PID       int    `json:"pid"`  // timd's process id
	Data      string `json:"data"` // where the data lives, as the welcome's Data line (no password)
	// ProxyURL (an HTTPS_PROXY value) and ProxyCA (the CA certificate's
	// path) describe the proxy front, when TIMD_PROXY_ADDR turns it on.
	ProxyURL string `json:"proxy_url,omitempty"`
	ProxyCA  string `json:"proxy_ca,omitempty"`
}

// Write writes info to path atomically: readers see no file or the whole
// object, never a part. The file is readable by its owner only, as it may
// hold a secret key.
func Write(path string, info Info) error {
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(b, '\n'), 0o600)
}

// Read reads the ready file at path; the error wraps fs.ErrNotExist while
// timd has not written it.
func Read(path string) (Info, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Info{}, err
	}
	var info Info
	if err := json.Unmarshal(b, &info); err != nil {
		return Info{}, fmt.Errorf("ready file %s: %w", path, err)
	}
	return info, nil
}

// pollEvery is how often Wait looks for the file.
const pollEvery = 20 * time.Millisecond

// Wait waits until the ready file at path exists and returns it. It gives up
// when ctx is done, and when exited (may be nil) is closed: the timd it waits
// for has exited. The file must not exist before that timd starts: delete an
// old one first, or use a new path per start.
func Wait(ctx context.Context, path string, exited <-chan struct{}) (Info, error) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		info, err := Read(path)
		if !errors.Is(err, fs.ErrNotExist) {
			return info, err
		}
		select {
		case <-t.C:
		case <-exited:
			return Info{}, errors.New("timd exited before it was ready")
		case <-ctx.Done():
			return Info{}, fmt.Errorf("timd not ready: %w", context.Cause(ctx))
		}
	}
}
