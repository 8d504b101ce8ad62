package usersig

import (
	"bytes"
	"compress/zlib"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// DefaultExpire is how long UserSigs timd's commands generate stay valid, in
// seconds: 180 days, the default of Tencent's own generators.
const DefaultExpire = 180 * 24 * 60 * 60

// tencentB64 is standard base64 with Tencent's URL-safe substitutions. It is
// never modified after initialisation.
var tencentB64 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789*-").WithPadding('_')

// wireDoc fixes the JSON field order to the one the official generator
// emits, so our tickets look like theirs byte for byte before compression.
type wireDoc struct {
	Version    string `json:"TLS.ver"`
	Identifier string `json:"TLS.identifier"`
	SDKAppID   uint64 `json:"TLS.sdkappid"`
	Expire     int64  `json:"TLS.expire"`
	Time       int64  `json:"TLS.time"`
	Sig        []byte `json:"TLS.sig"`
}

// Gen makes a UserSig for identifier in app sdkappid, issued at now and valid
// for expire seconds, using Tencent's algorithm and zlib.DefaultCompression
// (what Tencent's Java/Python generators use; the Go reference uses
// NoCompression, and verifiers accept any level).
func Gen(sdkappid uint64, key, identifier string, expire int64, now time.Time) (string, error) {
	return GenLevel(sdkappid, key, identifier, expire, now, zlib.DefaultCompression)
}

// GenLevel is Gen with an explicit zlib compression level
// (zlib.HuffmanOnly through zlib.BestCompression).
//
// It refuses inputs that could only produce a useless or unverifiable
// ticket: an empty key (Verify never accepts one), invalid UTF-8 in the
// identifier (JSON would rewrite it, breaking the HMAC), a non-positive
// expire, or an issue time before 1970 or so late that Time+Expire overflows.
func GenLevel(sdkappid uint64, key, identifier string, expire int64, now time.Time, level int) (string, error) {
	t := now.Unix()
	switch {
	case key == "":
		return "", errors.New("usersig: empty key")
	case !utf8.ValidString(identifier):
		return "", errors.New("usersig: identifier is not valid UTF-8")
	case expire <= 0:
		return "", errors.New("usersig: expire must be positive")
	case t < 0 || t > math.MaxInt64-expire:
		return "", errors.New("usersig: issue time out of range")
	}
	d := Doc{Version: version, Identifier: identifier, SDKAppID: sdkappid, Time: t, Expire: expire}
	d.Sig = sign(key, &d)
	js, err := json.Marshal(wireDoc{
		Version:    d.Version,
		Identifier: d.Identifier,
		SDKAppID:   d.SDKAppID,
		Expire:     d.Expire,
		Time:       d.Time,
		Sig:        d.Sig,
	})
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	zw, err := zlib.NewWriterLevel(&b, level)
	if err != nil {
		return "", err
	}
	if _, err := zw.Write(js); err != nil {
		return "", err
	}
	if err := zw.Close(); err != nil {
		return "", err
	}
	return tencentB64.EncodeToString(b.Bytes()), nil
}

// sign returns HMAC-SHA256(key, content) over the fixed-order text the
// reference signs. The content is built in a stack buffer because Verify
// runs this on every cache miss.
func sign(key string, d *Doc) []byte {
	var buf [256]byte
	content := appendContent(buf[:0], d)
	m := hmac.New(sha256.New, []byte(key))
	m.Write(content)
	return m.Sum(nil)
}

// appendContent appends the signed text: one "name:value\n" line per field,
// userbuf (base64 std) only when present, exactly as the reference does.
func appendContent(b []byte, d *Doc) []byte {
	b = append(b, "TLS.identifier:"...)
	b = append(b, d.Identifier...)
	b = append(b, "\nTLS.sdkappid:"...)
	b = strconv.AppendUint(b, d.SDKAppID, 10)
	b = append(b, "\nTLS.time:"...)
	b = strconv.AppendInt(b, d.Time, 10)
	b = append(b, "\nTLS.expire:"...)
	b = strconv.AppendInt(b, d.Expire, 10)
	b = append(b, '\n')
	if d.UserBuf != nil {
		b = append(b, "TLS.userbuf:"...)
		b = base64.StdEncoding.AppendEncode(b, d.UserBuf)
		b = append(b, '\n')
	}
	return b
}
