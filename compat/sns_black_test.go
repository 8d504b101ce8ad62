package compat

import (
	"testing"

	"github.com/dobyte/tencent-im/sns"
)

// Ensure the SDK's friend_update, friend_get_list and friend_delete_all
// calls work against timd: a remark, lists and a custom field updated and
// read back, a non-friend answered 30001, and every friend removed.
func TestDobyte_FriendUpdate(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol"); err != nil {
		t.Fatal(err)
	}
	s := sdk.SNS()
	f := sns.NewFriend("bob")
	f.SetAddSource("Web")
	if err := s.AddFriend("alice", true, true, f); err != nil {
		t.Fatalf("AddFriend: %v", err)
	}
	u := sns.NewFriend("bob")
	u.SetRemark("Bobby")
	u.SetGroup("family", "work")
	u.SetSNSCustomAttr("Level", "gold")
	if err := s.UpdateFriend("alice", u); err != nil {
		t.Fatalf("UpdateFriend: %v", err)
	}
	if err := s.UpdateFriend("alice", sns.NewFriend("carol")); codeOf(err) != 30001 {
		t.Fatalf("UpdateFriend without fields: %v, want 30001", err)
	}
	got, err := s.GetFriends("alice", []string{sns.FriendAttrRemark, sns.FriendAttrGroup, "Tag_SNS_Custom_Level"}, "bob", "carol")
	if err != nil || len(got) != 2 {
		t.Fatalf("GetFriends: %+v %v", got, err)
	}
	remark, _ := got[0].GetRemark()
	groups, _ := got[0].GetGroup()
	// The SDK files what it reads under the tag, not as a custom attr.
	level, _ := got[0].GetAttr("Tag_SNS_Custom_Level")
	if remark != "Bobby" || len(groups) != 2 || groups[0] != "family" || level != "gold" {
		t.Errorf("bob read back: remark %q, groups %v, level %v", remark, groups, level)
	}
	if codeOf(got[1].GetError()) != 30001 {
		t.Errorf("carol, not a friend: %v", got[1].GetError())
	}
	if err := s.DeleteAllFriends("alice", sns.DeleteTypeBoth); err != nil {
		t.Fatalf("DeleteAllFriends: %v", err)
	}
	if relation, err := s.CheckFriend("alice", sns.CheckTypeBoth, "bob"); err != nil || relation != "CheckResult_Type_NoRelation" {
		t.Fatalf("CheckFriend after DeleteAllFriends: %q %v", relation, err)
	}
}

// Ensure the SDK's blocklist calls work against timd: accounts blocked,
// checked both ways, pulled page by page, and unblocked.
func TestDobyte_Blacklist(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol", "dave"); err != nil {
		t.Fatal(err)
	}
	s := sdk.SNS()
	results, err := s.AddBlacklist("alice", "bob", "carol", "dave")
	if err != nil || len(results) != 3 || results[0].ResultCode != 0 {
		t.Fatalf("AddBlacklist: %+v %v", results, err)
	}
	if results, err = s.AddBlacklist("bob", "alice"); err != nil || results[0].ResultCode != 0 {
		t.Fatalf("AddBlacklist bob: %+v %v", results, err)
	}
	checks, err := s.CheckBlacklist("alice", sns.BlacklistCheckTypeBoth, "bob", "carol")
	if err != nil || len(checks) != 2 || checks[0].Relation != sns.BlackCheckResultTypeBothWay || checks[1].Relation != sns.BlackCheckResultTypeAWithB {
		t.Fatalf("CheckBlacklist: %+v %v", checks, err)
	}
	sdkPullAndUnblock(t, s)
}

// sdkPullAndUnblock pulls alice's blocklist two at a time, unblocks bob
// (and someone never blocked, 30001) and fetches what is left.
func sdkPullAndUnblock(t *testing.T, s sns.API) {
	var pulled []string
	err := s.PullBlacklist("alice", 2, func(ret *sns.FetchBlacklistRet) {
		for _, b := range ret.List {
			pulled = append(pulled, b.UserId)
		}
	})
	if err != nil || len(pulled) != 3 || pulled[0] != "bob" || pulled[2] != "dave" {
		t.Fatalf("PullBlacklist: %v %v", pulled, err)
	}
	results, err := s.DeleteBlacklist("alice", "bob", "nobody")
	if err != nil || len(results) != 2 || results[0].ResultCode != 0 || results[1].ResultCode != 30001 {
		t.Fatalf("DeleteBlacklist: %+v %v", results, err)
	}
	ret, err := s.FetchBlacklist("alice", 10)
	if err != nil || len(ret.List) != 2 || ret.HasMore {
		t.Fatalf("FetchBlacklist: %+v %v", ret, err)
	}
}
