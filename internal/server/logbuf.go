package server

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// A log line per request is written to stderr in batches: within
// logFlushDelay of the first line of a batch, as soon as logBufMax bytes
// wait, when a line at warn level or above is logged, and when timd stops.
//
// Profiled under load, writing each request's line with a system call of
// its own was 4–9% of timd's CPU (admin_getroammsg, sendmsg); a batch costs
// one. A batch is written by a goroutine of its own, never by the request
// whose line filled it: a pipe to a slow reader (a supervisor, a terminal)
// would hold that request, and every other behind the buffer's lock. Only
// past logBufHard, a reader that has stopped reading, does logging wait for
// it again, as an unbuffered log does. The lines and their order are
// unchanged; what a kill -9 loses is at most the last logFlushDelay of info
// lines (docs/reliability.md).

const (
	logFlushDelay = 100 * time.Millisecond
	logBufMax     = 32 << 10
	logBufHard    = 1 << 20
)

type logBuffer struct {
	w        io.Writer
	delay    time.Duration // logFlushDelay
	wmu      sync.Mutex    // held while a batch is written to w: one at a time, in order
	mu       sync.Mutex
	buf      []byte
	spare    []byte      // the last batch's buffer, for reuse
	timer    *time.Timer // armed while buf holds lines
	flushing atomic.Bool // a full buffer's goroutine is under way
}

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: w, delay: logFlushDelay}
	b.timer = time.AfterFunc(time.Hour, func() { _ = b.Flush() })
	b.timer.Stop()
	return b
}

// Write takes one line (slog's handlers write each record whole).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	if len(b.buf) >= logBufHard {
		b.mu.Unlock()
		if err := b.Flush(); err != nil {
			return 0, err
		}
		b.mu.Lock()
	}
	if len(b.buf) == 0 {
		b.timer.Reset(b.delay)
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= logBufMax
	b.mu.Unlock()
	if full && b.flushing.CompareAndSwap(false, true) {
		go func() {
			defer b.flushing.Store(false)
			_ = b.Flush()
		}()
	}
	return len(p), nil
}

// Flush writes what waits, and returns once it is written.
func (b *logBuffer) Flush() error {
	b.wmu.Lock()
	defer b.wmu.Unlock()
	b.mu.Lock()
	out := b.buf
	b.buf, b.spare = b.spare[:0], nil
	b.mu.Unlock()
	if len(out) == 0 {
		return nil
	}
	_, err := b.w.Write(out)
	if cap(out) <= 4*logBufMax { // a larger one came of a burst: let it go
		b.mu.Lock()
		b.spare = out[:0]
		b.mu.Unlock()
	}
	return err
}

// flushingHandler writes out the buffer after every record at warn level or
// above, so that trouble is on the screen when it happens.
type flushingHandler struct {
	slog.Handler
	buf *logBuffer
}

func (h flushingHandler) Handle(ctx context.Context, r slog.Record) error {
	err := h.Handler.Handle(ctx, r)
	if r.Level >= slog.LevelWarn {
		_ = h.buf.Flush()
	}
	return err
}

func (h flushingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return flushingHandler{h.Handler.WithAttrs(as), h.buf}
}

func (h flushingHandler) WithGroup(name string) slog.Handler {
	return flushingHandler{h.Handler.WithGroup(name), h.buf}
}
