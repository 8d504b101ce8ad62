package im

import (
	"context"
	"sync"
	"time"
)

// Clocks holds the time control of timd's control plane (timd_clock): per
// app, an offset from the real time that tests set or advance so that what
// depends on time (UserSig expiry, message lifetimes, EventTime, callback
// retry schedules) can be reached without waiting. An app without an offset
// runs on the real time. The offsets live in the process: instances on one
// PostgreSQL database each have their own (docs/control-clock.md). The
// zero value and a nil *Clocks hold no offsets.
type Clocks struct {
	mu      sync.RWMutex
	offsets map[uint64]time.Duration
	moved   chan struct{} // closed when an offset changes (Moved)
}

// Offset is app's offset from the real time.
func (c *Clocks) Offset(app uint64) time.Duration {
	if c == nil {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offsets[app]
}

// Offsets is a copy of every app's offset that is not 0; nil if none.
func (c *Clocks) Offsets() map[uint64]time.Duration {
	if c == nil {
		return nil
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if len(c.offsets) == 0 {
		return nil
	}
	out := make(map[uint64]time.Duration, len(c.offsets))
	for app, d := range c.offsets {
		out[app] = d
	}
	return out
}

// Moved is closed the next time an app's offset changes, so that what
// works by the apps' times (the store's purge) can look again at once. A
// nil *Clocks never moves: its channel is nil.
func (c *Clocks) Moved() <-chan struct{} {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved == nil {
		c.moved = make(chan struct{})
	}
	return c.moved
}

// SetOffset sets app's offset; 0 puts the app back on the real time.
func (c *Clocks) SetOffset(app uint64, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.moved != nil {
		close(c.moved)
		c.moved = nil
	}
	if d == 0 {
		delete(c.offsets, app)
		return
	}
	if c.offsets == nil {
		c.offsets = map[uint64]time.Duration{}
	}
	c.offsets[app] = d
}

// clockKey is the context key of a call's clock offset.
type clockKey struct{}

// WithClockOffset returns ctx carrying the offset of the app a call is
// for: the store stamps what the call writes (EventTime, message times and
// lifetimes) with the real time moved by it.
func WithClockOffset(ctx context.Context, d time.Duration) context.Context {
	if d == 0 {
		return ctx
	}
	return context.WithValue(ctx, clockKey{}, d)
}

// ClockOffset is the offset ctx carries, 0 when none.
func ClockOffset(ctx context.Context) time.Duration {
	d, _ := ctx.Value(clockKey{}).(time.Duration)
	return d
}
