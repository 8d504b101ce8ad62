// Package usersig generates and verifies Tencent Cloud UserSig v2 tickets,
// the "usersig" credential every Chat REST API call carries.
//
// The wire format follows the official generator
// (github.com/tencentyun/tls-sig-api-v2-golang): a JSON document signed with
// HMAC-SHA256, zlib-compressed, base64-encoded with the URL-safe substitutions
// '+'→'*', '/'→'-', '='→'_'.
//
// The decoder here is deliberately stricter than the reference one, which
// silently turns unparsable JSON into a zero document and compares MACs in
// variable time. Anything that is not exactly a well-formed v2 document is
// ErrMalformed, so a forged or damaged ticket can never reach the signature
// check with half-parsed fields.
package usersig

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math"
	"sync"
)

// Errors returned by Decode, Verify and Verifier.Verify. They are returned
// unwrapped so callers may compare with == as well as errors.Is; the API
// layer maps each one to a Tencent error code (noted per error).
var (
	// ErrEmpty means the ticket is the empty string (Tencent 70002).
	ErrEmpty = errors.New("usersig: empty")
	// ErrMalformed means the ticket is not valid base64, zlib or JSON, misses
	// a field, has a field of the wrong type, or carries a userbuf (70003).
	ErrMalformed = errors.New("usersig: malformed")
	// ErrAppID means the ticket was issued for another SDKAppID (70014).
	ErrAppID = errors.New("usersig: sdkappid mismatch")
	// ErrIdentifier means the ticket was issued for another identifier (70013).
	ErrIdentifier = errors.New("usersig: identifier mismatch")
	// ErrExpired means now is past TLS.time+TLS.expire (70001).
	ErrExpired = errors.New("usersig: expired")
	// ErrSignature means the HMAC does not match: wrong key or tampered
	// content (70009).
	ErrSignature = errors.New("usersig: signature mismatch")
	// ErrLocked means the (sdkappid, identifier) pair failed verification too
	// often recently and is temporarily refused (70050).
	ErrLocked = errors.New("usersig: too many failures, locked")
)

// Bounds on untrusted input. Genuine tickets are a few hundred bytes; the
// limits only exist so that a hostile request cannot make us allocate or
// inflate (zip bomb) megabytes before we reject it.
const (
	maxSigLen  = 16 << 10
	maxJSONLen = 64 << 10
)

// version is the only TLS.ver we understand; v1 tickets use ECDSA and an
// entirely different layout.
const version = "2.0"

// Doc is a decoded UserSig. Decode only guarantees it is well formed; it says
// nothing about authenticity until Verify checks Sig.
type Doc struct {
	Version    string // TLS.ver, always "2.0"
	Identifier string // TLS.identifier
	SDKAppID   uint64 // TLS.sdkappid
	Time       int64  // TLS.time, issue instant in Unix seconds
	Expire     int64  // TLS.expire, validity in seconds after Time
	UserBuf    []byte // TLS.userbuf; nil when absent, non-nil (maybe empty) when present
	Sig        []byte // TLS.sig, the raw HMAC-SHA256
}

// Decode parses a UserSig string without verifying it. It returns ErrEmpty
// for "" and ErrMalformed for anything that is not a complete v2 document.
func Decode(sig string) (Doc, error) {
	return decode(sig, nil)
}

// decode is Decode with an optional pool of zlib readers. A fresh inflater
// allocates a 32 KiB window, most of a cold verification's cost, so a
// Verifier reuses them through its own pool; the package keeps no state.
func decode(sig string, zpool *sync.Pool) (Doc, error) {
	if sig == "" {
		return Doc{}, ErrEmpty
	}
	if len(sig) > maxSigLen {
		return Doc{}, ErrMalformed
	}
	z, ok := unbase64(sig)
	if !ok {
		return Doc{}, ErrMalformed
	}
	js, ok := inflate(z, zpool)
	if !ok {
		return Doc{}, ErrMalformed
	}
	return parseDoc(js)
}

// unbase64 undoes Tencent's URL-safe alphabet. Like the reference decoder it
// also accepts the standard characters, because it merely maps the
// substitutes back before a standard decode. Unlike it, line breaks (which
// encoding/base64 would skip) and non-zero padding bits are rejected so a
// ticket has one spelling only.
func unbase64(sig string) ([]byte, bool) {
	src := make([]byte, len(sig))
	for i := 0; i < len(sig); i++ {
		c := sig[i]
		switch c {
		case '*':
			c = '+'
		case '-':
			c = '/'
		case '_':
			c = '='
		case '\r', '\n':
			return nil, false
		}
		src[i] = c
	}
	enc := base64.StdEncoding.Strict()
	dst := make([]byte, enc.DecodedLen(len(src)))
	n, err := enc.Decode(dst, src)
	if err != nil {
		return nil, false
	}
	return dst[:n], true
}

// inflate decompresses a zlib stream of any compression level, verifying the
// Adler-32 trailer and refusing trailing bytes or oversized output. zpool,
// when not nil, holds readers from earlier calls.
func inflate(z []byte, zpool *sync.Pool) ([]byte, bool) {
	br := bytes.NewReader(z)
	var zr io.ReadCloser
	var err error
	if zpool != nil {
		zr, _ = zpool.Get().(io.ReadCloser)
	}
	if zr != nil {
		err = zr.(zlib.Resetter).Reset(br, nil)
	} else {
		zr, err = zlib.NewReader(br) // nil on error: nothing to pool
	}
	if zr != nil && zpool != nil {
		// Reset fully reinitialises a reader, whatever state this call
		// leaves it in.
		defer zpool.Put(zr)
	}
	if err != nil { // including a preset dictionary
		return nil, false
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxJSONLen+1))
	if err != nil || len(out) > maxJSONLen {
		return nil, false
	}
	// bytes.Reader is an io.ByteReader, so flate reads exactly up to the end
	// of the stream and any remainder is genuinely trailing garbage.
	if zr.Close() != nil || br.Len() != 0 {
		return nil, false
	}
	return out, true
}

// parseDoc decodes the JSON document. It goes through a map rather than a
// tagged struct because encoding/json matches struct tags case-insensitively
// and leaves missing fields at zero; we want exact keys and required fields.
func parseDoc(js []byte) (Doc, error) {
	var m map[string]json.RawMessage
	if json.Unmarshal(js, &m) != nil {
		return Doc{}, ErrMalformed
	}
	var d Doc
	ok := field(m, "TLS.ver", &d.Version) &&
		field(m, "TLS.identifier", &d.Identifier) &&
		field(m, "TLS.sdkappid", &d.SDKAppID) &&
		field(m, "TLS.time", &d.Time) &&
		field(m, "TLS.expire", &d.Expire) &&
		field(m, "TLS.sig", &d.Sig)
	if !ok || d.Version != version {
		return Doc{}, ErrMalformed
	}
	// Negative values or an overflowing sum would make the expiry
	// arithmetic in Verify wrap around.
	if d.Time < 0 || d.Expire < 0 || d.Time > math.MaxInt64-d.Expire {
		return Doc{}, ErrMalformed
	}
	if _, present := m["TLS.userbuf"]; present {
		if !field(m, "TLS.userbuf", &d.UserBuf) {
			return Doc{}, ErrMalformed
		}
		if d.UserBuf == nil {
			d.UserBuf = []byte{} // keep "present" distinguishable from "absent"
		}
	}
	return d, nil
}

// field decodes m[name] into dst, failing when the key is missing, null
// (which encoding/json would silently accept as "leave unchanged") or of the
// wrong JSON type.
func field(m map[string]json.RawMessage, name string, dst any) bool {
	raw, ok := m[name]
	if !ok || string(raw) == "null" {
		return false
	}
	return json.Unmarshal(raw, dst) == nil
}
