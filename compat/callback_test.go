// Package compat drives timd with clients it did not write: the third-party
// dobyte/tencent-im Go SDK (test-only dependency of this separate module).
package compat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/dobyte/tencent-im/callback"

	tcallback "github.com/timd/timd/internal/callback"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

// Ensure the dobyte SDK's callback receiver accepts timd's
// Group.CallbackAfterGroupDestroyed and parses every field of it.
func TestDobyte_CallbackAfterGroupDestroyed(t *testing.T) {
	const appID = 1400000066
	got := make(chan *callback.AfterGroupDestroyed, 1)
	rcv := callback.NewCallback(appID)
	rcv.Register(callback.EventAfterGroupDestroyed, func(ack callback.Ack, data interface{}) {
		got <- data.(*callback.AfterGroupDestroyed)
		if err := ack.AckSuccess(0); err != nil {
			t.Error(err)
		}
	})
	srv := httptest.NewServer(http.HandlerFunc(rcv.Listen))
	defer srv.Close()

	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "timd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	app := &im.App{SDKAppID: appID, SecretKey: "k", Admins: []string{"administrator"},
		Callback: im.CallbackConfig{URL: srv.URL + "/callback", Token: "tok", Retry: []time.Duration{0, 10 * time.Millisecond}}}
	op := im.Op{App: app, Operator: "administrator", ClientIP: "127.0.0.1"}
	if err := db.ImportAccounts(ctx, appID, []im.AccountImport{{UserID: "leckie"}, {UserID: "peter"}, {UserID: "bob"}}); err != nil {
		t.Fatal(err)
	}
	ng := im.NewGroup{Group: im.Group{GroupID: "MyFirstGroup", Type: im.GroupPublic, Name: "MyFirstGroup", Owner: "leckie",
		MaxMemberNum: 2000, ApplyJoin: "NeedPermission", InviteJoin: "NeedPermission"}, CustomID: true,
		Members: []im.Member{{UserID: "peter", Role: im.RoleMember}, {UserID: "bob", Role: im.RoleMember}}}
	if _, err := db.CreateGroup(ctx, im.Op{App: &im.App{SDKAppID: appID}}, ng); err != nil {
		t.Fatal(err)
	}
	if err := db.DestroyGroup(ctx, op, "MyFirstGroup"); err != nil {
		t.Fatal(err)
	}

	sender := tcallback.NewSender(tcallback.Options{Store: db, Apps: []*im.App{app}, Poll: 10 * time.Millisecond})
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { sender.Run(runCtx); close(done) }()
	defer func() { stop(); <-done }()

	select {
	case ev := <-got:
		checkParsedDestroyed(t, ev)
	case <-time.After(10 * time.Second):
		t.Fatal("the SDK's receiver got no Group.CallbackAfterGroupDestroyed")
	}
	// The SDK acknowledged: the event is delivered.
	deadline := time.Now().Add(5 * time.Second)
	for {
		evs, err := db.ListEvents(ctx, appID, im.EventFilter{State: im.EventDelivered})
		if err == nil && len(evs) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("event not marked delivered: %v %v", evs, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// checkParsedDestroyed checks the SDK parsed every field of the dismissal of
// MyFirstGroup, owned by leckie, with peter and bob.
func checkParsedDestroyed(t *testing.T, ev *callback.AfterGroupDestroyed) {
	if ev.CallbackCommand != im.CallbackAfterGroupDestroyed || ev.GroupId != "MyFirstGroup" || ev.Type != "Public" ||
		ev.Name != "MyFirstGroup" || ev.OwnerUserId != "leckie" || len(ev.MemberList) != 3 ||
		ev.MemberList[0].UserId != "leckie" || ev.MemberList[1].UserId != "peter" || ev.MemberList[2].UserId != "bob" {
		t.Fatalf("the SDK parsed %+v", ev)
	}
}
