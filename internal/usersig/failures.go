package usersig

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// failures counts verification failures per (sdkappid, identifier, client
// address) and locks triples that fail too often. The address is part of the
// key so that one client's junk locks that client out, not every caller of
// the identifier. Times are Unix nanoseconds.
type failures struct {
	max        int // <= 0 disables the lock-out
	window     int64
	lockFor    int64
	maxTracked int
	seed       maphash.Seed

	// horizon is the latest lockedUntil ever set. While now is past it no
	// pair can be locked, so the common path is one atomic load and no map
	// lookup or hashing at all.
	horizon atomic.Int64

	mu   sync.RWMutex
	recs map[failKey]failRec
}

// failKey hashes the identifier and address so a record has a fixed size
// whatever the caller sends; with a per-Verifier random seed, collisions
// (which would merely share a counter) are negligible and cannot be aimed at.
type failKey struct {
	app uint64
	id  uint64
}

type failRec struct {
	count       int   // failures in the current window
	start       int64 // when the current window began
	lockedUntil int64 // refused while now < lockedUntil
}

func newFailures(o VerifierOptions) *failures {
	return &failures{
		max:        o.MaxFailures,
		window:     int64(o.Window),
		lockFor:    int64(o.LockFor),
		maxTracked: o.MaxTracked,
		seed:       maphash.MakeSeed(),
		recs:       make(map[failKey]failRec),
	}
}

// who is what a failure count is kept for, besides the app.
type who struct{ identifier, client string }

func (f *failures) key(app uint64, identifier, client string) failKey {
	return failKey{app: app, id: maphash.Comparable(f.seed, who{identifier, client})}
}

// locked reports whether the triple is refused at now.
func (f *failures) locked(app uint64, identifier, client string, now int64) bool {
	if f.max <= 0 || now >= f.horizon.Load() {
		return false
	}
	k := f.key(app, identifier, client)
	f.mu.RLock()
	r, ok := f.recs[k]
	f.mu.RUnlock()
	return ok && now < r.lockedUntil
}

// record counts one failure at now and locks the triple when it is the
// MaxFailures-th in the current window. Locking clears the count so that,
// once the lock ends, counting starts afresh.
//
// The window is fixed, anchored at its first failure, not sliding: O(1)
// memory per pair whatever MaxFailures is, at the cost of letting a burst
// straddling a window boundary reach 2*(MaxFailures-1) failures unlocked.
func (f *failures) record(app uint64, identifier, client string, now int64) {
	if f.max <= 0 {
		return
	}
	k := f.key(app, identifier, client)
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.recs[k]
	if !ok && len(f.recs) >= f.maxTracked {
		f.shrink(now)
	}
	// A clock that went backwards also starts a new window.
	if r.count == 0 || now-r.start >= f.window || now < r.start {
		r.count, r.start = 0, now
	}
	r.count++
	if r.count >= f.max {
		r.count = 0
		r.lockedUntil = now + f.lockFor
		if r.lockedUntil > f.horizon.Load() {
			f.horizon.Store(r.lockedUntil) // only written under f.mu
		}
	}
	f.recs[k] = r
}

// shrink makes room for a new record. It first drops records that no longer
// matter (not locked, window over); if that is not enough it drops unlocked
// records, and only as a last resort locked ones, so flooding the tracker
// with fresh identifiers is the least effective way to lift a lock. It frees
// a tenth of the capacity at once so the O(n) scan is amortised rather than
// paid on every new pair.
func (f *failures) shrink(now int64) {
	target := f.maxTracked - max(1, f.maxTracked/10)
	for k, r := range f.recs {
		if now >= r.lockedUntil && (r.count == 0 || now-r.start >= f.window) {
			delete(f.recs, k)
		}
	}
	for _, lockedToo := range []bool{false, true} {
		for k, r := range f.recs {
			if len(f.recs) <= target {
				return
			}
			if lockedToo || now >= r.lockedUntil {
				delete(f.recs, k)
			}
		}
	}
}
