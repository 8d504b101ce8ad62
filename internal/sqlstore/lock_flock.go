//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package sqlstore

import (
	"errors"
	"os"
	"strconv"
	"syscall"
)

// lockFile opens path and takes an exclusive flock on it without waiting,
// then writes the process's pid into it. The kernel drops the lock when the
// file is closed or the process dies, so a crash leaves no stale lock.
// flock is taken per open file, so a second Open of the same database in
// one process is refused too.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // the flock error is the one to report
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrInUse
		}
		return nil, err
	}
	// The pid is only for the message of a process that finds the lock
	// taken; failing to write it is harmless.
	if f.Truncate(0) == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
