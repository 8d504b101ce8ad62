package usersig

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fixtureFields is the fixture document as a map, for tests that drop or
// retype one field.
func fixtureFields() map[string]any {
	return map[string]any{
		"TLS.ver": "2.0", "TLS.identifier": tID, "TLS.sdkappid": tApp,
		"TLS.time": tTime, "TLS.expire": tExpire, "TLS.sig": tMAC,
	}
}

func encodeFields(t *testing.T, m map[string]any) string {
	t.Helper()
	js, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return encodeRaw(t, js, zlib.DefaultCompression)
}

func b64(data string) string {
	return tencentAlphabet(base64.StdEncoding.EncodeToString([]byte(data)))
}

func TestMalformed(t *testing.T) {
	valid := fixtureSig(t)
	cases := map[string]string{
		"not base64":             "!!!!",
		"bad base64 length":      "eJw",
		"missing padding":        strings.TrimRight(valid, "_") + "x",
		"line break":             valid[:8] + "\n" + valid[8:],
		"base64 of non-zlib":     b64("hello, this is not zlib"),
		"zlib of non-JSON":       encodeRaw(t, []byte("not json"), zlib.DefaultCompression),
		"zlib of JSON array":     encodeRaw(t, []byte(`["TLS.ver"]`), zlib.DefaultCompression),
		"zlib of JSON null":      encodeRaw(t, []byte(`null`), zlib.DefaultCompression),
		"JSON trailing garbage":  encodeRaw(t, []byte(handJSON(tID, tApp, tTime, tExpire, tMAC)+"x"), zlib.DefaultCompression),
		"oversized sig":          strings.Repeat("A", maxSigLen+4),
		"inflates past the cap":  encodeRaw(t, []byte(handJSON(tID, tApp, tTime, tExpire, tMAC)+strings.Repeat(" ", maxJSONLen)), zlib.BestCompression),
		"bytes after zlib":       b64(string(mustUnb64(t, valid)) + "\x00"),
		"bad adler32":            b64(flipLast(mustUnb64(t, valid))),
		"null sig, spaced JSON":  encodeRaw(t, []byte(` { "TLS.ver" : "2.0" , "TLS.identifier" : "administrator" , "TLS.sdkappid" : 1400000001 , "TLS.time" : 1700000000 , "TLS.expire" : 86400 , "TLS.sig" : null } `), zlib.DefaultCompression),
		"preset dictionary zlib": b64("\x78\xbb\x12\x34\x56\x78" + string(mustUnb64(t, valid)[2:])),
	}
	for field := range fixtureFields() {
		m := fixtureFields()
		delete(m, field)
		cases["missing "+field] = encodeFields(t, m)
		m[field] = nil
		cases["null "+field] = encodeFields(t, m)
	}
	retype := map[string]any{
		"sdkappid as string":  map[string]any{"TLS.sdkappid": "1400000001"},
		"sdkappid negative":   map[string]any{"TLS.sdkappid": -1},
		"time as string":      map[string]any{"TLS.time": "1700000000"},
		"time as float":       map[string]any{"TLS.time": 1700000000.5},
		"time negative":       map[string]any{"TLS.time": -5},
		"expire as float":     map[string]any{"TLS.expire": 86400.5},
		"expire negative":     map[string]any{"TLS.expire": -1},
		"time+expire wraps":   map[string]any{"TLS.time": int64(1) << 62, "TLS.expire": int64(1) << 62},
		"identifier number":   map[string]any{"TLS.identifier": 7},
		"ver number":          map[string]any{"TLS.ver": 2.0},
		"ver 3.0":             map[string]any{"TLS.ver": "3.0"},
		"sig number":          map[string]any{"TLS.sig": 1},
		"sig not base64":      map[string]any{"TLS.sig": "!!!"},
		"userbuf not base64":  map[string]any{"TLS.userbuf": "!!!"},
		"userbuf null":        map[string]any{"TLS.userbuf": nil},
		"key case differs":    map[string]any{"TLS.sdkappid": nil, "tls.SDKAPPID": tApp},
		"userbuf present (1)": map[string]any{"TLS.userbuf": ""},
	}
	for name, patch := range retype {
		m := fixtureFields()
		for k, v := range patch.(map[string]any) {
			if v == nil && k != "TLS.userbuf" {
				delete(m, k)
				continue
			}
			m[k] = v
		}
		cases[name] = encodeFields(t, m)
	}
	// A correctly signed ticket carrying a userbuf: well formed, but not an
	// IM REST credential.
	ub := base64.StdEncoding.EncodeToString([]byte{1, 2, 3})
	content := handContent(tID, tApp, tTime, tExpire) + "TLS.userbuf:" + ub + "\n"
	m := fixtureFields()
	m["TLS.userbuf"], m["TLS.sig"] = ub, handMAC(tKey, content)
	cases["signed userbuf"] = encodeFields(t, m)

	for name, sig := range cases {
		if _, err := Verify(tApp, tKey, tID, sig, tNow); err != ErrMalformed {
			t.Errorf("%s: Verify = %v, want ErrMalformed", name, err)
		}
	}
}

func mustUnb64(t *testing.T, s string) []byte {
	t.Helper()
	std := strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(s)
	b, err := base64.StdEncoding.DecodeString(std)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func flipLast(b []byte) string {
	c := bytes.Clone(b)
	c[len(c)-1] ^= 1
	return string(c)
}

func TestEmptyAndTruncated(t *testing.T) {
	if _, err := Verify(tApp, tKey, tID, "", tNow); err != ErrEmpty {
		t.Fatalf("Verify(\"\") = %v, want ErrEmpty", err)
	}
	if _, err := Decode(""); err != ErrEmpty {
		t.Fatalf("Decode(\"\") = %v, want ErrEmpty", err)
	}
	sig := fixtureSig(t)
	for n := 1; n < len(sig); n++ {
		if _, err := Verify(tApp, tKey, tID, sig[:n], tNow); err != ErrMalformed {
			t.Fatalf("truncated to %d/%d: Verify = %v, want ErrMalformed", n, len(sig), err)
		}
	}
}

func TestVerifyErrors(t *testing.T) {
	sig := fixtureSig(t)
	last := time.Unix(tTime+tExpire, 0) // the last valid second
	type call struct {
		app        uint64
		key, id    string
		sig        string
		now        time.Time
		want       error
		wantExpiry bool
	}
	tamper := func(id string, app uint64, tm, exp int64) string { // keeps the original MAC
		return encodeRaw(t, []byte(handJSON(id, app, tm, exp, tMAC)), zlib.DefaultCompression)
	}
	cases := map[string]call{
		"valid":                  {tApp, tKey, tID, sig, tNow, nil, true},
		"valid at last second":   {tApp, tKey, tID, sig, last, nil, true},
		"valid last nanosecond":  {tApp, tKey, tID, sig, last.Add(time.Second - 1), nil, true},
		"expired by one second":  {tApp, tKey, tID, sig, last.Add(time.Second), ErrExpired, false},
		"std alphabet accepted":  {tApp, tKey, tID, strings.NewReplacer("*", "+", "-", "/", "_", "=").Replace(sig), tNow, nil, true},
		"wrong key":              {tApp, "wrong-key", tID, sig, tNow, ErrSignature, false},
		"another app":            {tApp + 1, tKey, tID, sig, tNow, ErrAppID, false},
		"another identifier":     {tApp, tKey, "alice", sig, tNow, ErrIdentifier, false},
		"empty key, empty-keyed": {tApp, "", tID, handSig(t, "", tID, tApp, tTime, tExpire, zlib.DefaultCompression), tNow, ErrSignature, false},

		"tampered identifier":                    {tApp, tKey, "root", tamper("root", tApp, tTime, tExpire), tNow, ErrSignature, false},
		"tampered identifier, original expected": {tApp, tKey, tID, tamper("root", tApp, tTime, tExpire), tNow, ErrIdentifier, false},
		"tampered sdkappid":                      {tApp + 1, tKey, tID, tamper(tID, tApp+1, tTime, tExpire), tNow, ErrSignature, false},
		"tampered sdkappid, original expected":   {tApp, tKey, tID, tamper(tID, tApp+1, tTime, tExpire), tNow, ErrAppID, false},
		"tampered time":                          {tApp, tKey, tID, tamper(tID, tApp, tTime+1000, tExpire), tNow, ErrSignature, false},
		"tampered expire":                        {tApp, tKey, tID, tamper(tID, tApp, tTime, tExpire*10), last.Add(time.Hour), ErrSignature, false},
		// Reference order: earlier checks win over later ones.
		"order: app before key":        {tApp + 1, "wrong-key", tID, sig, tNow, ErrAppID, false},
		"order: identifier before exp": {tApp, tKey, "alice", sig, last.Add(time.Hour), ErrIdentifier, false},
		"order: expiry before key":     {tApp, "wrong-key", tID, sig, last.Add(time.Second), ErrExpired, false},
	}
	for name, c := range cases {
		exp, err := Verify(c.app, c.key, c.id, c.sig, c.now)
		if err != c.want {
			t.Errorf("%s: Verify = %v, want %v", name, err, c.want)
			continue
		}
		if c.wantExpiry && !exp.Equal(last) {
			t.Errorf("%s: expiresAt = %v, want %v", name, exp, last)
		}
		if !c.wantExpiry && !exp.IsZero() {
			t.Errorf("%s: expiresAt = %v on error, want zero", name, exp)
		}
	}
}
