package im_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/timd/timd/internal/im"
)

// Ensure each write of group attributes gives the attributes after it and
// those it wrote or removed, keeps keys in the place they were first set,
// and fails with Tencent's codes past the limits or for a missing key.
func TestGroupAttrChange_Apply(t *testing.T) {
	cur := []im.GroupAttr{ga("k1", "v1"), ga("k2", "v2")}
	cases := []struct {
		name          string
		ch            im.GroupAttrChange
		next, changed []im.GroupAttr
		code          int
	}{
		{"Modify", im.GroupAttrChange{Op: im.GroupAttrModify, Attrs: []im.GroupAttr{ga("k3", "v3"), ga("k1", "x")}},
			[]im.GroupAttr{ga("k1", "x"), ga("k2", "v2"), ga("k3", "v3")}, []im.GroupAttr{ga("k3", "v3"), ga("k1", "x")}, 0},
		{"ModifyTwice", im.GroupAttrChange{Op: im.GroupAttrModify, Attrs: []im.GroupAttr{ga("k3", "a"), ga("k3", "b")}},
			[]im.GroupAttr{ga("k1", "v1"), ga("k2", "v2"), ga("k3", "b")}, []im.GroupAttr{ga("k3", "b")}, 0},
		{"Set", im.GroupAttrChange{Op: im.GroupAttrSet, Attrs: []im.GroupAttr{ga("k2", "y"), ga("k9", "")}},
			[]im.GroupAttr{ga("k2", "y"), ga("k9", "")}, []im.GroupAttr{ga("k2", "y"), ga("k9", "")}, 0},
		{"Clear", im.GroupAttrChange{Op: im.GroupAttrClear}, nil, cur, 0},
		{"Delete", im.GroupAttrChange{Op: im.GroupAttrDelete, Attrs: []im.GroupAttr{{Key: "k1"}}}, []im.GroupAttr{ga("k2", "v2")}, []im.GroupAttr{ga("k1", "v1")}, 0},
		{"DeleteMissing", im.GroupAttrChange{Op: im.GroupAttrDelete, Attrs: []im.GroupAttr{{Key: "k1"}, {Key: "k7"}}}, nil, nil, im.CodeGroupAttrMissing},
		{"Modify16", im.GroupAttrChange{Op: im.GroupAttrModify, Attrs: attrs(14, 1)}, append(slices.Clone(cur), attrs(14, 1)...), attrs(14, 1), 0},
		{"Modify17", im.GroupAttrChange{Op: im.GroupAttrModify, Attrs: attrs(15, 1)}, nil, nil, im.CodeGroupAttrTooMany},
		{"SetOneKeyTwice", im.GroupAttrChange{Op: im.GroupAttrSet, Attrs: append(attrs(16, 1), ga("aa", "z"))},
			append([]im.GroupAttr{ga("aa", "z")}, attrs(16, 1)[1:]...), append([]im.GroupAttr{ga("aa", "z")}, attrs(16, 1)[1:]...), 0},
		{"Set17", im.GroupAttrChange{Op: im.GroupAttrSet, Attrs: attrs(17, 0)}, nil, nil, im.CodeGroupAttrTooMany},
		{"SetLargest", im.GroupAttrChange{Op: im.GroupAttrSet, Attrs: largest(374)}, largest(374), largest(374), 0},
		{"SetTooLarge", im.GroupAttrChange{Op: im.GroupAttrSet, Attrs: largest(375)}, nil, nil, im.CodeGroupAttrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := slices.Clone(cur)
			next, changed, err := tc.ch.Apply(cur)
			if !slices.Equal(cur, before) {
				t.Fatalf("Apply changed its argument: %v", cur)
			}
			var e *im.Error
			switch {
			case tc.code > 0:
				if !errors.As(err, &e) || e.Code != tc.code {
					t.Fatalf("err %v, want code %d", err, tc.code)
				}
			case err != nil:
				t.Fatal(err)
			case !slices.Equal(next, tc.next) || !slices.Equal(changed, tc.changed):
				t.Fatalf("next %v changed %v\nwant %v, %v", next, changed, tc.next, tc.changed)
			}
		})
	}
}

// attrs is n attributes a0..a(n-1) with values of size bytes.
func attrs(n, size int) []im.GroupAttr {
	out := make([]im.GroupAttr, n)
	for i := range out {
		out[i] = im.GroupAttr{Key: "a" + string(rune('a'+i)), Value: strings.Repeat("v", size)}
	}
	return out
}

// largest is four attributes of 4000-byte values and a fifth of last bytes:
// 16384 bytes of keys (2 bytes each) and values together with last 374.
func largest(last int) []im.GroupAttr {
	out := attrs(5, 4000)
	out[4].Value = strings.Repeat("v", last)
	return out
}

// ga is the attribute key: value.
func ga(key, value string) im.GroupAttr { return im.GroupAttr{Key: key, Value: value} }
