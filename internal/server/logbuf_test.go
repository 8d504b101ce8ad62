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
	deadline := time.Now().Add(10 * time.Second)
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

	buf.delay = time.Hour // from here on, only a full buffer writes by itself
	long := strings.Repeat("x", logBufMax)
	log.Info(long)
	for !strings.Contains(out.String(), long) {
		if time.Now().After(deadline) {
			t.Fatal("a full buffer was not written")
		}
		time.Sleep(10 * time.Millisecond)
	}
	log.Info("five")
	if err := buf.Flush(); err != nil || !strings.Contains(out.String(), "msg=five") {
		t.Fatalf("Flush: %v %q", err, out.String())
	}
}

// blockedWriter holds every write until release is closed.
type blockedWriter struct {
	syncBuffer
	release chan struct{}
}

func (w *blockedWriter) Write(p []byte) (int, error) {
	<-w.release
	return w.syncBuffer.Write(p)
}

// Ensure a reader that does not read (a stalled pipe) does not hold the
// requests that log while their lines fit the buffer.
func TestLogBuffer_SlowReaderDoesNotHoldLogging(t *testing.T) {
	w := &blockedWriter{release: make(chan struct{})}
	buf := newLogBuffer(w)
	buf.delay = time.Hour
	log := newLogger(buf, "info", "text")
	done := make(chan struct{})
	go func() {
		defer close(done)
		log.Info(strings.Repeat("x", logBufMax)) // fills the buffer: its batch waits on the reader
		for range 100 {
			log.Info("more")
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("logging waited for the reader")
	}
	close(w.release)
	if err := buf.Flush(); err != nil || strings.Count(w.String(), "msg=more") != 100 {
		t.Fatalf("Flush: %v, %d lines", err, strings.Count(w.String(), "msg=more"))
	}
}
