package compat

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"testing"
	"unsafe"

	dobyte "github.com/dobyte/tencent-im"
	"github.com/dobyte/tencent-im/account"
	"github.com/dobyte/tencent-im/group"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/sqlstore"
)

const (
	sdkAppID = 1400000099
	sdkKey   = "compat-secret-key"
)

// startTimd serves timd's REST API in-process on a fresh SQLite store.
func startTimd(t *testing.T) string {
	t.Helper()
	return startTimdServer(t).URL
}

// startTimdServer is startTimd returning the test server, whose handler is
// timd's.
func startTimdServer(t *testing.T) *httptest.Server {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "timd.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	app := &im.App{SDKAppID: sdkAppID, SecretKey: sdkKey, Admins: []string{"administrator"}, Edition: im.EditionUltimate, Control: true,
		ProfileFields: []im.ProfileField{{Name: "Motto", Type: im.ProfileFieldString}, {Name: "Score", Type: im.ProfileFieldInteger}}}
	if err := db.EnsureAccounts(context.Background(), sdkAppID, app.Admins); err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	// ConfigSvc/GetIPList answers the test server's address.
	ipList := func() []string {
		host, _, _ := net.SplitHostPort(srv.Listener.Addr().String())
		return []string{host}
	}
	srv = httptest.NewServer(api.NewServer(api.Options{Apps: []*im.App{app}, Store: db, RateLimit: api.RateOff, IPList: ipList}).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// newSDK returns the dobyte SDK pointed at base. The SDK has no option for
// its host, so this reaches its unexported HTTP client by reflection and
// calls that client's exported SetBaseUrl. It depends on v0.1.1's field
// names: *im.im field "client" (core.Client) → *core.client field "client"
// (*dobyte/http.Client).
func newSDK(t *testing.T, base string) dobyte.IM {
	t.Helper()
	sdk := dobyte.NewIM(&dobyte.Options{AppId: sdkAppID, AppSecret: sdkKey, UserId: "administrator", Expiration: 3600})
	core := reflect.ValueOf(sdk).Elem().FieldByName("client").Elem().Elem()
	hc := core.FieldByName("client")
	hc = reflect.NewAt(hc.Type(), unsafe.Pointer(hc.UnsafeAddr())).Elem()
	hc.MethodByName("SetBaseUrl").Call([]reflect.Value{reflect.ValueOf(base)})
	return sdk
}

// codeOf returns the Tencent code of an SDK error, 0 for nil.
func codeOf(err error) int {
	if err == nil {
		return 0
	}
	var e interface{ Code() int }
	if errors.As(err, &e) {
		return e.Code()
	}
	return -1
}

// Ensure the SDK's account calls work against timd as against Tencent.
func TestDobyte_Accounts(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	acc := sdk.Account()
	if err := acc.ImportAccount(&accountWithNick); err != nil {
		t.Fatalf("ImportAccount: %v", err)
	}
	fail, err := acc.ImportAccounts("bob", "carol", "this-id-is-much-longer-than-32-bytes")
	if err != nil || len(fail) != 1 || fail[0] != "this-id-is-much-longer-than-32-bytes" {
		t.Fatalf("ImportAccounts: %v %v", fail, err)
	}
	if ok, err := acc.CheckAccount("alice"); err != nil || !ok {
		t.Fatalf("CheckAccount(alice): %v %v", ok, err)
	}
	checks, err := acc.CheckAccounts("bob", "nobody")
	if err != nil || len(checks) != 2 {
		t.Fatalf("CheckAccounts: %v %v", checks, err)
	}
	if err := acc.DeleteAccount("carol"); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	if ok, _ := acc.CheckAccount("carol"); ok {
		t.Fatal("carol still imported")
	}
	results, err := acc.DeleteAccounts("bob", "nobody")
	if err != nil || len(results) != 2 {
		t.Fatalf("DeleteAccounts: %v %v", results, err)
	}
}

// Ensure the SDK's group calls work against timd: create with members,
// read, add and remove members, page, change owner, update, dismiss, and a
// dismissed group answers 10010.
func TestDobyte_Groups(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob", "carol", "dave"); err != nil {
		t.Fatal(err)
	}
	g := sdk.Group()
	id := sdkCreateGroup(t, g)
	sdkGroupMembers(t, g, id)
	sdkGroupOwnerAndUpdate(t, g, id)
	sdkDismissGroup(t, g, id)
}

// sdkCreateGroup creates alice's Public group with bob through the SDK,
// reads it back, and returns its id.
func sdkCreateGroup(t *testing.T, g group.API) string {
	ng := group.NewGroup()
	ng.SetName("MyFirstGroup")
	ng.SetGroupType(group.TypePublic)
	ng.SetOwner("alice")
	ng.SetIntroduction("intro")
	ng.SetMembers(group.NewMember("bob"))
	id, err := g.CreateGroup(ng)
	if err != nil || id == "" {
		t.Fatalf("CreateGroup: %q %v", id, err)
	}
	got, err := g.GetGroup(id)
	if err != nil || got.GetName() != "MyFirstGroup" || got.GetOwner() != "alice" || got.GetMemberNum() != 2 {
		t.Fatalf("GetGroup: %+v %v", got, err)
	}
	return id
}

// sdkGroupMembers adds carol, dave and bob (already a member), deletes
// dave, and pages the members of group id through the SDK.
func sdkGroupMembers(t *testing.T, g group.API, id string) {
	added, err := g.AddMembers(id, []string{"carol", "dave", "bob"})
	if err != nil || len(added) != 3 || added[0].Result != 1 || added[2].Result != 2 {
		t.Fatalf("AddMembers: %+v %v", added, err)
	}
	if err := g.DeleteMembers(id, []string{"dave"}); err != nil {
		t.Fatalf("DeleteMembers: %v", err)
	}
	members, err := g.FetchMembers(id, 10, 0)
	if err != nil || members.Total != 3 || len(members.List) != 3 {
		t.Fatalf("FetchMembers: %+v %v", members, err)
	}
}

// sdkGroupOwnerAndUpdate makes bob the owner of group id, renames it, and
// lists the app's groups through the SDK.
func sdkGroupOwnerAndUpdate(t *testing.T, g group.API, id string) {
	if err := g.ChangeGroupOwner(id, "bob"); err != nil {
		t.Fatalf("ChangeGroupOwner: %v", err)
	}
	upd := group.NewGroup(id)
	upd.SetName("Renamed")
	if err := g.UpdateGroup(upd); err != nil {
		t.Fatalf("UpdateGroup: %v", err)
	}
	if got, err := g.GetGroup(id); err != nil || got.GetName() != "Renamed" || got.GetOwner() != "bob" {
		t.Fatalf("after update: %+v %v", got, err)
	}
	ids, err := g.FetchGroupIds(100, 0)
	if err != nil || ids.Total != 1 || len(ids.List) != 1 || ids.List[0] != id || ids.HasMore {
		t.Fatalf("FetchGroupIds: %+v %v", ids, err)
	}
}

// sdkDismissGroup dismisses group id through the SDK: once, then 10010.
func sdkDismissGroup(t *testing.T, g group.API, id string) {
	if err := g.DestroyGroup(id); err != nil {
		t.Fatalf("DestroyGroup: %v", err)
	}
	if err := g.DestroyGroup(id); codeOf(err) != 10010 {
		t.Fatalf("second DestroyGroup: %v (code %d), want 10010", err, codeOf(err))
	}
	// timd answers the per-group 10010 (internal/api tests check the wire);
	// this SDK drops groups whose per-group ErrorCode is set, so it returns
	// no group and no error.
	if got, err := g.GetGroup(id); got != nil || err != nil {
		t.Fatalf("GetGroup after dismissal: %+v %v, want no group", got, err)
	}
}

var accountWithNick = account.Account{UserId: "alice", Nickname: "Alice", FaceUrl: "http://example.com/a.png"}
