package dbtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"testing"
)

// deadDSN returns a DSN naming a port of 127.0.0.1 where nothing listens:
// one that was free a moment ago.
func deadDSN(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "postgres://postgres:secret@" + addr + "/test?sslmode=disable"
}

// Ensure CheckPostgres reports a server that does not answer with a message
// naming the variable, the address (without its password) and both ways
// out.
func TestCheckPostgres_NothingListens(t *testing.T) {
	dsn := deadDSN(t)
	err := CheckPostgres(context.Background(), dsn)
	if err == nil {
		t.Fatalf("CheckPostgres(%s) = nil, want an error", dsn)
	}
	msg := err.Error()
	for _, want := range []string{EnvPostgresDSN + " is set", "does not answer", "start the server", "unset " + EnvPostgresDSN} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "secret") {
		t.Errorf("message %q shows the password", msg)
	}
}

// Ensure CheckPostgres accepts the server the PostgreSQL leg runs on.
func TestCheckPostgres_Answers(t *testing.T) {
	dsn := os.Getenv(EnvPostgresDSN)
	if dsn == "" {
		t.Skip("PostgreSQL leg skipped: set " + EnvPostgresDSN + " to run it")
	}
	if err := CheckPostgres(context.Background(), dsn); err != nil {
		t.Fatal(err)
	}
}

// Ensure a test asking for a PostgreSQL database fails, not skips, when
// TIMD_TEST_POSTGRES_DSN names a server that does not answer.
func TestPostgresDSN_SetButAbsentFails(t *testing.T) {
	t.Setenv(EnvPostgresDSN, deadDSN(t))
	tb := runPostgresDSN()
	if !tb.failed || tb.skipped {
		t.Fatalf("failed %v, skipped %v (%q); want a failure", tb.failed, tb.skipped, tb.msg)
	}
	if !strings.Contains(tb.msg, "does not answer") {
		t.Errorf("message %q does not say the server does not answer", tb.msg)
	}
}

// Ensure a test asking for a PostgreSQL database is skipped, with a message
// saying how to run it, when TIMD_TEST_POSTGRES_DSN is unset.
func TestPostgresDSN_UnsetSkips(t *testing.T) {
	t.Setenv(EnvPostgresDSN, "")
	tb := runPostgresDSN()
	if !tb.skipped || tb.failed {
		t.Fatalf("failed %v, skipped %v (%q); want a skip", tb.failed, tb.skipped, tb.msg)
	}
	if !strings.Contains(tb.msg, "set "+EnvPostgresDSN+"=postgres://") {
		t.Errorf("message %q does not say how to enable the leg", tb.msg)
	}
}

// runPostgresDSN calls PostgresDSN with a recording testing.TB on a
// goroutine of its own, which its Fatal or Skip ends, and returns what
// happened.
func runPostgresDSN() *outcomeTB {
	tb := &outcomeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		PostgresDSN(tb)
	}()
	<-done
	return tb
}

// outcomeTB records whether a test failed or was skipped, and why. Only the
// methods PostgresDSN calls before it fails or skips are implemented: the
// embedded testing.TB is nil.
type outcomeTB struct {
	testing.TB
	failed, skipped bool
	msg             string
}

func (tb *outcomeTB) Helper()                   {}
func (tb *outcomeTB) Fatal(args ...any)         { tb.end(&tb.failed, fmt.Sprint(args...)) }
func (tb *outcomeTB) Fatalf(f string, a ...any) { tb.end(&tb.failed, fmt.Sprintf(f, a...)) }
func (tb *outcomeTB) Skip(args ...any)          { tb.end(&tb.skipped, fmt.Sprint(args...)) }

func (tb *outcomeTB) end(flag *bool, msg string) {
	*flag, tb.msg = true, msg
	runtime.Goexit()
}
