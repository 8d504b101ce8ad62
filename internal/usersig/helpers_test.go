package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"
)

// Fixture shared by the tests. tMAC was computed independently of this
// package, with Python's hmac module:
//
//	hmac.new(b"5ecret-Key-For-Tests", b"TLS.identifier:administrator\n"
//	  b"TLS.sdkappid:1400000001\nTLS.time:1700000000\nTLS.expire:86400\n",
//	  hashlib.sha256).digest()
const (
	tApp    uint64 = 1400000001
	tKey           = "5ecret-Key-For-Tests"
	tID            = "administrator"
	tTime   int64  = 1700000000
	tExpire int64  = 86400
	tMAC           = "rxWpPeWVaH7H3Mp2guBBuDZYl+4J+AM8HT2tlwVQAeQ="
)

// tNow is an instant well inside the fixture ticket's validity.
var tNow = time.Unix(tTime+10, 0)

// The helpers below re-implement the format by hand with fmt and the
// standard library, deliberately sharing no code with the package, so the
// tests check the package against the specification rather than itself.

func handContent(id string, app uint64, tm, exp int64) string {
	return fmt.Sprintf("TLS.identifier:%s\nTLS.sdkappid:%d\nTLS.time:%d\nTLS.expire:%d\n", id, app, tm, exp)
}

func handMAC(key, content string) string {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(content))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// handJSON renders a v2 document with the given (already base64) MAC.
func handJSON(id string, app uint64, tm, exp int64, mac string) string {
	return fmt.Sprintf(`{"TLS.ver":"2.0","TLS.identifier":%q,"TLS.sdkappid":%d,"TLS.expire":%d,"TLS.time":%d,"TLS.sig":%q}`,
		id, app, exp, tm, mac)
}

// encodeRaw zlib-compresses arbitrary bytes at level and applies Tencent's
// base64 alphabet.
func encodeRaw(t testing.TB, data []byte, level int) string {
	t.Helper()
	var b bytes.Buffer
	zw, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return tencentAlphabet(base64.StdEncoding.EncodeToString(b.Bytes()))
}

func tencentAlphabet(std string) string {
	return strings.NewReplacer("+", "*", "/", "-", "=", "_").Replace(std)
}

// handSig builds a correctly signed ticket entirely by hand.
func handSig(t testing.TB, key, id string, app uint64, tm, exp int64, level int) string {
	t.Helper()
	mac := handMAC(key, handContent(id, app, tm, exp))
	return encodeRaw(t, []byte(handJSON(id, app, tm, exp, mac)), level)
}

// fixtureSig is the fixture ticket at zlib.DefaultCompression.
func fixtureSig(t testing.TB) string {
	return handSig(t, tKey, tID, tApp, tTime, tExpire, zlib.DefaultCompression)
}
