package api_test

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// tamper re-encodes a UserSig after edit changed its JSON document,
// without signing it again.
func tamper(tb testing.TB, sig string, edit func(doc map[string]any)) string {
	tb.Helper()
	return reencode(tb, sig, zlib.DefaultCompression, func(plain []byte) []byte {
		dec := json.NewDecoder(bytes.NewReader(plain))
		dec.UseNumber()
		var doc map[string]any
		if err := dec.Decode(&doc); err != nil {
			tb.Fatal(err)
		}
		edit(doc)
		out, _ := json.Marshal(doc)
		return out
	})
}

// Ensure a UserSig changed after signing is refused, field by field, with
// the code of the first check it fails (Tencent's order: sdkappid,
// identifier, expiry, then the HMAC), on the REST API and on the
// management API alike; and that the untouched sig still works.
func TestAuth_TamperedUserSig(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	good := Sig(t, TestAppID, TestKey, Admin, 86400)
	for _, tc := range []struct {
		name string
		edit func(doc map[string]any)
		code int
	}{
		{"Untouched", func(map[string]any) {}, 0},
		{"Identifier", func(d map[string]any) { d["TLS.identifier"] = "admin2" }, 70013},
		{"SDKAppID", func(d map[string]any) { d["TLS.sdkappid"] = OtherAppID }, 70014},
		{"TimeLater", func(d map[string]any) { d["TLS.time"] = json.Number("99999999999") }, 70009},
		{"ExpireLonger", func(d map[string]any) { d["TLS.expire"] = json.Number("999999999") }, 70009},
		// Long expired: the expiry is checked before the HMAC, as Tencent does.
		{"TimeEarlier", func(d map[string]any) { d["TLS.time"] = json.Number("1000000000") }, 70001},
		{"Signature", func(d map[string]any) { d["TLS.sig"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" }, 70009},
		{"SignatureRemoved", func(d map[string]any) { delete(d, "TLS.sig") }, 70003},
		{"Version", func(d map[string]any) { d["TLS.ver"] = "3.0" }, 70003},
		{"IdentifierWrongType", func(d map[string]any) { d["TLS.identifier"] = 7 }, 70003},
	} {
		t.Run(tc.name, func(t *testing.T) {
			query := "sdkappid=1400000001&identifier=administrator&usersig=" + tamper(t, good, tc.edit)
			for _, path := range []string{"/v4/im_open_login_svc/account_check", "/v4/timd_callback/list_deliveries"} {
				body := `{"CheckItem":[{"UserID":"administrator"}]}`
				if r := h.Do("POST", path, query, body); r.Code(t) != tc.code {
					t.Errorf("%s: ErrorCode %d, want %d: %s", path, r.Code(t), tc.code, r.Raw)
				}
			}
		})
	}
}
