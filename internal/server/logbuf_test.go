package server

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the flush timer's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Ensure info lines reach stderr within the flush delay, in order, and a
// warning and everything before it at once.
func TestLogBuffer(t *testing.T) {
	var out syncBuffer
	buf := newLogBuffer(&out)
	log := newLogger(buf, "info", "text")
	log.Info("one")
	log.Info("two")
	if got := out.String(); got != "" {
		t.Fatalf("written at once: %q", got)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "msg=two") {
		if time.Now().After(deadline) {
			t.Fatalf("not written after the delay: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if s := out.String(); strings.Index(s, "msg=one") > strings.Index(s, "msg=two") {
		t.Fatalf("out of order: %q", s)
	}

	log.Info("three")
	log.With("k", "v").Warn("four")
	if s := out.String(); !strings.Contains(s, "msg=three") || !strings.Contains(s, "msg=four k=v") {
		t.Fatalf("a warning did not write out what waited: %q", s)
	}

	long := strings.Repeat("x", logBufMax)
	log.Info(long)
	if !strings.Contains(out.String(), long) {
		t.Fatal("a full buffer was not written at once")
	}
	log.Info("five")
	if err := buf.Flush(); err != nil || !strings.Contains(out.String(), "msg=five") {
		t.Fatalf("Flush: %v %q", err, out.String())
	}
}
