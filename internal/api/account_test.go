package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

const login = "im_open_login_svc"

// items builds a DeleteItem/CheckItem array of n UserIDs u0..u(n-1).
func items(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"UserID":"u%d"}`, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// ids builds a JSON array of n UserIDs u0..u(n-1).
func ids(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`"u%d"`, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Ensure every account command answers its documented codes and fields,
// on every database.
func TestAccount_Scenarios(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		// The scenarios build on each other, so they share one server.
		h := MustOpenHarness(t, dsn)
		for _, tc := range []struct {
			name    string
			command string
			body    string
			code    int
			want    string // substring of the reply, compact JSON
		}{
			{"Import/OK", "account_import", `{"UserID":"alice","Nick":"Alice","FaceUrl":"http://x/a.png"}`, 0, ""},
			{"Import/LegacyIdentifier", "account_import", `{"Identifier":"bob","Nick":"","FaceUrl":""}`, 0, ""},
			{"Import/Reimport", "account_import", `{"UserID":"alice","Nick":"Al"}`, 0, ""},
			{"Import/32Bytes", "account_import", `{"UserID":"` + strings.Repeat("x", 32) + `"}`, 0, ""},
			{"Import/PrintableASCII", "account_import", `{"UserID":"a b~!@#"}`, 0, ""},
			{"Import/ErrMissing", "account_import", `{"Nick":"x"}`, 70402, ""},
			{"Import/ErrEmpty", "account_import", `{"UserID":""}`, 70402, ""},
			{"Import/Err33Bytes", "account_import", `{"UserID":"` + strings.Repeat("x", 33) + `"}`, 70402, ""},
			{"Import/ErrNonASCII", "account_import", `{"UserID":"张三"}`, 70402, ""},
			{"Import/ErrControlChar", "account_import", `{"UserID":"a\u0000b"}`, 70402, ""},
			{"Import/ErrLeadingSpace", "account_import", `{"UserID":" a"}`, 70402, ""},
			{"Import/ErrNickType", "account_import", `{"UserID":"a","Nick":1}`, 70402, ""},
			{"Import/ErrNickTooLong", "account_import", `{"UserID":"a","Nick":"` + strings.Repeat("n", 501) + `"}`, 40601, ""},
			{"Import/ErrFaceTooLong", "account_import", `{"UserID":"a","FaceUrl":"` + strings.Repeat("f", 501) + `"}`, 40601, ""},

			{"Multi/OldForm", "multiaccount_import", `{"Accounts":["m1","m2"]}`, 0, `"FailAccounts":[]`},
			{"Multi/NewForm", "multiaccount_import", `{"AccountList":[{"UserID":"m3","Nick":"M3"},{"UserID":"` + strings.Repeat("x", 33) + `"}]}`,
				0, `"FailAccounts":["` + strings.Repeat("x", 33) + `"]`},
			{"Multi/FailAccounts", "multiaccount_import", `{"Accounts":["ok1",""," bad"]}`, 0, `"FailAccounts":[""," bad"]`},
			{"Multi/100", "multiaccount_import", `{"Accounts":` + ids(100) + `}`, 0, `"FailAccounts":[]`},
			{"Multi/Err101", "multiaccount_import", `{"Accounts":` + ids(101) + `}`, 70402, ""},
			{"Multi/ErrEmpty", "multiaccount_import", `{"Accounts":[]}`, 70402, ""},
			{"Multi/ErrNone", "multiaccount_import", `{}`, 70402, ""},
			{"Multi/ErrItemType", "multiaccount_import", `{"Accounts":[1]}`, 70402, ""},
			{"Multi/ErrNoUserID", "multiaccount_import", `{"AccountList":[{"Nick":"x"}]}`, 70402, ""},
			{"Multi/BothForms", "multiaccount_import", `{"Accounts":["b1"],"AccountList":[{"UserID":"b2","Nick":"B2"}]}`, 0, `"FailAccounts":[]`},
			{"Multi/BothFormsImported", "account_check", `{"CheckItem":[{"UserID":"b1"},{"UserID":"b2"}]}`, 0,
				`{"UserID":"b1","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},{"UserID":"b2","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}`},
			{"Multi/BothForms100", "multiaccount_import", `{"Accounts":` + ids(50) + `,"AccountList":` + strings.ReplaceAll(items(50), `"u`, `"v`) + `}`, 0, `"FailAccounts":[]`},
			{"Multi/ErrBothForms101", "multiaccount_import", `{"Accounts":` + ids(50) + `,"AccountList":` + strings.ReplaceAll(items(51), `"u`, `"v`) + `}`, 70402, ""},
			{"Multi/FailLongNickFace", "multiaccount_import", `{"AccountList":[{"UserID":"n1","Nick":"` + strings.Repeat("n", 501) + `"},` +
				`{"UserID":"n2","FaceUrl":"` + strings.Repeat("f", 501) + `"},{"UserID":"n3","Nick":"ok"}]}`, 0, `"FailAccounts":["n1","n2"]`},
			{"Multi/LongNickFaceNotImported", "account_check", `{"CheckItem":[{"UserID":"n1"},{"UserID":"n2"},{"UserID":"n3"}]}`, 0,
				`"AccountStatus":"NotImported"},{"UserID":"n2","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"},{"UserID":"n3","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}`},

			{"Check/OK", "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"nobody"},{"UserID":"administrator"}]}`, 0,
				`"ResultItem":[{"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},` +
					`{"UserID":"nobody","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"},` +
					`{"UserID":"administrator","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}]`},
			{"Check/100", "account_check", `{"CheckItem":` + items(100) + `}`, 0, `"AccountStatus":"Imported"`},
			{"Check/Err101", "account_check", `{"CheckItem":` + items(101) + `}`, 70402, ""},
			{"Check/ErrEmpty", "account_check", `{"CheckItem":[]}`, 70402, ""},
			{"Check/ErrMissing", "account_check", `{}`, 70402, ""},
			{"Check/ErrItemNoUserID", "account_check", `{"CheckItem":[{}]}`, 70402, ""},

			{"Delete/OK", "account_delete", `{"DeleteItem":[{"UserID":"m1"},{"UserID":"nobody"},{"UserID":"administrator"}]}`, 0,
				`"ResultItem":[{"ResultCode":0,"ResultInfo":"","UserID":"m1"},` +
					`{"ResultCode":70107,"ResultInfo":"Err_TLS_PT_Open_Login_Account_Not_Exist","UserID":"nobody"},` +
					`{"ResultCode":70402,"ResultInfo":"an app admin account cannot be deleted","UserID":"administrator"}]`},
			{"Delete/Again", "account_delete", `{"DeleteItem":[{"UserID":"m1"}]}`, 0, `"ResultCode":70107`},
			{"Delete/CheckGone", "account_check", `{"CheckItem":[{"UserID":"m1"},{"UserID":"m2"}]}`, 0,
				`{"UserID":"m1","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"},{"UserID":"m2","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"}`},
			{"Delete/100", "account_delete", `{"DeleteItem":` + items(100) + `}`, 0, `"ResultCode":0`},
			{"Delete/Err101", "account_delete", `{"DeleteItem":` + items(101) + `}`, 70402, ""},
			{"Delete/ErrEmpty", "account_delete", `{"DeleteItem":[]}`, 70402, ""},
			{"Delete/ErrItemType", "account_delete", `{"DeleteItem":[{"UserID":5}]}`, 70402, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := h.Call(login, tc.command, tc.body)
				if got := r.Code(t); got != tc.code {
					t.Fatalf("ErrorCode = %d, want %d: %v", got, tc.code, r)
				}
				if tc.want != "" && !strings.Contains(r.Raw, tc.want) {
					t.Fatalf("reply %s\nlacks %s", r.Raw, tc.want)
				}
			})
		}
	})
}
