package compat

import (
	"testing"
	"time"

	"github.com/dobyte/tencent-im/group"
	"github.com/dobyte/tencent-im/private"
	"github.com/dobyte/tencent-im/recentcontact"
	"github.com/dobyte/tencent-im/sns"
)

// Ensure the SDK's conversation calls work against timd: FetchSessions
// lists alice's conversations, newest first, built from her messages; and
// DeleteSession, which sends the type as lower-case "type" (Tencent's key
// is "Type"), is answered 50002 as Tencent's exact keys would answer it.
func TestDobyte_Sessions(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol"); err != nil {
		t.Fatal(err)
	}
	for _, to := range []string{"bob", "carol"} {
		m := private.NewMessage()
		m.SetSender("alice")
		m.SetReceivers(to)
		m.SetContent(private.MsgTextContent{Text: "hi " + to})
		if _, err := sdk.Private().SendMessage(m); err != nil {
			t.Fatal(err)
		}
	}
	rc := sdk.RecentContact()
	ret, err := rc.FetchSessions(&recentcontact.FetchSessionsArg{UserId: "alice", IsAllowTopSession: true})
	if err != nil || len(ret.List) != 2 || ret.HasMore {
		t.Fatalf("FetchSessions: %+v %v", ret, err)
	}
	for _, s := range ret.List {
		if s.Type != recentcontact.SessionTypeC2C || (s.UserId != "bob" && s.UserId != "carol") || s.MsgTime == 0 {
			t.Errorf("session %+v", s)
		}
	}
	if err := rc.DeleteSession("alice", "bob", recentcontact.SessionTypeC2C); codeOf(err) != 50002 {
		t.Fatalf("DeleteSession: %v, want 50002 (the SDK sends \"type\")", err)
	}
}

// Ensure the SDK's friend import and paged friend list work against timd.
func TestDobyte_FriendImportAndFetch(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol"); err != nil {
		t.Fatal(err)
	}
	f := sns.NewFriend("bob")
	f.SetAddSource("Web")
	f.SetRemark("Bobby")
	if err := sdk.SNS().ImportFriend("alice", f); err != nil {
		t.Fatalf("ImportFriend: %v", err)
	}
	unknown := sns.NewFriend("nobody")
	unknown.SetAddSource("Web")
	if err := sdk.SNS().ImportFriend("alice", unknown); codeOf(err) != 30003 {
		t.Fatalf("ImportFriend of an unknown account: %v, want 30003", err)
	}
	ret, err := sdk.SNS().FetchFriends("alice", 0)
	if err != nil || ret.Total != 1 || len(ret.List) != 1 || ret.List[0].GetUserId() != "bob" || ret.HasMore {
		t.Fatalf("FetchFriends: %+v %v", ret, err)
	}
	if remark, ok := ret.List[0].GetRemark(); !ok || remark != "Bobby" {
		t.Fatalf("FetchFriends: remark %q %v", remark, ok)
	}
}

// Ensure the SDK's joined-group list and one-to-one history import work
// against timd.
func TestDobyte_JoinedGroupsAndImport(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol", "dave"); err != nil {
		t.Fatal(err)
	}
	id := sdkCreateGroup(t, sdk.Group())
	ret, err := sdk.Group().FetchMemberGroups(&group.FetchMemberGroupsArg{UserId: "bob"})
	if err != nil || ret.Total != 1 || len(ret.List) != 1 || ret.List[0].GetGroupId() != id {
		t.Fatalf("FetchMemberGroups: %+v %v", ret, err)
	}
	m := private.NewMessage()
	m.SetSender("alice")
	m.SetReceivers("bob")
	m.SetTimestamp(time.Now().Unix() - 3600)
	m.SetSyncOtherMachine(private.SyncOtherMachineNo) // sent as SyncFromOldSystem 2: history
	m.SetContent(private.MsgTextContent{Text: "from the old system"})
	if err := sdk.Private().ImportMessage(m); err != nil {
		t.Fatalf("ImportMessage: %v", err)
	}
	got, err := sdk.Private().FetchMessages(&private.FetchMessagesArg{FromUserId: "bob", ToUserId: "alice", MaxLimited: 10,
		MinTime: time.Now().Unix() - 7200, MaxTime: time.Now().Unix()})
	if err != nil || got.Count != 1 || len(got.List) != 1 || got.List[0].FromUserId != "alice" {
		t.Fatalf("FetchMessages after the import: %+v %v", got, err)
	}
}
