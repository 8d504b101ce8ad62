package usersig

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// libSig was produced by tencentyun.GenUserSig(1400000001,
// "5ecret-Key-For-Tests", "administrator", 86400) (v1.4.0, NoCompression)
// and is kept verbatim as a fixed vector from the official generator.
const (
	libSig     = "eAEArwBQ-3siVExTLnZlciI6IjIuMCIsIlRMUy5pZGVudGlmaWVyIjoiYWRtaW5pc3RyYXRvciIsIlRMUy5zZGthcHBpZCI6MTQwMDAwMDAwMSwiVExTLmV4cGlyZSI6ODY0MDAsIlRMUy50aW1lIjoxNzk1MzE0MDgxLCJUTFMuc2lnIjoiSXY3VDZsc01BTEVrRHpZdmUyT1JiaTJEU0tSTjcrV0piS0tuOHd6bXNVQT0ifQoBAAD---g4NBY_"
	libSigTime = 1795314081
)

func TestKnownAnswer(t *testing.T) {
	if got := handMAC(tKey, handContent(tID, tApp, tTime, tExpire)); got != tMAC {
		t.Fatalf("hand MAC = %s, want %s (fixture broken)", got, tMAC)
	}
	sig := fixtureSig(t)
	exp, err := Verify(tApp, tKey, tID, sig, tNow)
	if err != nil {
		t.Fatalf("Verify(hand-built sig) = %v", err)
	}
	if want := time.Unix(tTime+tExpire, 0); !exp.Equal(want) {
		t.Fatalf("expiresAt = %v, want %v", exp, want)
	}

	// Gen at the fixture instant must sign exactly the same content.
	gen, err := Gen(tApp, tKey, tID, tExpire, time.Unix(tTime, 0))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(gen)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.StdEncoding.EncodeToString(d.Sig); got != tMAC {
		t.Fatalf("Gen TLS.sig = %s, want %s", got, tMAC)
	}
	want := Doc{Version: "2.0", Identifier: tID, SDKAppID: tApp, Time: tTime, Expire: tExpire}
	if d.Version != want.Version || d.Identifier != want.Identifier || d.SDKAppID != want.SDKAppID ||
		d.Time != want.Time || d.Expire != want.Expire || d.UserBuf != nil {
		t.Fatalf("Decode(Gen) = %+v, want %+v", d, want)
	}
}

func TestCompressionLevels(t *testing.T) {
	levels := map[string]int{
		"NoCompression":      zlib.NoCompression, // the Go reference's default
		"DefaultCompression": zlib.DefaultCompression,
		"BestSpeed":          zlib.BestSpeed,
		"BestCompression":    zlib.BestCompression,
		"HuffmanOnly":        zlib.HuffmanOnly,
	}
	for name, lvl := range levels {
		t.Run(name, func(t *testing.T) {
			sig := handSig(t, tKey, tID, tApp, tTime, tExpire, lvl)
			if _, err := Verify(tApp, tKey, tID, sig, tNow); err != nil {
				t.Fatalf("hand-built: %v", err)
			}
			gen, err := GenLevel(tApp, tKey, tID, tExpire, time.Unix(tTime, 0), lvl)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Verify(tApp, tKey, tID, gen, tNow); err != nil {
				t.Fatalf("GenLevel: %v", err)
			}
		})
	}
	if _, err := GenLevel(tApp, tKey, tID, tExpire, tNow, 42); err == nil {
		t.Fatal("GenLevel accepted an invalid zlib level")
	}
}

func TestInteropOfficialVerifiesGen(t *testing.T) {
	now := time.Unix(tTime, 0)
	sig, err := Gen(tApp, tKey, tID, tExpire, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := tencentyun.VerifyUserSig(tApp, tKey, tID, sig, now.Add(time.Hour)); err != nil {
		t.Fatalf("tencentyun.VerifyUserSig(Gen) = %v", err)
	}
	if err := tencentyun.VerifyUserSig(tApp, "other-key", tID, sig, now); err != tencentyun.ErrSigNotMatch {
		t.Fatalf("tencentyun with wrong key = %v, want ErrSigNotMatch", err)
	}
	late := now.Add(time.Duration(tExpire+1) * time.Second)
	if err := tencentyun.VerifyUserSig(tApp, tKey, tID, sig, late); err != tencentyun.ErrExpired {
		t.Fatalf("tencentyun after expiry = %v, want ErrExpired", err)
	}
}

func TestInteropGenVerifiedByOfficial(t *testing.T) {
	// Fixed vector from the official generator.
	if _, err := Verify(tApp, tKey, tID, libSig, time.Unix(libSigTime, 0)); err != nil {
		t.Fatalf("Verify(fixed library vector) = %v", err)
	}
	// And a fresh one; the library stamps the wall clock, so verify at the
	// issue time it recorded rather than at time.Now().
	sig, err := tencentyun.GenUserSig(int(tApp), tKey, tID, int(tExpire))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(sig)
	if err != nil {
		t.Fatalf("Decode(library sig) = %v", err)
	}
	at := time.Unix(d.Time, 0)
	if _, err := Verify(tApp, tKey, tID, sig, at); err != nil {
		t.Fatalf("Verify(library sig) = %v", err)
	}
	if _, err := Verify(tApp, "other-key", tID, sig, at); err != ErrSignature {
		t.Fatalf("Verify(library sig, wrong key) = %v, want ErrSignature", err)
	}
	// A library ticket carrying a userbuf (a TRTC PrivateMapKey-style
	// ticket) is not an IM REST credential.
	buf, err := tencentyun.GenUserSigWithBuf(int(tApp), tKey, tID, int(tExpire), []byte{1, 2, 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err = Decode(buf)
	if err != nil || !bytes.Equal(d.UserBuf, []byte{1, 2, 3}) {
		t.Fatalf("Decode(userbuf sig) = %+v, %v", d, err)
	}
	if _, err := Verify(tApp, tKey, tID, buf, time.Unix(d.Time, 0)); err != ErrMalformed {
		t.Fatalf("Verify(userbuf sig) = %v, want ErrMalformed", err)
	}
}

func TestGenRejectsBadInput(t *testing.T) {
	at := time.Unix(tTime, 0)
	cases := map[string]func() (string, error){
		"empty key":       func() (string, error) { return Gen(tApp, "", tID, tExpire, at) },
		"bad utf8 id":     func() (string, error) { return Gen(tApp, tKey, "a\xffb", tExpire, at) },
		"zero expire":     func() (string, error) { return Gen(tApp, tKey, tID, 0, at) },
		"negative expire": func() (string, error) { return Gen(tApp, tKey, tID, -1, at) },
		"before 1970":     func() (string, error) { return Gen(tApp, tKey, tID, tExpire, time.Unix(-1, 0)) },
		"overflow":        func() (string, error) { return Gen(tApp, tKey, tID, 1<<62, time.Unix(1<<62, 0)) },
	}
	for name, gen := range cases {
		if sig, err := gen(); err == nil {
			t.Errorf("%s: Gen = %q, want error", name, sig)
		}
	}
}

func TestGenEscapedIdentifier(t *testing.T) {
	// JSON escapes these; the signed content must still use the raw string.
	id := `<a&b>"\é`
	sig, err := Gen(tApp, tKey, id, tExpire, time.Unix(tTime, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(tApp, tKey, id, sig, tNow); err != nil {
		t.Fatalf("Verify = %v", err)
	}
	if err := tencentyun.VerifyUserSig(tApp, tKey, id, sig, tNow); err != nil {
		t.Fatalf("tencentyun.VerifyUserSig = %v", err)
	}
}
