package usersig

import "testing"

// BenchmarkVerify_Cold is the full path a cache miss pays: base64, zlib,
// JSON, HMAC.
func BenchmarkVerify_Cold(b *testing.B) {
	sig := fixtureSig(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(tApp, tKey, tID, sig, tNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifier_CacheHit is the steady state of a server verifying the
// same admin ticket on every request.
func BenchmarkVerifier_CacheHit(b *testing.B) {
	sig := fixtureSig(b)
	v := NewVerifier(VerifierOptions{})
	if err := v.Verify(tApp, tKey, tID, sig, tNow); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := v.Verify(tApp, tKey, tID, sig, tNow); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkVerifier_Miss is a Verifier with caching off, so every call
// decodes; it shows what the Verifier's reuse of zlib readers saves over
// BenchmarkVerify_Cold.
func BenchmarkVerifier_Miss(b *testing.B) {
	sig := fixtureSig(b)
	v := NewVerifier(VerifierOptions{CacheSize: -1})
	b.ReportAllocs()
	for b.Loop() {
		if err := v.Verify(tApp, tKey, tID, sig, tNow); err != nil {
			b.Fatal(err)
		}
	}
}
