package usersig

import (
	"crypto/hmac"
	"sync"
	"time"
)

// Verify checks that sig is a valid UserSig for identifier in app sdkappid
// at instant now, signed with key. It returns the instant the ticket expires
// (it stays valid up to and including that second).
//
// Checks run in the reference library's order, so a ticket with several
// faults reports the same error Tencent would: decode (ErrEmpty,
// ErrMalformed), sdkappid (ErrAppID), identifier (ErrIdentifier), expiry
// (ErrExpired when now.Unix() > Time+Expire), userbuf (ErrMalformed: IM REST
// tickets never carry one), then the HMAC (ErrSignature), compared in
// constant time. An empty key is always ErrSignature: anyone can compute an
// HMAC under it, so a misconfigured empty secret must not open the door.
func Verify(sdkappid uint64, key, identifier, sig string, now time.Time) (expiresAt time.Time, err error) {
	return verify(sdkappid, key, identifier, sig, now, nil)
}

// verify is Verify decoding with the given zlib reader pool (may be nil).
func verify(sdkappid uint64, key, identifier, sig string, now time.Time, zpool *sync.Pool) (time.Time, error) {
	d, err := decode(sig, zpool)
	if err != nil {
		return time.Time{}, err
	}
	switch {
	case d.SDKAppID != sdkappid:
		return time.Time{}, ErrAppID
	case d.Identifier != identifier:
		return time.Time{}, ErrIdentifier
	case now.Unix() > d.Time+d.Expire: // Decode guarantees no overflow
		return time.Time{}, ErrExpired
	case d.UserBuf != nil:
		return time.Time{}, ErrMalformed
	case key == "" || !hmac.Equal(sign(key, &d), d.Sig):
		return time.Time{}, ErrSignature
	}
	return time.Unix(d.Time+d.Expire, 0), nil
}
