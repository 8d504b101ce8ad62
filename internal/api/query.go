package api

import (
	"net/url"
	"strings"
)

// queryScanMax is the most '&'-separated parts scanQuery reads itself. A
// longer query goes through url.ParseQuery, so that its limit on the number
// of parameters (GODEBUG urlmaxqueryparams, 10,000 by default) applies
// exactly as it always has.
const queryScanMax = 64

// queryScanExact reports whether url.ParseQuery takes every query of up to
// queryScanMax parts, so that scanQuery may read those itself: false only
// when urlmaxqueryparams is set below that when the process starts.
var queryScanExact = func() bool {
	_, err := url.ParseQuery(strings.Repeat("&", queryScanMax-1))
	return err == nil
}()

// scanQuery sets vals[i] to the first value of the query parameter names[i]
// in raw, "" when there is none: what url.ParseQuery then Values.Get give,
// without building the map. Names and values are unescaped as
// url.QueryUnescape does ('+' is a space, %XX a byte); a part with a
// semicolon, or whose name or value has a malformed escape, is skipped and
// the parts after it still count. Only the values asked for are unescaped,
// so a usual query costs no allocation. names has at most 64 entries.
//
// A name whose bit is set in escaped has its value left as the query has it
// (its escapes checked, so the same part is taken): what url.QueryEscape of
// the value url.ParseQuery gives would unescape to.
func scanQuery(raw string, names, vals []string, escaped uint64) {
	clear(vals)
	if strings.Count(raw, "&") >= queryScanMax || !queryScanExact {
		q, _ := url.ParseQuery(raw)
		for i, n := range names {
			vals[i] = q.Get(n)
			if escaped&(1<<i) != 0 {
				vals[i] = url.QueryEscape(vals[i])
			}
		}
		return
	}
	var found, all uint64 = 0, 1<<len(names) - 1
	for raw != "" && found != all {
		var part string
		part, raw, _ = strings.Cut(raw, "&")
		if part == "" || strings.IndexByte(part, ';') >= 0 {
			continue
		}
		key, value, _ := strings.Cut(part, "=")
		key, err := queryUnescape(key)
		if err != nil {
			continue
		}
		for i, n := range names {
			if found&(1<<i) != 0 || n != key {
				continue
			}
			v := value
			if escaped&(1<<i) == 0 {
				v, err = queryUnescape(value)
			} else if !validEscapes(value) {
				err = url.EscapeError(value)
			}
			if err != nil {
				break
			}
			vals[i] = v
			found |= 1 << i
		}
	}
}

// queryUnescape is url.QueryUnescape, with a quicker look for the usual
// text that has nothing to unescape: without '%' and '+' it is s itself.
func queryUnescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	return url.QueryUnescape(s)
}

// validEscapes reports whether every '%' in s starts a %XX escape, as
// url.QueryUnescape requires.
func validEscapes(s string) bool {
	for i := strings.IndexByte(s, '%'); i >= 0; i = strings.IndexByte(s, '%') {
		if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
			return false
		}
		s = s[i+3:]
	}
	return true
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// authQuery names the query parameters authorize reads, in the order of
// authParams' fields.
var authQuery = []string{"sdkappid", "identifier", "usersig"}

// authParams are the query parameters a REST request authenticates with.
type authParams struct {
	sdkAppID, identifier string
	// userSigQuery is the usersig as the query has it, still escaped: the
	// verifier's cache knows a repeated ticket by it.
	userSigQuery string
}

// readAuthQuery reads authQuery's parameters from a raw query.
func readAuthQuery(raw string) authParams {
	var v [3]string
	scanQuery(raw, authQuery, v[:], 1<<2)
	return authParams{v[0], v[1], v[2]}
}
