package compat

import (
	"testing"
	"time"

	"github.com/dobyte/tencent-im/group"
	"github.com/dobyte/tencent-im/private"
)

// Ensure the SDK's group message calls work against timd as against
// Tencent: send (MsgSeq from 1, MsgTime now), a system notification, the
// history newest first with its paging, recall, import and deleting a
// sender's messages.
func TestDobyte_GroupMessages(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol", "dave"); err != nil {
		t.Fatal(err)
	}
	g := sdk.Group()
	id := sdkCreateGroup(t, g)
	before := time.Now().Unix()
	for i, text := range []string{"one", "two", "three"} {
		m := group.NewMessage()
		m.SetSender("bob")
		m.SetContent(private.MsgTextContent{Text: text})
		ret, err := g.SendMessage(id, m)
		if err != nil || ret.MsgSeq != i+1 || int64(ret.MsgTime) < before || int64(ret.MsgTime) > time.Now().Unix() {
			t.Fatalf("SendMessage %s: %+v %v", text, ret, err)
		}
	}
	stranger := group.NewMessage()
	stranger.SetSender("dave")
	stranger.SetContent(private.MsgTextContent{Text: "not a member"})
	if _, err := g.SendMessage(id, stranger); codeOf(err) != 10007 {
		t.Fatalf("SendMessage by a non-member: %v, want 10007", err)
	}
	if err := g.SendNotification(id, "hello all"); err != nil {
		t.Fatalf("SendNotification: %v", err)
	}
	sdkGroupHistory(t, g, id)
	sdkGroupRecallAndDelete(t, g, id)
}

// sdkGroupHistory pages group id's three messages through the SDK, two to
// a page. The SDK (v0.1.1) never fills FetchMessagesRet.List from the
// reply, so only the paging it derives from the reply is checked: the
// lowest seq of a page, and a full page meaning there may be more.
func sdkGroupHistory(t *testing.T, g group.API, id string) {
	page, err := g.FetchMessages(id, 2)
	if err != nil || page.IsFinished != 1 || !page.HasMore || page.NextSeq != 1 {
		t.Fatalf("FetchMessages: %+v %v", page, err)
	}
	rest, err := g.FetchMessages(id, 2, page.NextSeq)
	if err != nil || rest.HasMore || rest.NextSeq != 0 {
		t.Fatalf("FetchMessages from %d: %+v %v", page.NextSeq, rest, err)
	}
	pages := 0
	if err := g.PullMessages(id, 2, func(*group.FetchMessagesRet) { pages++ }); err != nil || pages != 2 {
		t.Fatalf("PullMessages: %d pages, %v", pages, err)
	}
}

// sdkGroupRecallAndDelete recalls message 2, imports a message and deletes
// bob's messages through the SDK.
func sdkGroupRecallAndDelete(t *testing.T, g group.API, id string) {
	// The SDK reads the per-message results under "Results", where Tencent's
	// page (and timd) answer "RecallRetList": the call succeeds, the map
	// stays empty.
	if _, err := g.RevokeMessages(id, 2); err != nil {
		t.Fatalf("RevokeMessages: %v", err)
	}
	if err := g.RevokeMessage(id, 99); err != nil {
		t.Fatalf("RevokeMessage of a missing seq: %v (per-message codes are not errors)", err)
	}
	// A page is a range of seqs: 3 and 2, of which the recalled 2 is left
	// out, so the page holds only 3; the next range holds 1.
	if page, err := g.FetchMessages(id, 2); err != nil || page.NextSeq != 2 || page.HasMore {
		t.Fatalf("after the recall, FetchMessages: %+v %v", page, err)
	}
	if page, err := g.FetchMessages(id, 2, 2); err != nil || page.NextSeq != 0 {
		t.Fatalf("after the recall, FetchMessages from 2: %+v %v", page, err)
	}
	// An imported message must be later than the group's latest message
	// and earlier than now (Tencent's rule): one second on, the second
	// before now is both.
	time.Sleep(2 * time.Second)
	m := group.NewMessage()
	m.SetSender("carol")
	m.SetSendTime(time.Now().Unix() - 1)
	m.SetContent(private.MsgTextContent{Text: "imported"})
	results, err := g.ImportMessages(id, m)
	if err != nil || len(results) != 1 || results[0].MsgSeq != 4 || results[0].Result != 0 {
		t.Fatalf("ImportMessages: %+v %v", results, err)
	}
	if err := g.RevokeMemberMessages(id, "bob"); err != nil {
		t.Fatalf("RevokeMemberMessages: %v", err)
	}
	if err := g.RevokeMemberMessages("@TGS#nosuchgroup", "bob"); codeOf(err) != 10010 {
		t.Fatalf("RevokeMemberMessages in a missing group: %v, want 10010", err)
	}
}
