package usersig

import (
	"fmt"
	"testing"
	"time"
)

func TestLockout(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	good := fixtureSig(t)
	bad := mustGen(t, "guessed-key", tID) // well formed, wrong secret
	now := tNow

	for i := range DefaultMaxFailures - 1 {
		expect(t, fmt.Sprintf("failure %d", i+1), v.Verify(tApp, tKey, tID, bad, now), ErrSignature)
		now = now.Add(time.Second)
	}
	expect(t, "after 19 failures", v.Verify(tApp, tKey, tID, good, now), nil)
	// The 20th failure returns its own error but locks the pair from now.
	lockedAt := now
	expect(t, "20th failure", v.Verify(tApp, tKey, tID, bad, lockedAt), ErrSignature)
	// A valid ticket always passes; only failures hear of the lock.
	expect(t, "valid while locked", v.Verify(tApp, tKey, tID, good, lockedAt), nil)
	expect(t, "garbage while locked", v.Verify(tApp, tKey, tID, "", lockedAt), ErrLocked)
	end := lockedAt.Add(DefaultLockFor)
	expect(t, "just before the end", v.Verify(tApp, tKey, tID, bad, end.Add(-1)), ErrLocked)

	// Other pairs are unaffected.
	alice := mustGen(t, tKey, "alice")
	expect(t, "other identifier", v.Verify(tApp, tKey, "alice", alice, lockedAt), nil)
	expect(t, "other app", v.Verify(tApp+1, tKey, tID, good, lockedAt), ErrAppID)

	expect(t, "lock over", v.Verify(tApp, tKey, tID, bad, end), ErrSignature)
	// The count started afresh: another 18 failures (19 in all) do not lock.
	now = end
	for range DefaultMaxFailures - 2 {
		expect(t, "fresh failure", v.Verify(tApp, tKey, tID, bad, now), ErrSignature)
	}
	expect(t, "after 19 fresh failures", v.Verify(tApp, tKey, tID, "!!", now), ErrMalformed)
}

func TestLockoutCountsEveryErrorButEmpty(t *testing.T) {
	v := NewVerifier(VerifierOptions{MaxFailures: 3})
	good := fixtureSig(t)
	for range 100 {
		expect(t, "empty", v.Verify(tApp, tKey, tID, "", tNow), ErrEmpty)
	}
	expect(t, "empty is not counted", v.Verify(tApp, tKey, tID, good, tNow), nil)

	// Malformed, wrong app and (cached) expiry all count.
	late := time.Unix(tTime+tExpire+1, 0)
	expect(t, "malformed", v.Verify(tApp, tKey, tID, "!!", late), ErrMalformed)
	expect(t, "wrong app", v.Verify(tApp, tKey, tID, mustGenApp(t, tApp+1), late), ErrAppID)
	expect(t, "expired hit", v.Verify(tApp, tKey, tID, good, late), ErrExpired)
	expect(t, "locked", v.Verify(tApp, tKey, tID, good, late), ErrLocked)
}

func mustGenApp(t *testing.T, app uint64) string {
	t.Helper()
	sig, err := Gen(app, tKey, tID, tExpire, time.Unix(tTime, 0))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

func TestLockoutWindow(t *testing.T) {
	v := NewVerifier(VerifierOptions{})
	good := fixtureSig(t)
	t0 := tNow
	for range DefaultMaxFailures - 1 {
		_ = v.Verify(tApp, tKey, tID, "bogus", t0)
	}
	// The 20th failure lands exactly one Window later: a new window.
	_ = v.Verify(tApp, tKey, tID, "bogus", t0.Add(DefaultWindow))
	expect(t, "spread over the window", v.Verify(tApp, tKey, tID, good, t0.Add(DefaultWindow)), nil)

	// A steady trickle below MaxFailures per Window never locks.
	w := NewVerifier(VerifierOptions{})
	step := DefaultWindow / (DefaultMaxFailures - 5)
	now := t0
	for range 10 * DefaultMaxFailures {
		_ = w.Verify(tApp, tKey, tID, "bogus", now)
		now = now.Add(step)
	}
	expect(t, "trickle", w.Verify(tApp, tKey, tID, good, now), nil)

	off := NewVerifier(VerifierOptions{MaxFailures: -1})
	for range 1000 {
		_ = off.Verify(tApp, tKey, tID, "bogus", t0)
	}
	expect(t, "lock-out disabled", off.Verify(tApp, tKey, tID, good, t0), nil)
}

func TestLockoutTrackedBounded(t *testing.T) {
	v := NewVerifier(VerifierOptions{MaxFailures: 2, MaxTracked: 50})
	good := fixtureSig(t)
	// Lock the pair we care about, then flood with fresh identifiers inside
	// the same window.
	_ = v.Verify(tApp, tKey, tID, "bogus", tNow)
	_ = v.Verify(tApp, tKey, tID, "bogus", tNow)
	for i := range 1000 {
		_ = v.Verify(tApp, tKey, fmt.Sprintf("flood%d", i), "bogus", tNow)
		if n := trackedLen(v); n > 50 {
			t.Fatalf("tracking %d pairs, bound 50", n)
		}
	}
	expect(t, "lock survives the flood", v.Verify(tApp, tKey, tID, "bogus", tNow), ErrLocked)
	expect(t, "yet a valid ticket passes", v.Verify(tApp, tKey, tID, good, tNow), nil)

	// Once windows and locks have passed, the next prune drops every stale
	// record and keeps the live ones.
	later := tNow.Add(DefaultLockFor + DefaultWindow)
	for i := 0; ; i++ {
		before := trackedLen(v)
		_ = v.Verify(tApp, tKey, fmt.Sprintf("newcomer%d", i), "bogus", later)
		if n := trackedLen(v); n < before {
			if n != i+1 {
				t.Fatalf("after pruning, tracking %d pairs, want the %d live ones", n, i+1)
			}
			break
		}
		if i > 50 {
			t.Fatal("tracker never pruned")
		}
	}

	// Only locked pairs left: the bound still holds, at their expense.
	u := NewVerifier(VerifierOptions{MaxFailures: 1, MaxTracked: 10})
	for i := range 100 {
		_ = u.Verify(tApp, tKey, fmt.Sprintf("locked%d", i), "bogus", tNow)
		if n := trackedLen(u); n > 10 {
			t.Fatalf("tracking %d locked pairs, bound 10", n)
		}
	}
}

// Ensure the lock-out never refuses a ticket that verifies: a flood of junk
// for the admin locks the flooding address out (ErrLocked for its junk), while
// the admin's valid ticket still passes, cached or not, from that address and
// from any other.
func TestLockoutNeverRefusesValid(t *testing.T) {
	for _, cached := range []bool{true, false} {
		t.Run(fmt.Sprintf("cached=%v", cached), func(t *testing.T) {
			opts := VerifierOptions{}
			if !cached {
				opts.CacheSize = -1
			}
			v := NewVerifier(opts)
			good := fixtureSig(t)
			bad := mustGen(t, "guessed-key", tID)
			if cached {
				expect(t, "warm the cache", v.VerifyFrom(tApp, tKey, tID, good, "192.0.2.1", tNow), nil)
			}
			const attacker, other = "198.51.100.7", "192.0.2.1"
			for i := range DefaultMaxFailures + 5 {
				err := v.VerifyFrom(tApp, tKey, tID, bad, attacker, tNow)
				if i < DefaultMaxFailures && err != ErrSignature || i >= DefaultMaxFailures && err != ErrLocked {
					t.Fatalf("junk %d: %v", i+1, err)
				}
			}
			expect(t, "valid from the attacker's address", v.VerifyFrom(tApp, tKey, tID, good, attacker, tNow), nil)
			expect(t, "valid from another address", v.VerifyFrom(tApp, tKey, tID, good, other, tNow), nil)
			expect(t, "junk from the attacker's address", v.VerifyFrom(tApp, tKey, tID, "!!", attacker, tNow), ErrLocked)
			expect(t, "junk from another address", v.VerifyFrom(tApp, tKey, tID, bad, other, tNow), ErrSignature)
			expect(t, "valid with the old interface", v.Verify(tApp, tKey, tID, good, tNow), nil)
		})
	}
}
