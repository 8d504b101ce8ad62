package dbtest

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// PostgresCluster is a private PostgreSQL server of one test, in a temporary
// directory, that the test may crash, stop and restart without disturbing
// the shared server other tests use. Its methods must be called from the
// test's goroutine.
type PostgresCluster struct {
	// DSN connects to the cluster's postgres database as the superuser
	// postgres, over TCP on 127.0.0.1 (trust authentication).
	DSN string

	tb   testing.TB
	bin  string   // directory of initdb and pg_ctl
	as   []string // prefix running a command as the cluster's owner
	dir  string   // temporary directory: data, log, unix socket
	data string
	log  string
	port int
}

// StartPostgresCluster creates a PostgreSQL cluster in a fresh temporary
// directory with initdb, starts it on a free port of 127.0.0.1 and stops it
// and removes its directory when tb ends. It skips tb when the server's
// programs are missing (it looks for pg_ctl on the PATH, then in
// /usr/lib/postgresql/*/bin), or when it runs as root without runuser and a
// "postgres" OS user to run them as (PostgreSQL refuses to run as root).
func StartPostgresCluster(tb testing.TB) *PostgresCluster {
	tb.Helper()
	bin := postgresBinDir()
	if bin == "" {
		tb.Skip("private PostgreSQL cluster skipped: no initdb and pg_ctl on the PATH or in /usr/lib/postgresql/*/bin")
	}
	c := &PostgresCluster{tb: tb, bin: bin}
	uid, gid := -1, -1
	if os.Geteuid() == 0 {
		runuser, err := exec.LookPath("runuser")
		if err != nil {
			tb.Skip("private PostgreSQL cluster skipped: running as root, which PostgreSQL refuses, and runuser is missing")
		}
		u, err := user.Lookup("postgres")
		if err != nil {
			tb.Skip("private PostgreSQL cluster skipped: running as root, which PostgreSQL refuses, and there is no postgres OS user")
		}
		uid, _ = strconv.Atoi(u.Uid)
		gid, _ = strconv.Atoi(u.Gid)
		c.as = []string{runuser, "-u", "postgres", "--"}
	}

	// Not tb.TempDir: its parent is private to the test's user, and the
	// server may run as another.
	dir, err := os.MkdirTemp("", "timd-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	c.dir, c.data, c.log = dir, filepath.Join(dir, "data"), filepath.Join(dir, "server.log")
	tb.Cleanup(func() {
		// Immediate: nothing of the cluster is kept. Logged, not failed:
		// the server may be down already (never started, or stopped by
		// the test); otherwise the error is about a server left running.
		if err := c.pgctl("stop", "-m", "immediate"); err != nil {
			tb.Log(err)
		}
		if err := os.RemoveAll(dir); err != nil {
			tb.Log(err)
		}
	})
	if uid >= 0 {
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	if out, err := c.run(filepath.Join(bin, "initdb"), "-D", c.data, "-U", "postgres", "-A", "trust",
		"-E", "UTF8", "--no-sync"); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}

	// A free port may be taken between looking and listening: try a few.
	var lastErr error
	for range 5 {
		c.port = freePort(tb)
		conf := fmt.Sprintf("\nlisten_addresses = '127.0.0.1'\nport = %d\nunix_socket_directories = '%s'\n"+
			"max_connections = 100\nlogging_collector = off\n", c.port, dir)
		if err := appendFile(filepath.Join(c.data, "postgresql.conf"), conf); err != nil {
			tb.Fatal(err)
		}
		if lastErr = c.pgctl("start"); lastErr == nil {
			c.DSN = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.port)
			return c
		}
	}
	tb.Fatalf("start PostgreSQL: %v", lastErr)
	return nil
}

// Restart runs pg_ctl restart with the shutdown mode: "immediate" crashes
// the server (recovery from the WAL at start), "fast" rolls back open
// transactions and closes every connection, "smart" waits for clients to
// leave. It returns once the server accepts connections again.
func (c *PostgresCluster) Restart(mode string) {
	c.tb.Helper()
	if err := c.pgctl("restart", "-m", mode); err != nil {
		c.tb.Fatalf("restart PostgreSQL (-m %s): %v", mode, err)
	}
}

// Stop runs pg_ctl stop with the shutdown mode (see Restart) and returns
// once the server is gone: the database is down until Start.
func (c *PostgresCluster) Stop(mode string) {
	c.tb.Helper()
	if err := c.pgctl("stop", "-m", mode); err != nil {
		c.tb.Fatalf("stop PostgreSQL (-m %s): %v", mode, err)
	}
}

// Start starts the stopped server on its port and returns once it accepts
// connections.
func (c *PostgresCluster) Start() {
	c.tb.Helper()
	if err := c.pgctl("start"); err != nil {
		c.tb.Fatalf("start PostgreSQL: %v", err)
	}
}

// pgctl runs pg_ctl on the cluster, waiting up to 60 s, and returns an error
// carrying its output and the end of the server's log.
func (c *PostgresCluster) pgctl(args ...string) error {
	args = append([]string{"-D", c.data, "-l", c.log, "-w", "-t", "60"}, args...)
	out, err := c.run(filepath.Join(c.bin, "pg_ctl"), args...)
	if err != nil {
		log, _ := os.ReadFile(c.log)
		if len(log) > 4000 {
			log = log[len(log)-4000:]
		}
		return fmt.Errorf("pg_ctl %s: %v\n%s\nserver log:\n%s", strings.Join(args, " "), err, out, log)
	}
	return nil
}

// run runs a program as the cluster's owner and returns its output.
func (c *PostgresCluster) run(prog string, args ...string) ([]byte, error) {
	argv := append(append(append([]string(nil), c.as...), prog), args...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = c.dir
	cmd.Env = append(os.Environ(), "LC_ALL=C")
	// The server writes to its log file, not to our pipe; should a child
	// keep the pipe open anyway, do not wait for it forever.
	cmd.WaitDelay = 5 * time.Second
	return cmd.CombinedOutput()
}

// postgresBinDir returns the directory holding initdb and pg_ctl: the one on
// the PATH, else the newest /usr/lib/postgresql/*/bin, else "".
func postgresBinDir() string {
	has := func(dir string) bool {
		for _, p := range []string{"initdb", "pg_ctl", "postgres"} {
			if st, err := os.Stat(filepath.Join(dir, p)); err != nil || st.IsDir() {
				return false
			}
		}
		return true
	}
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if dir := filepath.Dir(p); has(dir) {
			return dir
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return versionOf(dirs[i]) > versionOf(dirs[j]) })
	for _, d := range dirs {
		if has(d) {
			return d
		}
	}
	return ""
}

// versionOf is the major version in /usr/lib/postgresql/<version>/bin.
func versionOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

// freePort returns a port of 127.0.0.1 nothing listens on, below the
// ephemeral range where it can: while the server is down, a port in that
// range may become the local end of some outgoing connection, and the server
// could not listen on it again.
func freePort(tb testing.TB) int {
	tb.Helper()
	low := 32768
	if b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range"); err == nil {
		if f := strings.Fields(string(b)); len(f) == 2 {
			if n, err := strconv.Atoi(f[0]); err == nil {
				low = n
			}
		}
	}
	if low > 11000 {
		for range 50 {
			port := 10000 + rand.IntN(low-10000)
			if ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))); err == nil {
				ln.Close()
				return port
			}
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(text); err != nil {
		_ = f.Close() // the write error is the one to report
		return err
	}
	return f.Close()
}
