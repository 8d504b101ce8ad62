package compat

import (
	"testing"

	"github.com/dobyte/tencent-im/profile"
	"github.com/dobyte/tencent-im/sns"
)

// Ensure the SDK's friend and friend-list calls work against timd: friends
// added both ways, a list made with a friend in it, read back, deleted with
// the sequence moving by one, and the friend still a friend afterwards.
func TestDobyte_FriendLists(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob"); err != nil {
		t.Fatal(err)
	}
	// bob accepts anyone: an account that never set AllowType needs to
	// confirm (TestDobyte_FriendAllowType).
	setAllowType(t, sdk.Profile(), "bob", profile.AllowTypeAllowAny)
	s := sdk.SNS()
	f := sns.NewFriend("bob")
	f.SetAddSource("Web") // the SDK adds the AddSource_Type_ prefix
	if err := s.AddFriend("alice", true, false, f); err != nil {
		t.Fatalf("AddFriend: %v", err)
	}
	sdkFriendList(t, s)
	relation, err := s.CheckFriend("alice", sns.CheckTypeBoth, "bob")
	if err != nil || relation != "CheckResult_Type_BothWay" {
		t.Fatalf("CheckFriend after the list is gone: %q %v", relation, err)
	}
	if err := s.DeleteFriend("alice", true, "bob"); err != nil {
		t.Fatalf("DeleteFriend: %v", err)
	}
	if relation, err = s.CheckFriend("alice", sns.CheckTypeBoth, "bob"); err != nil || relation != "CheckResult_Type_NoRelation" {
		t.Fatalf("CheckFriend after DeleteFriend: %q %v", relation, err)
	}
}

// sdkFriendList makes alice's list family with bob in it through the SDK,
// reads it back, and deletes it, the sequence moving by one; deleting it
// again answers 30001.
func sdkFriendList(t *testing.T, s sns.API) {
	seq, results, err := s.AddGroups("alice", []string{"family"}, []string{"bob"})
	if err != nil || seq < 1 || len(results) != 1 || results[0].ResultCode != 0 {
		t.Fatalf("AddGroups: %d %+v %v", seq, results, err)
	}
	got, lists, err := s.GetGroups("alice", 0, true, "family")
	if err != nil || got != seq || len(lists) != 1 || lists[0].GroupName != "family" ||
		lists[0].FriendNumber != 1 || len(lists[0].UserIds) != 1 || lists[0].UserIds[0] != "bob" {
		t.Fatalf("GetGroups: %d %+v %v", got, lists, err)
	}
	after, err := s.DeleteGroups("alice", "family")
	if err != nil || after != seq+1 {
		t.Fatalf("DeleteGroups: %d (before %d) %v", after, seq, err)
	}
	if _, err := s.DeleteGroups("alice", "family"); codeOf(err) != 30001 {
		t.Fatalf("DeleteGroups of a deleted list: %v (code %d), want 30001", err, codeOf(err))
	}
}

// setAllowType sets user's AllowType through the SDK.
func setAllowType(t *testing.T, api profile.API, user string, allow profile.AllowType) {
	t.Helper()
	p := profile.NewProfile(user)
	p.SetAllowType(allow)
	if err := api.SetProfile(p); err != nil {
		t.Fatalf("SetProfile %s: %v", user, err)
	}
}

// Ensure the SDK sees the peer's AllowType as Tencent answers it: AddFriend
// to an account that never set it is the item's 30539 (the request is
// pending, no friendship), to one that set AllowType_Type_DenyAny 30516,
// and the forced AddFriend (ForceAddFlags 1) adds both.
func TestDobyte_FriendAllowType(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol"); err != nil {
		t.Fatal(err)
	}
	setAllowType(t, sdk.Profile(), "carol", profile.AllowTypeDenyAny)
	s := sdk.SNS()
	for _, c := range []struct {
		to   string
		code int
	}{{"bob", 30539}, {"carol", 30516}} {
		f := sns.NewFriend(c.to)
		f.SetAddSource("Web")
		if err := s.AddFriend("alice", true, false, f); codeOf(err) != c.code {
			t.Errorf("AddFriend %s: %v (code %d), want %d", c.to, err, codeOf(err), c.code)
		}
		if err := s.AddFriend("alice", true, true, f); err != nil {
			t.Errorf("forced AddFriend %s: %v", c.to, err)
		}
		if rel, err := s.CheckFriend("alice", sns.CheckTypeBoth, c.to); err != nil || rel != "CheckResult_Type_BothWay" {
			t.Errorf("CheckFriend %s: %q %v", c.to, rel, err)
		}
	}
}
