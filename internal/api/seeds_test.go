package api_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// seedURLs are the request URL examples of Tencent's pages timd was started
// from, destroy_group (1047/34896) and del_contact_group (1047/53441; see
// docs/fidelity.md for the page ids), verbatim but for the host.
var seedURLs = []string{
	"https://xxxxxx/v4/group_open_http_svc/destroy_group?sdkappid=88888888&identifier=admin&usersig=xxx&random=99999999&contenttype=json",
	"https://xxxxxx/v4/recentcontact/del_contact_group?sdkappid=88888888&identifier=admin&usersig=xxx&random=99999999&contenttype=json",
}

// Ensure the documentation's example URLs are understood as documented: app
// 88888888 and admin "admin" are found, and the placeholder UserSig "xxx" is
// refused as one that cannot be decoded (70003) rather than any earlier code.
func TestSeeds_RequestURLs(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.Apps = append(o.Apps, &im.App{SDKAppID: 88888888, SecretKey: "seed-key", Admins: []string{"admin"}, Edition: im.EditionUltimate})
	})
	for _, raw := range seedURLs {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if r := h.Do("POST", u.Path, u.RawQuery, "{}"); r.Code(t) != im.CodeSigMalformed {
			t.Errorf("%s: %v", u.Path, r)
		}
		// With a real UserSig in place of "xxx", the REST layer admits the
		// call: whatever answers, it is not a 60xxx or 70xxx code.
		sig := Sig(t, 88888888, "seed-key", "admin", 3600)
		query := strings.Replace(u.RawQuery, "usersig=xxx", "usersig="+sig, 1)
		r := h.Do("POST", u.Path, query, "{}")
		if c := r.Code(t); c >= 60000 && c < 80000 && c != im.CodeUnknownResource {
			t.Errorf("%s with a real UserSig: %v", u.Path, r)
		}
	}
}
