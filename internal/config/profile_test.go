package config

import (
	"reflect"
	"strings"
	"testing"

	"github.com/timd/timd/internal/im"
)

// Ensure an app's custom profile fields load from a config file's
// profile_fields, reach the domain with their defaults (type string, 500
// bytes), and that Validate reports each bad declaration: a name that is
// not 1 to 8 bytes of [A-Za-z0-9_], a name declared twice, an unknown
// type, a max_length out of 1..500 or given to an integer field; and that
// TIMD_PROFILE_FIELDS refuses an item with too many parts or a max_length
// that is not a number.
func TestConfig_ProfileFields(t *testing.T) {
	file := writeFile(t, `
apps:
  - sdkappid: 1400000001
    secret_key: k
    profile_fields:
      - name: Test
      - name: Short
        type: string
        max_length: 8
      - name: Score
        type: integer
`)
	c := mustLoad(t, []string{"--config", file}, nil)
	want := []im.ProfileField{{Name: "Test", Type: im.ProfileFieldString, MaxBytes: 500},
		{Name: "Short", Type: im.ProfileFieldString, MaxBytes: 8}, {Name: "Score", Type: im.ProfileFieldInteger}}
	if got := c.Apps[0].ProfileFields(); !reflect.DeepEqual(got, want) {
		t.Errorf("ProfileFields = %+v, want %+v", got, want)
	}

	c = Default()
	c.App = AppConfig{SDKAppID: 1, SecretKey: "k", Admins: []string{"boss"}, Edition: "pro", Profile: []ProfileFieldConfig{
		{Name: "Nine_char"}, {Name: ""}, {Name: "a-b"}, {Name: "Dup"}, {Name: "Dup"}, {Name: "T", Type: "float"},
		{Name: "Long", MaxLength: 501}, {Name: "Neg", MaxLength: -1}, {Name: "Int", Type: "integer", MaxLength: 4},
		{Name: "Ok_1", Type: "string", MaxLength: 500}, {Name: "Ok_2", Type: "integer"},
	}}
	wantErrs := []string{
		`TIMD_SDKAPPID app: profile field "Nine_char": the name must be 1 to 8 bytes of A-Z a-z 0-9 _`,
		`TIMD_SDKAPPID app: profile field "": the name must be`,
		`TIMD_SDKAPPID app: profile field "a-b": the name must be`,
		`TIMD_SDKAPPID app: profile field "Dup" is declared twice`,
		`TIMD_SDKAPPID app: profile field "T": type "float": want string or integer`,
		`TIMD_SDKAPPID app: profile field "Long": max_length 501 must be 1 to 500`,
		`TIMD_SDKAPPID app: profile field "Neg": max_length -1 must be 1 to 500`,
		`TIMD_SDKAPPID app: profile field "Int": an integer field has no max_length`,
	}
	err := c.Validate()
	mustContainAll(t, err, wantErrs...)
	if n := len(splitLines(err)); n != len(wantErrs) {
		t.Errorf("%d problems, want %d: %v", n, len(wantErrs), err)
	}

	for _, v := range []string{"a:string:1:2", "a:string:x"} {
		if _, err := Load(nil, env(map[string]string{"TIMD_PROFILE_FIELDS": v})); err == nil {
			t.Errorf("TIMD_PROFILE_FIELDS=%q accepted", v)
		}
	}
}

// splitLines is the lines of err, none for nil.
func splitLines(err error) []string {
	if err == nil {
		return nil
	}
	return strings.Split(err.Error(), "\n")
}
