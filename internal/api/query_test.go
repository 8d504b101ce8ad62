package api

import (
	"net/url"
	"strings"
	"testing"
)

// queryCases are raw queries scanQuery must read as url.ParseQuery does.
var queryCases = []string{
	"",
	"&",
	"&&",
	"=",
	"=x",
	"==",
	"sdkappid",
	"sdkappid=",
	"sdkappid==",
	"sdkappid=1=2",
	"sdkappid=1400000001&identifier=administrator&usersig=SIG&random=1&contenttype=json",
	"random=1&contenttype=json&usersig=SIG&identifier=administrator&sdkappid=1400000001",
	"sdkappid=1&sdkappid=2",
	"sdkappid=&sdkappid=2",
	"sdkappid&sdkappid=2",
	"sdkappid=%zz&sdkappid=2",
	"sdkappid=%2&sdkappid=2",
	"sdkappid=%&sdkappid=2",
	"sdkappid=1%&sdkappid=2",
	"sdkapp%zzid=1&sdkappid=2",
	"sdkapp%69d=1&sdkappid=2",
	"sdk%61ppid=1%324",
	"%73dkappid=1",
	"%73dkappid=%31%34&sdkappid=9",
	"sdkappid=1;b=2",
	"a=1;b=2&sdkappid=3",
	"sdkappid=1;&sdkappid=2",
	"sdkappid=1%3B2",
	"sdkappid%3D1=2",
	"+",
	"+=+",
	"identifier=a+b",
	"identifier=a%2Bb",
	"identifier+=x&identifier=y",
	"identifier%20=x&identifier=y",
	"identifier=%E4%BD%A0%E5%A5%BD",
	"identifier=%ff%fe",
	"identifier=\x00&usersig=\xff",
	"usersig=abc*def-ghi_jkl&usersig=other",
	"usersig=a%zz&usersig=b%zz&usersig=c",
	"%zz=1&usersig=2",
	"&&sdkappid=1&&identifier=2&&",
	"sdkappid=1&identifier=2&usersig=3&sdkappid=4&identifier=5&usersig=6",
	"SDKAPPID=1&Identifier=2&userSig=3",
	"sdkappid=1#frag",
	"sdkappid=1?x=2",
	"?sdkappid=1",
	"sdkappid=%41%42%43",
	"sdkappid=%4a%4A",
	"sdkappid=%G1",
	"sdkappid=%1G",
	strings.Repeat("&", queryScanMax-2) + "sdkappid=1",
	strings.Repeat("&", queryScanMax-1) + "sdkappid=1",
	strings.Repeat("&", queryScanMax) + "sdkappid=1",
	strings.Repeat("x=1&", 10000) + "sdkappid=1",
	"sdkappid=1&" + strings.Repeat("x=1&", 10000),
	"sdkappid=1&" + strings.Repeat("x=1&", 9998),
	"sdkappid=1&" + strings.Repeat("x=1&", 9999),
}

// parseQueryGet is what authorize read before scanQuery.
func parseQueryGet(raw string, names []string) []string {
	q, _ := url.ParseQuery(raw)
	vals := make([]string, len(names))
	for i, n := range names {
		vals[i] = q.Get(n)
	}
	return vals
}

func TestScanQueryMatchesParseQuery(t *testing.T) {
	names := []string{"sdkappid", "identifier", "usersig", "random", "contenttype", "", "a", "b", "x", "identifier "}
	for _, raw := range queryCases {
		want := parseQueryGet(raw, names)
		got := make([]string, len(names))
		scanQuery(raw, names, got, 0)
		for i := range names {
			if got[i] != want[i] {
				t.Errorf("query %.80q, name %q: scanQuery %q, ParseQuery %q", raw, names[i], got[i], want[i])
			}
		}
		p := readAuthQuery(raw)
		sig, err := url.QueryUnescape(p.userSigQuery)
		if p.sdkAppID != want[0] || p.identifier != want[1] || err != nil || sig != want[2] {
			t.Errorf("query %.80q: readAuthQuery %+v (usersig unescaped %q, %v), ParseQuery %q", raw, p, sig, err, want[:3])
		}
	}
}

func TestScanQueryRepeatedName(t *testing.T) {
	names := []string{"sdkappid", "sdkappid", "usersig"}
	got := []string{"stale", "stale", "stale"}
	scanQuery("sdkappid=%zz&usersig=1&sdkappid=2&sdkappid=3", names, got, 0)
	if want := []string{"2", "2", "1"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestReadAuthQueryAllocs(t *testing.T) {
	raw := "sdkappid=1400000001&identifier=administrator&usersig=eJwtzEELgjAYh-Hv8r7HsNbWprDzUKEoQUzqNLDVlJQKO1D6pHcLHp3A*&random=1&contenttype=json"
	var p authParams
	if n := testing.AllocsPerRun(100, func() { p = readAuthQuery(raw) }); n != 0 {
		t.Errorf("readAuthQuery allocates %v times, want 0", n)
	}
	if p.identifier != "administrator" {
		t.Errorf("identifier %q", p.identifier)
	}
}

func FuzzQueryParam(f *testing.F) {
	for _, raw := range queryCases {
		if len(raw) < 1000 {
			f.Add(raw, "sdkappid")
		}
	}
	f.Add("a%20b=1&a+b=2", "a b")
	f.Add("=1", "")
	f.Fuzz(func(t *testing.T, raw, name string) {
		names := []string{name, "sdkappid", "identifier", "usersig"}
		want := parseQueryGet(raw, names)
		got := make([]string, len(names))
		scanQuery(raw, names, got, 0)
		for i := range names {
			if got[i] != want[i] {
				t.Errorf("query %q, name %q: scanQuery %q, ParseQuery %q", raw, names[i], got[i], want[i])
			}
		}
		// Left escaped, each value is the same part's, unescaping to it.
		scanQuery(raw, names, got, 1<<len(names)-1)
		for i := range names {
			if v, err := url.QueryUnescape(got[i]); err != nil || v != want[i] {
				t.Errorf("query %q, name %q: escaped %q unescapes to %q (%v), ParseQuery %q", raw, names[i], got[i], v, err, want[i])
			}
		}
	})
}

// BenchmarkAuthQuery compares reading a usual REST query with scanQuery and
// with url.ParseQuery, which authorize used before.
func BenchmarkAuthQuery(b *testing.B) {
	raw := "sdkappid=1400000001&identifier=administrator&usersig=eJwtzEELgjAYh-Hv8r7HsNbWprDzUKEoQUzqNLDVlJQKO1D6pHcLHp3A*&random=1&contenttype=json"
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			readAuthQuery(raw)
		}
	})
	b.Run("ParseQuery", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parseQueryGet(raw, authQuery)
		}
	})
}
