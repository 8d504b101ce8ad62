package compat

import (
	"testing"
	"time"

	"github.com/dobyte/tencent-im/group"
	"github.com/dobyte/tencent-im/private"
)

// Ensure the SDK's group administration calls work against timd as against
// Tencent: UpdateMember (role, name card, message option, custom fields),
// GetRolesInGroup, ForbidSendMessage and AllowSendMessage with
// GetShuttedUpMembers (the older get_group_shutted_uin), ImportGroup,
// ImportMembers and SetMemberUnreadMsgNum.
func TestDobyte_GroupAdmin(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol", "dave"); err != nil {
		t.Fatal(err)
	}
	g := sdk.Group()
	id := sdkCreateGroup(t, g)

	m := group.NewMember("bob")
	m.SetRole("Admin")
	m.SetNameCard("bobby")
	m.SetMsgFlag(group.MsgFlagAcceptNotNotify)
	if err := g.UpdateMember(id, m); err != nil {
		t.Fatalf("UpdateMember: %v", err)
	}
	ret, err := g.FetchMembers(id, 10, 0)
	if err != nil || len(ret.List) != 2 || ret.List[1].GetRole() != "Admin" || ret.List[1].GetNameCard() != "bobby" ||
		ret.List[1].GetMsgFlag() != group.MsgFlagAcceptNotNotify {
		t.Fatalf("FetchMembers after UpdateMember: %+v %v", ret, err)
	}
	if err := g.UpdateMember(id, group.NewMember("dave")); codeOf(err) != 10004 {
		t.Fatalf("UpdateMember of a non-member: %v, want 10004", err)
	}
	roles, err := g.GetRolesInGroup(id, []string{"alice", "bob", "dave"})
	if err != nil || roles["alice"] != "Owner" || roles["bob"] != "Admin" || roles["dave"] != "NotMember" {
		t.Fatalf("GetRolesInGroup: %v %v", roles, err)
	}
	sdkGroupMute(t, g, id)
	sdkGroupImport(t, g)
}

// sdkGroupMute mutes bob in group id, checks the mute through the SDK and
// send_group_msg, and lifts it.
func sdkGroupMute(t *testing.T, g group.API, id string) {
	before := time.Now().Unix()
	if err := g.ForbidSendMessage(id, []string{"bob"}, 600); err != nil {
		t.Fatalf("ForbidSendMessage: %v", err)
	}
	muted, err := g.GetShuttedUpMembers(id)
	if err != nil || len(muted) != 1 || muted["bob"] < before+600 || muted["bob"] > time.Now().Unix()+600 {
		t.Fatalf("GetShuttedUpMembers: %v %v", muted, err)
	}
	msg := group.NewMessage()
	msg.SetSender("bob")
	msg.SetContent(private.MsgTextContent{Text: "hi"})
	if _, err := g.SendMessage(id, msg); codeOf(err) != 10017 {
		t.Fatalf("SendMessage by a muted member: %v, want 10017", err)
	}
	if err := g.AllowSendMessage(id, []string{"bob"}); err != nil {
		t.Fatalf("AllowSendMessage: %v", err)
	}
	if muted, err := g.GetShuttedUpMembers(id); err != nil || len(muted) != 0 {
		t.Fatalf("GetShuttedUpMembers after AllowSendMessage: %v %v", muted, err)
	}
	if _, err := g.SendMessage(id, msg); err != nil {
		t.Fatalf("SendMessage once unmuted: %v", err)
	}
}

// sdkGroupImport imports a group and its members and sets an unread count.
func sdkGroupImport(t *testing.T, g group.API) {
	ng := group.NewGroup("Imported")
	ng.SetName("old group")
	ng.SetGroupType(group.TypePublic)
	ng.SetOwner("alice")
	ng.SetCreateTime(1500000000)
	id, err := g.ImportGroup(ng)
	if err != nil || id != "Imported" {
		t.Fatalf("ImportGroup: %q %v", id, err)
	}
	// The SDK sends CreateTime 0 when none is set: now.
	auto := group.NewGroup()
	auto.SetName("auto")
	auto.SetGroupType(group.TypePrivate)
	if id, err := g.ImportGroup(auto); err != nil || id == "" {
		t.Fatalf("ImportGroup without a CreateTime: %q %v", id, err)
	}
	bob := group.NewMember("bob")
	bob.SetRole("Admin")
	bob.SetJoinTime(time.Unix(1500000100, 0))
	bob.SetUnreadMsgNum(3)
	results, err := g.ImportMembers("Imported", bob, group.NewMember("carol"), group.NewMember("alice"))
	if err != nil || len(results) != 3 || results[0].Result != 1 || results[1].Result != 1 || results[2].Result != 2 {
		t.Fatalf("ImportMembers: %+v %v", results, err)
	}
	if err := g.SetMemberUnreadMsgNum("Imported", "carol", 5); err != nil {
		t.Fatalf("SetMemberUnreadMsgNum: %v", err)
	}
	if err := g.SetMemberUnreadMsgNum("Imported", "dave", 5); codeOf(err) != 10004 {
		t.Fatalf("SetMemberUnreadMsgNum of a non-member: %v, want 10004", err)
	}
	ret, err := g.FetchMembers("Imported", 10, 0)
	if err != nil || len(ret.List) != 3 || ret.List[1].GetRole() != "Admin" || ret.List[1].GetJoinTime().Unix() != 1500000100 {
		t.Fatalf("FetchMembers of the imported group: %+v %v", ret, err)
	}
}

// Ensure the SDK's global mute calls work against timd: SetNoSpeaking,
// GetNoSpeaking, and a muted account's messages refused (20012 one-to-one,
// 10017 in a group).
func TestDobyte_NoSpeaking(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob"); err != nil {
		t.Fatal(err)
	}
	forever, hour := uint(4294967295), uint(3600)
	if err := sdk.Mute().SetNoSpeaking("bob", &forever, &hour); err != nil {
		t.Fatalf("SetNoSpeaking: %v", err)
	}
	got, err := sdk.Mute().GetNoSpeaking("bob")
	if err != nil || got.PrivateMuteTime != forever || got.GroupMuteTime != hour {
		t.Fatalf("GetNoSpeaking: %+v %v", got, err)
	}
	msg := private.NewMessage()
	msg.SetSender("bob")
	msg.SetReceivers("alice")
	msg.SetContent(private.MsgTextContent{Text: "hi"})
	if _, err := sdk.Private().SendMessage(msg); codeOf(err) != 20012 {
		t.Fatalf("SendMessage by a muted account: %v, want 20012", err)
	}
	zero := uint(0)
	if err := sdk.Mute().SetNoSpeaking("bob", &zero, nil); err != nil {
		t.Fatalf("SetNoSpeaking 0: %v", err)
	}
	if got, err := sdk.Mute().GetNoSpeaking("bob"); err != nil || got.PrivateMuteTime != 0 || got.GroupMuteTime != hour {
		t.Fatalf("GetNoSpeaking after lifting: %+v %v", got, err)
	}
	if _, err := sdk.Private().SendMessage(msg); err != nil {
		t.Fatalf("SendMessage once lifted: %v", err)
	}
	if _, err := sdk.Mute().GetNoSpeaking("ghost"); codeOf(err) != 90001 {
		t.Fatalf("GetNoSpeaking of an unknown account: %v, want 90001", err)
	}
}
