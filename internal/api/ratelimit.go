package api

import (
	"sync"
	"time"
)

// rateLimiter enforces a per-app, per-API calls-per-second limit with token
// buckets that hold one second's worth of calls. Limits are per instance
// (docs/operations.md): N instances behind a load balancer admit up to N
// times the figure. Buckets exist only for known apps and routes, plus one
// per app for unknown paths, so memory is bounded.
type rateLimiter struct {
	mode    int // RateTencent, RateOff or a fixed figure
	mu      sync.Mutex
	buckets map[bucketKey]*bucket
}

type bucketKey struct {
	app uint64
	rt  *route // nil: unknown paths of the app
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(mode int) *rateLimiter {
	return &rateLimiter{mode: mode, buckets: make(map[bucketKey]*bucket)}
}

// unknownPerSec limits calls to unknown paths, which are answered at once.
const unknownPerSec = 200

// allow takes one token from the bucket of (app, rt) if it has one.
func (l *rateLimiter) allow(app uint64, rt *route, now time.Time) bool {
	var perSec int
	switch {
	case l.mode == RateOff:
		return true
	case l.mode > 0:
		perSec = l.mode
	case rt != nil:
		perSec = rt.perSec
	default:
		perSec = unknownPerSec
	}
	limit := float64(perSec)

	l.mu.Lock()
	defer l.mu.Unlock()
	k := bucketKey{app, rt}
	b := l.buckets[k]
	if b == nil {
		b = &bucket{tokens: limit, last: now}
		l.buckets[k] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = min(limit, b.tokens+elapsed*limit)
		b.last = now
	}
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}
