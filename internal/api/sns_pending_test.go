package api_test

import (
	"encoding/json"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// setAllowType sets Tag_Profile_IM_AllowType of users directly in the
// store, as a test's setup: no Profile.CallbackPortraitSet is recorded.
// Tests about something else than AllowType make their peers
// AllowType_Type_AllowAny this way, since an account that never set it
// needs to confirm every friend request.
func (h *Harness) setAllowType(value string, users ...string) {
	h.tb.Helper()
	v, err := json.Marshal(value)
	if err != nil {
		h.tb.Fatal(err)
	}
	op := im.Op{App: &im.App{SDKAppID: TestAppID}}
	for _, u := range users {
		if err := h.Store.SetProfile(h.tb.Context(), op, u, []im.ProfileItem{{Tag: im.TagAllowType, Value: v}}); err != nil {
			h.tb.Fatalf("set %s's AllowType: %v", u, err)
		}
	}
}

// allowAny makes users accept every friend request at once.
func (h *Harness) allowAny(users ...string) {
	h.tb.Helper()
	h.setAllowType(im.AllowTypeAllowAny, users...)
}

// Ensure friend_add honours the peer's Tag_Profile_IM_AllowType: an
// account that never set it, like one set to AllowType_Type_NeedConfirm,
// gets a pending request and the item answers 30539 (listed in
// Fail_Account, no row either way, no Sns.CallbackFriendAdd, Add_Type_Single
// or Both alike); AllowType_Type_DenyAny answers 30516; AllowAny, set by
// portrait_set, adds at once; ForceAddFlags 1 bypasses AllowType, DenyAny
// included. account_delete removes the pending requests of and to the
// deleted account.
func TestSNS_FriendAddAllowType(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave", "erin")
		h.setAllowType(im.AllowTypeDenyAny, "carol")
		h.setAllowType(im.AllowTypeNeedConfirm, "dave")
		const ev = im.CallbackFriendAdd
		pendingBob := `{"To_Account":"bob","ResultCode":30539,"ResultInfo":"Err_SNS_FriendAdd_Friend_Allow_Type_Need_Confirm"}`
		runSNSCases(t, h, []snsCase{
			{name: "DefaultNeedsConfirm", command: "friend_add", body: addOne("bob", `"Remark":"r","GroupName":"L","AddWording":"hi"`),
				want: []string{`"ResultItem":[` + pendingBob + `]`, `"Fail_Account":["bob"]`}},
			{name: "SingleNeedsConfirm", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("bob", "dave") + `,"AddType":"Add_Type_Single"}`,
				want: []string{`"ResultItem":[` + pendingBob + `,{"To_Account":"dave","ResultCode":30539,`, `"Fail_Account":["bob","dave"]`}},
			{name: "DenyAny", command: "friend_add", body: addOne("carol", ""),
				want: []string{`"ResultItem":[{"To_Account":"carol","ResultCode":30516,"ResultInfo":"Err_SNS_FriendAdd_Friend_Allow_Type_Forbid"}]`, `"Fail_Account":["carol"]`}},
			{name: "ForcedDenyAny", command: "friend_add", body: `{"From_Account":"alice","AddFriendItem":` + addItems("carol") + `,"ForceAddFlags":1}`, event: ev,
				want:   []string{`"ResultItem":[{"To_Account":"carol","ResultCode":0,"ResultInfo":""}]`},
				evWant: []string{`"PairList":[{"From_Account":"alice","Initiator_Account":"alice","To_Account":"carol"},{"From_Account":"carol","Initiator_Account":"alice","To_Account":"alice"}]`, `"ForceFlag":1`}},
			// erin has alice (forced, one-way); alice asking for erin still
			// waits for erin's confirmation: having alice as a friend is
			// not consent.
			{name: "ForcedSingle", command: "friend_add", body: `{"From_Account":"erin","AddFriendItem":` + addItems("alice") + `,"AddType":"Add_Type_Single","ForceAddFlags":1}`, event: ev},
			{name: "BackRowNeedsConfirm", command: "friend_add", body: addOne("erin", ""),
				want: []string{`{"To_Account":"erin","ResultCode":30539,`}},
		})
		if rel := h.relation("alice", "bob"); rel != im.RelationNone {
			t.Errorf("alice and bob while pending: %s", rel)
		}
		if rel := h.relation("alice", "erin"); rel != im.RelationBWithA {
			t.Errorf("alice and erin while pending: %s", rel)
		}
		checkPendingStored(t, h)

		// bob allows anyone: the same request adds at once and removes the
		// pending one.
		h.MustCall(0, "profile", "portrait_set", `{"From_Account":"bob","ProfileItem":[{"Tag":"Tag_Profile_IM_AllowType","Value":"AllowType_Type_AllowAny"}]}`)
		runSNSCases(t, h, []snsCase{{name: "AllowAny", command: "friend_add", body: addOne("bob", ""), event: ev,
			want: []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""}]`}, absent: []string{"Fail_Account"},
			evWant: []string{`"ForceFlag":0`}}})
		if rel := h.relation("alice", "bob"); rel != im.RelationBoth {
			t.Errorf("alice and bob: %s", rel)
		}
		if got := h.pendingOf("bob"); len(got) != 0 {
			t.Errorf("bob's requests after the add %v", got)
		}
		h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"alice"}]}`)
		for _, u := range []string{"dave", "erin"} {
			if got := h.pendingOf(u); len(got) != 0 {
				t.Errorf("%s's requests after alice's deletion %v", u, got)
			}
		}
	})
}

// pendingOf returns the pending requests user sent or received.
func (h *Harness) pendingOf(user string) []im.FriendRequest {
	h.tb.Helper()
	reqs, err := h.Store.FriendRequests(h.tb.Context(), TestAppID, user)
	if err != nil {
		h.tb.Fatal(err)
	}
	return reqs
}

// checkPendingStored checks alice's pending requests: to bob one-way (the
// second request replaced the first, with its fields), to dave, to erin.
func checkPendingStored(t *testing.T, h *Harness) {
	t.Helper()
	got := h.pendingOf("alice")
	if len(got) != 3 || got[0].To != "bob" || got[0].Both || got[0].Remark != "" || got[0].List != "" ||
		got[1].To != "dave" || got[2].To != "erin" || !got[2].Both || got[2].AddSource != "AddSource_Type_Test" {
		t.Errorf("alice's requests %+v", got)
	}
}
