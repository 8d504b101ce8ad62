package usersig

import (
	"crypto/sha256"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Defaults applied by NewVerifier to zero-valued VerifierOptions fields.
const (
	DefaultCacheSize   = 10000
	DefaultMaxFailures = 20
	DefaultWindow      = 60 * time.Second
	DefaultLockFor     = 60 * time.Second
	DefaultMaxTracked  = 100000
)

// maxCachedLen skips caching absurdly long identifier+sig pairs so the cache
// memory bound (CacheSize entries) also bounds bytes. Real tickets are a few
// hundred bytes; longer ones are still verified, just not remembered.
const maxCachedLen = 2048

// VerifierOptions configures a Verifier. Zero fields take the Default*
// values.
type VerifierOptions struct {
	// CacheSize caps the number of remembered successful verifications.
	// Negative disables the cache.
	CacheSize int
	// MaxFailures is how many failures of one (sdkappid, identifier, client
	// address) within Window lock that triple out. Negative disables the
	// lock-out.
	MaxFailures int
	// Window is the span in which MaxFailures failures trigger a lock. It is
	// a fixed window anchored at the first failure it counts.
	Window time.Duration
	// LockFor is how long a locked pair is refused.
	LockFor time.Duration
	// MaxTracked bounds the number of triples whose failures are remembered.
	MaxTracked int
}

func (o VerifierOptions) withDefaults() VerifierOptions {
	if o.CacheSize == 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = DefaultMaxFailures
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.LockFor <= 0 {
		o.LockFor = DefaultLockFor
	}
	if o.MaxTracked <= 0 {
		o.MaxTracked = DefaultMaxTracked
	}
	return o
}

// Verifier wraps Verify with a bounded cache of successful verifications (a
// hit skips base64, zlib, JSON and HMAC) and a per-(sdkappid, identifier,
// client address) brute-force lock-out that never refuses a valid ticket. It is safe for concurrent use and must be created
// with NewVerifier; all state lives in the Verifier, none in the package.
type Verifier struct {
	cacheSize int
	fails     *failures
	lastKey   atomic.Pointer[keyPrint] // memo: avoids a SHA-256 per call
	zpool     sync.Pool                // zlib readers reused across misses

	mu    sync.RWMutex
	cache map[cacheKey]cacheEntry
}

// cacheKey identifies a verified ticket. The secret is not part of it: the
// entry stores the secret's fingerprint, which the lookup compares, so a
// changed secret misses without the old one being kept in the map.
type cacheKey struct {
	app        uint64
	identifier string
	sig        string
}

type cacheEntry struct {
	keyFP  [sha256.Size]byte // SHA-256 of the secret that verified the ticket
	expiry int64             // last valid Unix second (Time+Expire)
}

type keyPrint struct {
	key string
	sum [sha256.Size]byte
}

// NewVerifier returns a Verifier configured by opts (see VerifierOptions).
func NewVerifier(opts VerifierOptions) *Verifier {
	o := opts.withDefaults()
	v := &Verifier{cacheSize: o.CacheSize, fails: newFailures(o)}
	if o.CacheSize > 0 {
		v.cache = make(map[cacheKey]cacheEntry)
	}
	return v
}

// Verify is VerifyFrom for a caller without an address: all such callers
// share one failure count per (sdkappid, identifier).
func (v *Verifier) Verify(sdkappid uint64, key, identifier, sig string, now time.Time) error {
	return v.VerifyFrom(sdkappid, key, identifier, sig, "", now)
}

// VerifyFrom reports whether sig is valid for identifier in app sdkappid at
// now under key, for a request from client (its IP address), returning the
// same errors as the package-level Verify plus ErrLocked.
//
// A ticket that verifies is always accepted, lock or no lock: the lock-out
// exists to stop guessing, and must not let a flood of junk shut the real
// admin out. A cache hit answers from the remembered expiry (still honouring
// ErrExpired to the second); a miss runs Verify and remembers a success.
// Failures are counted per (sdkappid, identifier, client), so a flood from
// one address locks that address alone; while it is locked every failure it
// causes is ErrLocked. Every failure except ErrEmpty (which cannot be a
// guess at the secret) counts; the failure that reaches MaxFailures still
// returns its own error. A success does not reset the count: a legitimate
// client behind the guesser's address (a NAT) must not mask the guessing.
func (v *Verifier) VerifyFrom(sdkappid uint64, key, identifier, sig, client string, now time.Time) error {
	return v.verifyFrom(sdkappid, key, identifier, sig, nil, client, now)
}

// VerifyQueryFrom is VerifyFrom for a UserSig as a URL query carries it:
// sigQuery is query-escaped ('+' a space, %XX a byte) with well-formed
// escapes. A cache hit is found by the escaped text itself, so a request
// that repeats a ticket is not unescaped again (about 4% of a cached
// read's CPU in profiles); only a miss unescapes it to verify.
func (v *Verifier) VerifyQueryFrom(sdkappid uint64, key, identifier, sigQuery, client string, now time.Time) error {
	return v.verifyFrom(sdkappid, key, identifier, sigQuery, url.QueryUnescape, client, now)
}

// verifyFrom verifies sig, first unescaping it with unescape if that is
// set; the cache is keyed by sig as given. Two texts that unescape to the
// same ticket are two cache entries for it, each verified on its own.
func (v *Verifier) verifyFrom(sdkappid uint64, key, identifier, sig string, unescape func(string) (string, error), client string, now time.Time) error {
	var fp [sha256.Size]byte
	if v.cache != nil {
		fp = v.fingerprint(key)
		ck := cacheKey{app: sdkappid, identifier: identifier, sig: sig}
		v.mu.RLock()
		e, hit := v.cache[ck]
		v.mu.RUnlock()
		if hit && e.keyFP == fp {
			if now.Unix() <= e.expiry {
				return nil
			}
			// Expired is final for a ticket, so free the slot now; the
			// failure counts just as it would on the uncached path.
			v.mu.Lock()
			delete(v.cache, ck)
			v.mu.Unlock()
			return v.fail(sdkappid, identifier, client, now, ErrExpired)
		}
	}
	ticket := sig
	if unescape != nil {
		var err error
		if ticket, err = unescape(sig); err != nil {
			ticket = "" // not a ticket at all: answered as an empty one
		}
	}
	exp, err := verify(sdkappid, key, identifier, ticket, now, &v.zpool)
	if err != nil {
		return v.fail(sdkappid, identifier, client, now, err)
	}
	if v.cache != nil {
		v.store(cacheKey{app: sdkappid, identifier: identifier, sig: sig}, fp, exp.Unix())
	}
	return nil
}

// fail answers a failed check: ErrLocked while the (sdkappid, identifier,
// client) triple is locked, otherwise err, counting it unless it is
// ErrEmpty. A locked triple's failures are not counted, so the lock is not
// extended by them.
func (v *Verifier) fail(sdkappid uint64, identifier, client string, now time.Time, err error) error {
	t := now.UnixNano()
	if v.fails.locked(sdkappid, identifier, client, t) {
		return ErrLocked
	}
	if err != ErrEmpty {
		v.fails.record(sdkappid, identifier, client, t)
	}
	return err
}

// fingerprint returns SHA-256(key), memoising the last key seen because a
// server almost always verifies against the same secret.
func (v *Verifier) fingerprint(key string) [sha256.Size]byte {
	if p := v.lastKey.Load(); p != nil && p.key == key {
		return p.sum
	}
	p := &keyPrint{key: strings.Clone(key), sum: sha256.Sum256([]byte(key))}
	v.lastKey.Store(p)
	return p.sum
}

// store remembers a success. When the cache is full it evicts whichever
// entry map iteration yields first, which the runtime randomises: O(1), no
// bookkeeping on the hit path, and memory stays at CacheSize entries.
func (v *Verifier) store(ck cacheKey, fp [sha256.Size]byte, expiry int64) {
	if len(ck.identifier)+len(ck.sig) > maxCachedLen {
		return
	}
	// Clone so a cached entry never pins a larger request buffer the
	// strings may have been sliced from.
	ck.identifier = strings.Clone(ck.identifier)
	ck.sig = strings.Clone(ck.sig)
	v.mu.Lock()
	defer v.mu.Unlock()
	if _, ok := v.cache[ck]; !ok && len(v.cache) >= v.cacheSize {
		for k := range v.cache {
			delete(v.cache, k)
			break
		}
	}
	v.cache[ck] = cacheEntry{keyFP: fp, expiry: expiry}
}
