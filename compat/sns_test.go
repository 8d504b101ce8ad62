package compat

import (
	"testing"

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
