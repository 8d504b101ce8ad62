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

// SetOffset sets app's offset; 0 puts the app back on the real time.
func (c *Clocks) SetOffset(app uint64, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
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
