package server

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"
)

// A log line per request is written to stderr in batches: within
// logFlushDelay of the first line of a batch, at once when logBufMax bytes
// wait, when a line at warn level or above is logged, and when timd stops.
//
// Profiled under load, writing each request's line with a system call of
// its own was 4–9% of timd's CPU (admin_getroammsg, sendmsg); a batch costs
// one. The lines and their order are unchanged; what a kill -9 loses is at
// most the last logFlushDelay of info lines (docs/reliability.md).

const (
	logFlushDelay = 100 * time.Millisecond
	logBufMax     = 64 << 10
)

type logBuffer struct {
	w     io.Writer
	mu    sync.Mutex
	buf   []byte
	timer *time.Timer // armed while buf holds lines
}

func newLogBuffer(w io.Writer) *logBuffer {
	b := &logBuffer{w: w}
	b.timer = time.AfterFunc(time.Hour, func() { _ = b.Flush() })
	b.timer.Stop()
	return b
}

// Write takes one line (slog's handlers write each record whole).
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) == 0 {
		b.timer.Reset(logFlushDelay)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= logBufMax {
		return len(p), b.flushLocked()
	}
	return len(p), nil
}

// Flush writes what waits.
func (b *logBuffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked()
}

func (b *logBuffer) flushLocked() error {
	b.timer.Stop()
	if len(b.buf) == 0 {
		return nil
	}
	_, err := b.w.Write(b.buf)
	if cap(b.buf) > 4*logBufMax {
		b.buf = nil // a burst made it large: let it go
	} else {
		b.buf = b.buf[:0]
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
