package api_test

import (
	"context"
	"maps"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/im"
)

// fakeAccounts is an account store of the three methods the account
// handlers call, and nothing else: a double for one service needs only
// that service's methods.
type fakeAccounts struct {
	imported map[string]bool
	app      uint64 // the app of the last call
}

func (f *fakeAccounts) ImportAccounts(_ context.Context, app uint64, accounts []im.AccountImport) error {
	f.app = app
	for _, a := range accounts {
		f.imported[a.UserID] = true
	}
	return nil
}

func (f *fakeAccounts) DeleteAccounts(_ context.Context, app uint64, userIDs []string) ([]bool, error) {
	f.app = app
	existed := make([]bool, len(userIDs))
	for i, id := range userIDs {
		existed[i] = f.imported[id]
		delete(f.imported, id)
	}
	return existed, nil
}

func (f *fakeAccounts) CheckAccounts(_ context.Context, app uint64, userIDs []string) ([]bool, error) {
	f.app = app
	imported := make([]bool, len(userIDs))
	for i, id := range userIDs {
		imported[i] = f.imported[id]
	}
	return imported, nil
}

// Ensure im_open_login_svc is served from Options.Accounts alone, with no
// database behind the server: account_import writes through the double and
// account_check answers from it, with the calling app.
func TestOptions_AccountStoreAlone(t *testing.T) {
	accounts := &fakeAccounts{imported: map[string]bool{"alice": true}}
	apps := []*im.App{{SDKAppID: TestAppID, SecretKey: TestKey, Admins: []string{Admin}}}
	srv := httptest.NewServer(api.NewServer(api.Options{Apps: apps, Accounts: accounts}).Handler())
	t.Cleanup(srv.Close)
	h := &Harness{tb: t, URL: srv.URL, Handler: srv.Config.Handler, Apps: apps}

	h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"bob"}`)
	r := h.MustCall(0, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"},{"UserID":"carol"}]}`)
	want := `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"ResultItem":[` +
		`{"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},` +
		`{"UserID":"bob","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"},` +
		`{"UserID":"carol","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"}]}`
	if r.Raw != want {
		t.Errorf("account_check: %s\nwant %s", r.Raw, want)
	}
	if accounts.app != TestAppID {
		t.Errorf("store called for app %d, want %d", accounts.app, TestAppID)
	}
	if ids := slices.Sorted(maps.Keys(accounts.imported)); !slices.Equal(ids, []string{"alice", "bob"}) {
		t.Errorf("imported = %v", ids)
	}
}
