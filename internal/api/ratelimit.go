package api

import (
	"sync"
	"time"

	"github.com/timd/timd/internal/im"
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
	return b.take(limit, now)
}

// take refills b for the time since its last call, at limit a second up
// to limit, and takes one token if it has one.
func (b *bucket) take(limit float64, now time.Time) bool {
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

// groupWriteLimiter holds each group to im.GroupAttrWritesPerSec writes of
// its attributes a second (10049), unless rate limits are off. Like the
// per-API limits it counts per instance. A bucket untouched for a second
// is full again, as a new one would be, so such buckets are dropped once
// there are many, at most once a second (a sweep walks them all): memory
// stays bounded by the groups written in the last two seconds.
type groupWriteLimiter struct {
	off     bool
	mu      sync.Mutex
	buckets map[groupKey]*bucket
	swept   time.Time // the last sweep
}

type groupKey struct {
	app     uint64
	groupID string
}

// groupBucketsSwept is the count of buckets past which allow drops the
// idle ones, at most once a second.
const groupBucketsSwept = 4096

func newGroupWriteLimiter(mode int) *groupWriteLimiter {
	return &groupWriteLimiter{off: mode == RateOff, buckets: make(map[groupKey]*bucket)}
}

// allow takes one of the group's writes for this second if it has one.
func (l *groupWriteLimiter) allow(app uint64, groupID string, now time.Time) bool {
	if l.off {
		return true
	}
	const limit = float64(im.GroupAttrWritesPerSec)
	l.mu.Lock()
	defer l.mu.Unlock()
	k := groupKey{app, groupID}
	b := l.buckets[k]
	if b == nil {
		if len(l.buckets) >= groupBucketsSwept && now.Sub(l.swept) >= time.Second {
			l.swept = now
			for k, old := range l.buckets {
				if now.Sub(old.last) >= time.Second {
					delete(l.buckets, k)
				}
			}
		}
		b = &bucket{tokens: limit, last: now}
		l.buckets[k] = b
	}
	return b.take(limit, now)
}
