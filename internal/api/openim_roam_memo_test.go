package api

import "testing"

// Ensure a memoized page is used only under the generation it was filed
// at and only from the time it was read at until its first message
// expires: an app's clock may be moved back as well as forward.
func TestRoamMemo_Window(t *testing.T) {
	m := newRoamMemo()
	k := roamMemoKey{app: 1}
	resp := &roamResp{Complete: 1}
	m.put(k, 7, roamMemoValue{resp, 1000, 2000}, 100)
	for _, tc := range []struct {
		gen  uint64
		now  int64
		want bool
	}{
		{7, 1000, true}, {7, 1999, true}, {7, 2000, false}, {7, 999, false}, {8, 1500, false},
	} {
		if got, ok := lookupRoam(m, k, tc.gen, tc.now); ok != tc.want || ok && got != resp {
			t.Errorf("generation %d at %d: %v, want %v", tc.gen, tc.now, ok, tc.want)
		}
	}
	if _, ok := lookupRoam(m, roamMemoKey{app: 2}, 7, 1500); ok {
		t.Error("another app's page")
	}
}
