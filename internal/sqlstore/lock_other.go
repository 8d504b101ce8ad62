//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package sqlstore

import "os"

// lockFile takes no lock where syscall has no flock (Windows among others):
// two timds on one SQLite file there are the operator's to avoid. SQLite's
// own locking still keeps the file consistent; what goes unguarded is a
// second callback sender.
func lockFile(path string) (*os.File, error) { return nil, nil }
