package api

import (
	"context"
	"sync"
	"time"
)

// lazyDeadline is context.WithDeadline(parent, deadline) that builds the
// real context only when something waits on it.
//
// Every REST call runs under a deadline, but most of them never wait: a
// read the store answers from its cache returns before anything looks at
// Done. context.WithDeadline costs each of them a timer, two allocations
// and a registration with the request's context, about 4% of a
// get_group_info's CPU in profiles. Here that is paid on the first call of
// Done (the database driver's, a goroutine's select, a derived context's),
// and Err looks at the clock meanwhile, so the deadline holds either way.
type lazyDeadline struct {
	parent   context.Context
	deadline time.Time

	mu     sync.Mutex
	ctx    context.Context // nil until needed; canceledCtx after release
	cancel context.CancelFunc
}

func newLazyDeadline(parent context.Context, deadline time.Time) *lazyDeadline {
	return &lazyDeadline{parent: parent, deadline: deadline}
}

// canceledCtx is what a lazyDeadline released before it was needed is.
var canceledCtx = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()

// real returns the context.WithDeadline this stands for, building it on
// first use.
func (c *lazyDeadline) real() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ctx == nil {
		c.ctx, c.cancel = context.WithDeadline(c.parent, c.deadline)
	}
	return c.ctx
}

// built returns the real context if it exists yet.
func (c *lazyDeadline) built() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ctx
}

func (c *lazyDeadline) Deadline() (time.Time, bool) {
	if d, ok := c.parent.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *lazyDeadline) Done() <-chan struct{} { return c.real().Done() }

func (c *lazyDeadline) Err() error {
	if ctx := c.built(); ctx != nil {
		return ctx.Err()
	}
	if err := c.parent.Err(); err != nil {
		return err
	}
	if !time.Now().Before(c.deadline) {
		return context.DeadlineExceeded
	}
	return nil
}

// Value asks the real context once it exists: a context derived from this
// one then finds the real one's cancellation and is registered with it,
// rather than watched by a goroutine of its own.
func (c *lazyDeadline) Value(key any) any {
	if ctx := c.built(); ctx != nil && ctx != canceledCtx {
		return ctx.Value(key)
	}
	return c.parent.Value(key)
}

// release is the cancel function of context.WithDeadline: the context is
// done from now on, whether or not it was built.
func (c *lazyDeadline) release() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
		return
	}
	if c.ctx == nil {
		c.ctx = canceledCtx
	}
}
