package im

import (
	"slices"
	"testing"
)

// Ensure CaptureSubjects finds a body's own GroupId and every account named
// under an _Account key at any depth, each once, and nothing in bodies that
// name none or are not JSON.
func TestCaptureSubjects(t *testing.T) {
	for _, tc := range []struct {
		body, group string
		accounts    []string
	}{
		{`{"CallbackCommand":"Group.CallbackAfterNewMemberJoin","GroupId":"g1","Operator_Account":"admin",
			"NewMemberList":[{"Member_Account":"bob"},{"Member_Account":"alice"}],"Extra":{"GroupId":"inner"}}`,
			"g1", []string{"admin", "alice", "bob"}},
		{`{"Info":{"Action":"Login","To_Account":"carol"},"KickedDevice":[{"Platform":"Web"}]}`, "", []string{"carol"}},
		{`{"PairList":[{"From_Account":"a","To_Account":"b"},{"From_Account":"b","To_Account":"a"}]}`, "", []string{"a", "b"}},
		{`{"To_Account":["x","y"],"From_Account":""}`, "", []string{"x", "y"}},
		{`{"Nested":{"GroupId":"only"}}`, "only", nil},
		{`not json`, "", nil},
	} {
		group, accounts := CaptureSubjects([]byte(tc.body))
		if group != tc.group || !slices.Equal(accounts, tc.accounts) {
			t.Errorf("%s: %q %q, want %q %q", tc.body, group, accounts, tc.group, tc.accounts)
		}
	}
}
