package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure group attributes are kept per group in the order their keys were
// first set, that each write records Group.CallbackAfterGroupAttrChanged,
// that a refused write changes nothing and records nothing, that any
// text (NUL included) is kept alike on both databases, and that a
// dismissal deletes a group's attributes.
func TestGroupAttrService(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db := openGroupDB(t, dsn, "alice")
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		mustCreate(t, db, quiet, newGroup("@TGS#_C", im.GroupCommunity, "alice"))
		mustCreate(t, db, quiet, newGroup("G", im.GroupPublic, "alice"))
		change := func(what, group, op string, code int, attrs ...im.GroupAttr) {
			t.Helper()
			wantCode(t, what, db.ChangeGroupAttrs(ctx, recording, group, im.GroupAttrChange{Op: op, Attrs: attrs}), code)
		}
		read := func(group string, want ...im.GroupAttr) {
			t.Helper()
			got, err := db.GroupAttrs(ctx, gapp, group)
			if err != nil || got == nil || !slices.Equal(got, want) {
				t.Fatalf("%s: attributes %#v (%v), want %v", group, got, err, want)
			}
		}
		read("Live")
		change("modify", "Live", im.GroupAttrModify, 0, a("b", "1"), a("a", "x\x00y"))
		change("modify again", "Live", im.GroupAttrModify, 0, a("c", "3"), a("b", "2"))
		read("Live", a("b", "2"), a("a", "x\x00y"), a("c", "3"))
		read("G")

		change("delete missing", "Live", im.GroupAttrDelete, im.CodeGroupAttrMissing, a("a", ""), a("z", ""))
		change("too many", "Live", im.GroupAttrModify, im.CodeGroupAttrTooMany, attrsN(14)...)
		change("too large", "Live", im.GroupAttrSet, im.CodeGroupAttrTooLarge,
			a("1", strings.Repeat("v", 4000)), a("2", strings.Repeat("v", 4000)), a("3", strings.Repeat("v", 4000)),
			a("4", strings.Repeat("v", 4000)), a("5", strings.Repeat("v", 400)))
		change("clear Community", "@TGS#_C", im.GroupAttrClear, im.CodeGroupForbidden)
		change("unknown", "nosuch", im.GroupAttrModify, im.CodeGroupNotFound, a("k", "v"))
		if _, err := db.GroupAttrs(ctx, gapp, "nosuch"); im.ErrorCode(err) != im.CodeGroupNotFound {
			t.Fatalf("GroupAttrs of an unknown group: %v", err)
		}
		read("Live", a("b", "2"), a("a", "x\x00y"), a("c", "3"))
		if bs := bodies(t, db); len(bs) != 2 || !strings.Contains(bs[1],
			`"GroupAttr":[{"key":"c","value":"3"},{"key":"b","value":"2"}],"GroupId":"Live","Operator_Account":"administrator","OptionType":"modify","Type":"AVChatRoom"}`) {
			t.Fatalf("events %v", bs)
		}

		change("delete", "Live", im.GroupAttrDelete, 0, a("a", ""))
		read("Live", a("b", "2"), a("c", "3"))
		change("set", "Live", im.GroupAttrSet, 0, a("s", "1"))
		read("Live", a("s", "1"))
		change("set G", "G", im.GroupAttrSet, 0, a("g", "1"))
		change("clear", "Live", im.GroupAttrClear, 0)
		read("Live")
		read("G", a("g", "1"))
		if bs := bodies(t, db); len(bs) != 6 || !strings.Contains(bs[2], `"GroupAttr":[{"key":"a","value":"x\u0000y"}],`) ||
			!strings.Contains(bs[5], `"GroupAttr":[{"key":"s","value":"1"}],"GroupId":"Live","Operator_Account":"administrator","OptionType":"clear"`) {
			t.Fatalf("events %v", bs)
		}

		// A dismissal deletes the group's rows; another group keeps its own.
		change("set again", "Live", im.GroupAttrSet, 0, a("s", "1"), a("t", "2"))
		if err := db.DestroyGroup(ctx, quiet, "Live"); err != nil {
			t.Fatal(err)
		}
		if n, err := db.CountForTest(ctx, "SELECT COUNT(*) FROM group_attrs"); err != nil || n != 1 {
			t.Fatalf("%d attribute rows after the dismissal, want G's 1 (%v)", n, err)
		}
		mustCreate(t, db, quiet, newGroup("Live", im.GroupAVChatRoom, "alice"))
		read("Live")
	})
}

// attrsN is n attributes k0..k(n-1).
func attrsN(n int) []im.GroupAttr {
	out := make([]im.GroupAttr, n)
	for i := range out {
		out[i] = im.GroupAttr{Key: "k" + string(rune('a'+i)), Value: "v"}
	}
	return out
}

// a is the attribute key: value.
func a(key, value string) im.GroupAttr { return im.GroupAttr{Key: key, Value: value} }
