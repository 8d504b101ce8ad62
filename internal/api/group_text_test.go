package api_test

import (
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure a NUL character in a group's text fields is refused with 10004 on
// both databases alike, while custom field values, which Tencent's own
// sample fills with binary data, keep it.
func TestGroup_NULCharacters(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		for _, body := range []string{
			`{"Type":"Public","Name":"a\u0000b"}`,
			`{"Type":"Public","Name":"n","Introduction":"\u0000"}`,
			`{"Type":"Public","Name":"n","Notification":"x\u0000"}`,
			`{"Type":"Public","Name":"n","FaceUrl":"\u0000"}`,
		} {
			h.MustCall(10004, "group_open_http_svc", "create_group", body)
		}
		h.MustCall(0, "group_open_http_svc", "create_group",
			`{"Type":"Public","Name":"n","GroupId":"nul","AppDefinedData":[{"Key":"k","Value":"abc\u0000\u0001"}]}`)
		h.MustCall(10004, "group_open_http_svc", "modify_group_base_info", `{"GroupId":"nul","Name":"\u0000"}`)
		r := h.MustCall(0, "group_open_http_svc", "get_group_info",
			`{"GroupIdList":["nul"],"ResponseFilter":{"AppDefinedDataFilter_Group":["k"]}}`)
		if !contains(r.Raw, `"Value":"abc\u0000\u0001"`) {
			t.Fatalf("custom value lost its NUL: %s", r.Raw)
		}
	})
}
