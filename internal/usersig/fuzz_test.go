package usersig

import (
	"testing"
	"time"
)

// FuzzDecode feeds arbitrary strings to the untrusted-input path. Besides
// not panicking, anything Decode accepts must satisfy the invariants Verify
// relies on, and Verify must agree with Decode about malformed input.
func FuzzDecode(f *testing.F) {
	f.Add(fixtureSig(f))
	f.Add(libSig)
	f.Add("")
	f.Add("eJw_")
	f.Add(encodeRaw(f, []byte(`{"TLS.ver":"2.0"}`), 9))
	f.Add(encodeRaw(f, []byte(`{"TLS.ver":"2.0","TLS.identifier":"a","TLS.sdkappid":1,"TLS.time":1,"TLS.expire":1,"TLS.sig":"","TLS.userbuf":""}`), 0))
	// Pooled zlib readers must behave exactly like fresh ones, whatever
	// state earlier (possibly failed) inputs left them in.
	pooled := NewVerifier(VerifierOptions{CacheSize: -1, MaxFailures: -1})
	f.Fuzz(func(t *testing.T, sig string) {
		d, err := Decode(sig)
		now := time.Unix(d.Time, 0)
		_, verr := Verify(d.SDKAppID, tKey, d.Identifier, sig, now)
		if perr := pooled.Verify(d.SDKAppID, tKey, d.Identifier, sig, now); perr != verr {
			t.Fatalf("Verifier.Verify = %v, Verify = %v", perr, verr)
		}
		if err != nil {
			if err != ErrEmpty && err != ErrMalformed {
				t.Fatalf("Decode error %v is neither ErrEmpty nor ErrMalformed", err)
			}
			if verr != err {
				t.Fatalf("Decode = %v but Verify = %v", err, verr)
			}
			return
		}
		if d.Version != "2.0" || d.Time < 0 || d.Expire < 0 || d.Time+d.Expire < d.Time {
			t.Fatalf("Decode accepted an unusable doc: %+v", d)
		}
		if verr == ErrEmpty || verr == ErrAppID || verr == ErrIdentifier || verr == ErrExpired {
			t.Fatalf("Verify(own fields of a decodable doc) = %v", verr)
		}
	})
}
