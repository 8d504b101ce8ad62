package usersig

import (
	"crypto/sha256"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func cacheLen(v *Verifier) int {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return len(v.cache)
}

func trackedLen(v *Verifier) int {
	v.fails.mu.RLock()
	defer v.fails.mu.RUnlock()
	return len(v.fails.recs)
}

func mustGen(t testing.TB, key, id string) string {
	t.Helper()
	sig, err := Gen(tApp, key, id, tExpire, time.Unix(tTime, 0))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func expect(t *testing.T, what string, got, want error) {
	t.Helper()
	if got != want {
		t.Fatalf("%s: got %v, want %v", what, got, want)
	}
}

func TestVerifierCacheHit(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	sig := fixtureSig(t)
	last := time.Unix(tTime+tExpire, 0)
	expect(t, "first (miss)", v.Verify(tApp, tKey, tID, sig, tNow), nil)
	if n := cacheLen(v); n != 1 {
		t.Fatalf("cache holds %d entries, want 1", n)
	}
	// The hit path must do no decoding work at all, hence no allocation.
	if a := testing.AllocsPerRun(100, func() { _ = v.Verify(tApp, tKey, tID, sig, tNow) }); a != 0 {
		t.Fatalf("cache hit allocates %v times", a)
	}
	// Prove the answer comes from the cache: an entry planted for a string
	// that is not even a ticket is honoured.
	v.store(cacheKey{tApp, tID, "planted"}, sha256.Sum256([]byte(tKey)), tTime+tExpire)
	expect(t, "planted hit", v.Verify(tApp, tKey, tID, "planted", tNow), nil)

	expect(t, "hit at last second", v.Verify(tApp, tKey, tID, sig, last.Add(time.Second-1)), nil)
	expect(t, "hit one second late", v.Verify(tApp, tKey, tID, sig, last.Add(time.Second)), ErrExpired)
	expect(t, "again, now a miss", v.Verify(tApp, tKey, tID, sig, last.Add(time.Second)), ErrExpired)
	expect(t, "planted, one second late", v.Verify(tApp, tKey, tID, "planted", last.Add(time.Second)), ErrExpired)
	if n := cacheLen(v); n != 0 {
		t.Fatalf("expired entries kept: %d", n)
	}
}

func TestVerifierKeyChangeMisses(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	sig := fixtureSig(t)
	expect(t, "old key", v.Verify(tApp, tKey, tID, sig, tNow), nil)
	expect(t, "new key, same sig", v.Verify(tApp, "rotated-key", tID, sig, tNow), ErrSignature)
	expect(t, "old key still cached", v.Verify(tApp, tKey, tID, sig, tNow), nil)
	fresh := mustGen(t, "rotated-key", tID)
	expect(t, "new key, new sig", v.Verify(tApp, "rotated-key", tID, fresh, tNow), nil)
	expect(t, "old key, new sig", v.Verify(tApp, tKey, tID, fresh, tNow), ErrSignature)
	expect(t, "other app, cached sig", v.Verify(tApp+1, tKey, tID, sig, tNow), ErrAppID)
}

func TestVerifierCacheBounded(t *testing.T) {
	v := NewVerifier(VerifierOptions{CacheSize: 8})
	for i := range 100 {
		id := fmt.Sprintf("user%d", i)
		expect(t, id, v.Verify(tApp, tKey, id, mustGen(t, tKey, id), tNow), nil)
		if n := cacheLen(v); n > 8 {
			t.Fatalf("cache grew to %d entries, cap 8", n)
		}
	}
	// Oversized tickets are verified but never cached.
	long := strings.Repeat("x", maxCachedLen)
	expect(t, "long id", v.Verify(tApp, tKey, long, mustGen(t, tKey, long), tNow), nil)
	if _, ok := v.cache[cacheKey{tApp, long, mustGen(t, tKey, long)}]; ok {
		t.Fatal("oversized ticket was cached")
	}

	off := NewVerifier(VerifierOptions{CacheSize: -1})
	expect(t, "cache disabled", off.Verify(tApp, tKey, tID, fixtureSig(t), tNow), nil)
	if off.cache != nil {
		t.Fatal("negative CacheSize still caches")
	}
}

func TestVerifierConcurrent(t *testing.T) {
	v := NewVerifier(VerifierOptions{CacheSize: 4, MaxTracked: 16})
	good := fixtureSig(t)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				now := tNow.Add(time.Duration(i) * time.Millisecond)
				id := fmt.Sprintf("u%d", (g+i)%20)
				_ = v.Verify(tApp, tKey, id, "bogus", now)
				if err := v.Verify(tApp, tKey, tID, good, now); err != nil && err != ErrLocked {
					t.Errorf("valid ticket: %v", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if cacheLen(v) > 4 || trackedLen(v) > 16 {
		t.Fatalf("bounds exceeded: cache %d, tracked %d", cacheLen(v), trackedLen(v))
	}
}

// Ensure VerifyQueryFrom verifies a ticket as a URL query carries it,
// escaped, caches it under that text with an allocation-free hit, and
// answers text that is not a valid escape as an empty ticket.
func TestVerifierQueryEscaped(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	sig := fixtureSig(t)
	escaped := url.QueryEscape(sig)
	if escaped == sig {
		t.Fatalf("fixture %q has nothing to escape", sig)
	}
	expect(t, "escaped (miss)", v.VerifyQueryFrom(tApp, tKey, tID, escaped, "", tNow), nil)
	if a := testing.AllocsPerRun(100, func() { _ = v.VerifyQueryFrom(tApp, tKey, tID, escaped, "", tNow) }); a != 0 {
		t.Fatalf("cache hit allocates %v times", a)
	}
	expect(t, "raw ticket as query text", v.VerifyQueryFrom(tApp, tKey, tID, sig, "", tNow), nil)
	expect(t, "wrong identifier", v.VerifyQueryFrom(tApp, tKey, "other", escaped, "", tNow), ErrIdentifier)
	expect(t, "bad escape", v.VerifyQueryFrom(tApp, tKey, tID, "%zz", "", tNow), ErrEmpty)
}
