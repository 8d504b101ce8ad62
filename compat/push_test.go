package compat

import (
	"testing"

	"github.com/dobyte/tencent-im/group"
	"github.com/dobyte/tencent-im/push"
)

// Ensure the SDK's all-member push calls work against timd as against
// Tencent. SetAttrNames, GetAttrNames, DeleteUserAllTags and PushMessage
// send what Tencent's pages give and are answered. The other six send or
// read the list under a name of the SDK's own (Attrs, Tags) where
// Tencent's pages, old and new, say UserAttrs and UserTags: timd refuses
// the requests as missing their list (90001) and the SDK finds no list in
// the replies, as against Tencent.
func TestDobyte_Push(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob"); err != nil {
		t.Fatal(err)
	}
	p := sdk.Push()
	if err := p.SetAttrNames(map[int]string{0: "sex", 1: "city"}); err != nil {
		t.Fatalf("SetAttrNames: %v", err)
	}
	names, err := p.GetAttrNames()
	if err != nil || len(names) != 2 || names[0] != "sex" || names[1] != "city" {
		t.Fatalf("GetAttrNames: %v %v", names, err)
	}
	if err := p.SetUserAttrs(map[string]map[string]interface{}{"alice": {"sex": "f"}}); codeOf(err) != 90001 {
		t.Errorf("SetUserAttrs (sends Attrs): %v, want 90001", err)
	}
	if err := p.DeleteUserAttrs(map[string][]string{"alice": {"sex"}}); codeOf(err) != 90001 {
		t.Errorf("DeleteUserAttrs (sends Attrs): %v, want 90001", err)
	}
	if attrs, err := p.GetUserAttrs("alice"); err != nil || len(attrs) != 0 {
		t.Errorf("GetUserAttrs (reads Attrs): %v %v, want no error and nothing read", attrs, err)
	}
	if err := p.AddUserTags(map[string][]string{"alice": {"a"}}); codeOf(err) != 90001 {
		t.Errorf("AddUserTags (sends Tags): %v, want 90001", err)
	}
	if err := p.DeleteUserTags(map[string][]string{"alice": {"a"}}); codeOf(err) != 90001 {
		t.Errorf("DeleteUserTags (sends Tags): %v, want 90001", err)
	}
	if tags, err := p.GetUserTags("alice"); err != nil || len(tags) != 0 {
		t.Errorf("GetUserTags (reads Tags): %v %v, want no error and nothing read", tags, err)
	}
	if err := p.DeleteUserAllTags("alice", "bob"); err != nil {
		t.Errorf("DeleteUserAllTags: %v", err)
	}
	sdkPushMessage(t, p)
}

// sdkPushMessage pushes alice's message to the accounts tagged "a", then
// the same MsgRandom again, which answers the first TaskId.
func sdkPushMessage(t *testing.T, p push.API) {
	m := push.NewMessage()
	m.SetSender("alice")
	m.SetLifeTime(120)
	m.SetContent(push.MsgTextContent{Text: "hi, beauty"})
	m.SetConditionTagsOr("a")
	task, err := p.PushMessage(m)
	if err != nil || task == "" {
		t.Fatalf("PushMessage: %q %v", task, err)
	}
	again := push.NewMessage()
	again.SetSender("alice")
	again.SetRandom(m.GetRandom())
	again.SetContent(push.MsgTextContent{Text: "hi, beauty"})
	if repeated, err := p.PushMessage(again); err != nil || repeated != task {
		t.Errorf("PushMessage with the same MsgRandom: %q %v, want %q", repeated, err, task)
	}
}

// Ensure the SDK's GetOnlineMemberNum and GetIPList are answered: 0 online
// members (timd keeps no client sessions), 10010 for an unknown group, and
// the addresses timd listens on.
func TestDobyte_OnlineAndIPList(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	ng := group.NewGroup()
	ng.SetName("Live")
	ng.SetGroupType(group.TypeLiveRoom)
	id, err := sdk.Group().CreateGroup(ng)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := sdk.Group().GetOnlineMemberNum(id); err != nil || n != 0 {
		t.Errorf("GetOnlineMemberNum: %d %v", n, err)
	}
	if _, err := sdk.Group().GetOnlineMemberNum("nosuch"); codeOf(err) != 10010 {
		t.Errorf("GetOnlineMemberNum of an unknown group: %v, want 10010", err)
	}
	ips, err := sdk.Operation().GetIPList()
	if err != nil || len(ips) != 1 || ips[0] != "127.0.0.1" {
		t.Errorf("GetIPList: %v %v", ips, err)
	}
}
