package sqlstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// A SQLite file belongs to one timd at a time: a second process on it would
// be a second writer and a second callback sender, and Open frees the
// delivery leases it finds as a dead process's. Open therefore holds an
// exclusive lock on "<file>.lock" beside the database for the store's life.
// The lock file is never removed (removing it would let a third process lock
// a new file while the second still holds the old one); it holds the pid of
// its holder, for the message a second process prints.

// ErrInUse is wrapped by the error Open returns when another process holds
// the SQLite file.
var ErrInUse = errors.New("database in use by another process")

// LockPath is the lock file Open holds for the SQLite database at path.
func LockPath(path string) string { return path + ".lock" }

// lockSQLite takes the lock of the SQLite database dsn names, creating its
// directory if needed. It returns nil, nil for an in-memory database and on
// platforms without flock (lock_other.go).
func lockSQLite(dsn string) (*os.File, error) {
	if IsMemory(dsn) {
		return nil, nil
	}
	path := SQLitePath(dsn)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	f, err := lockFile(LockPath(path))
	if errors.Is(err, ErrInUse) {
		abs, _ := filepath.Abs(path)
		who := "another process"
		if b, rerr := os.ReadFile(LockPath(path)); rerr == nil {
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); perr == nil && pid > 0 {
				who = "another process (pid " + strconv.Itoa(pid) + ")"
				if pid == os.Getpid() {
					who = "another store of this process (pid " + strconv.Itoa(pid) + ")"
				}
			}
		}
		return nil, fmt.Errorf("%w: %s is in use by %s, which holds %s; "+
			"only one timd may serve a SQLite file: stop the other one, or give this one its own --data",
			ErrInUse, abs, who, LockPath(abs))
	}
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", LockPath(path), err)
	}
	return f, nil
}
