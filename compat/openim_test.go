package compat

import (
	"testing"
	"time"

	"github.com/dobyte/tencent-im/private"
)

// Ensure the SDK's one-to-one message calls work against timd as against
// Tencent: sendmsg answers MsgTime and MsgKey, batchsendmsg one MsgKey and
// the unknown recipients in ErrorList (70107), admin_getroammsg pages back
// through a conversation with the SDK's own continuation (it sends the
// request's older names From_Account and To_Account), recall, read and
// unread counts.
func TestDobyte_C2CMessages(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol"); err != nil {
		t.Fatal(err)
	}
	p := sdk.Private()
	start := time.Now().Unix()
	var keys []string
	for _, text := range []string{"one", "two", "three", "four", "five"} {
		m := private.NewMessage()
		m.SetSender("alice")
		m.SetReceivers("bob")
		m.SetContent(private.MsgTextContent{Text: text})
		ret, err := p.SendMessage(m)
		if err != nil || ret.MsgKey == "" || int64(ret.MsgTime) < start {
			t.Fatalf("SendMessage %s: %+v %v", text, ret, err)
		}
		keys = append(keys, ret.MsgKey)
	}
	unknown := private.NewMessage()
	unknown.SetSender("alice")
	unknown.SetReceivers("nobody")
	unknown.SetContent(private.MsgTextContent{Text: "x"})
	if _, err := p.SendMessage(unknown); codeOf(err) != 90012 {
		t.Fatalf("SendMessage to an unknown account: %v, want 90012", err)
	}
	batch := private.NewMessage()
	batch.SetSender("alice")
	batch.SetReceivers("bob", "carol", "nobody")
	batch.SetContent(private.MsgTextContent{Text: "to all"})
	ret, err := p.SendMessages(batch)
	if err != nil || ret.MsgKey == "" || len(ret.Errors) != 1 || ret.Errors[0].UserId != "nobody" || ret.Errors[0].ErrorCode != 70107 {
		t.Fatalf("SendMessages: %+v %v", ret, err)
	}
	sdkRoam(t, p, start)
	sdkRecallAndRead(t, p, keys[0])
}

// sdkRoam pages through alice and bob's six messages, two at a time, with
// the SDK's PullMessages (MaxTime = the last page's LastMsgTime, with its
// LastMsgKey).
func sdkRoam(t *testing.T, p private.API, start int64) {
	got := 0
	pages := 0
	err := p.PullMessages(&private.PullMessagesArg{FromUserId: "bob", ToUserId: "alice", MaxLimited: 2,
		MinTime: start - 1, MaxTime: time.Now().Unix() + 1}, func(ret *private.FetchMessagesRet) {
		pages++
		got += len(ret.List)
		for _, m := range ret.List {
			if m.FromUserId != "alice" || m.ToUserId != "bob" || m.MsgKey == "" || len(m.MsgBody) != 1 {
				t.Errorf("message %+v", m)
			}
		}
	})
	if err != nil || got != 6 || pages != 3 {
		t.Fatalf("PullMessages: %d messages in %d pages, %v; want 6 in 3", got, pages, err)
	}
}

// sdkRecallAndRead recalls alice's first message to bob, then checks bob's
// unread count before and after he reads the conversation.
func sdkRecallAndRead(t *testing.T, p private.API, key string) {
	if err := p.RevokeMessage("alice", "bob", key); err != nil {
		t.Fatalf("RevokeMessage: %v", err)
	}
	if err := p.RevokeMessage("alice", "bob", key); codeOf(err) != 20023 {
		t.Fatalf("RevokeMessage again: %v, want 20023", err)
	}
	unread, err := p.GetUnreadMessageNum("bob", "alice")
	if err != nil || len(unread.Results) != 1 || unread.Results["alice"] != 5 {
		t.Fatalf("GetUnreadMessageNum: %+v %v, want 5 from alice (6 sent, 1 recalled)", unread, err)
	}
	if err := p.SetMessageRead("bob", "alice"); err != nil {
		t.Fatalf("SetMessageRead: %v", err)
	}
	if unread, err = p.GetUnreadMessageNum("bob"); err != nil || unread.Total != 0 {
		t.Fatalf("GetUnreadMessageNum after reading: %+v %v", unread, err)
	}
}
