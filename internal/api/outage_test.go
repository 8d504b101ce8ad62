package api_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// Ensure that when PostgreSQL goes away calls answer the internal code
// promptly (no hang, no crash) and /readyz says 503, and that both recover
// by themselves once the database is back.
func TestOutage_PostgresRecovers(t *testing.T) {
	proxy, dsn := dbtest.NewProxy(t, dbtest.PostgresDSN(t))
	h := MustOpenHarness(t, dsn, func(o *api.Options) { o.RequestTimeout = 3 * time.Second })
	h.MustCall(0, login, "account_import", `{"UserID":"alice"}`)

	proxy.Cut()
	start := time.Now()
	h.MustCall(70500, login, "account_import", `{"UserID":"bob"}`)
	h.MustCall(70500, login, "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
	if d := time.Since(start); d > 8*time.Second {
		t.Fatalf("calls during the outage took %v", d)
	}
	if code := statusOf(t, h.URL+"/readyz"); code != http.StatusServiceUnavailable {
		t.Fatalf("readyz during outage = %d", code)
	}

	proxy.Restore()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r := h.Call(login, "account_import", `{"UserID":"bob"}`)
		if r.Code(t) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no recovery: %v", r)
		}
		time.Sleep(100 * time.Millisecond)
	}
	r := h.MustCall(0, login, "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"}]}`)
	if got := r.Raw; !contains(got, `"UserID":"alice","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`) ||
		!contains(got, `"UserID":"bob","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`) {
		t.Fatalf("after recovery: %s", got)
	}
	if code := statusOf(t, h.URL+"/readyz"); code != http.StatusOK {
		t.Fatalf("readyz after recovery = %d", code)
	}
}

func statusOf(t *testing.T, u string) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// failingContacts is a store whose conversation-group reads and writes fail
// with err, as a database that answers with an error would.
type failingContacts struct {
	im.Store
	err error
}

func (f failingContacts) ContactGroups(context.Context, uint64, string, int, int) (im.ContactPage, error) {
	return im.ContactPage{}, f.err
}

func (f failingContacts) CreateContactGroup(context.Context, uint64, string, string, []im.Contact) (im.ContactGroupRef, []*im.Error, error) {
	return im.ContactGroupRef{}, nil, f.err
}

// Ensure recentcontact answers the codes of Tencent's table for it: 50004
// ("internal error, retry") when the store fails, and 50005 ("network
// timeout, retry later") only when the failure is the request running out
// of time, with ErrorDisplay and without the failure's detail.
func TestContact_InternalFailure(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		code int
		info string
	}{
		{"Failure", errors.New("disk I/O error"), im.CodeContactInternal, "internal server error, please retry"},
		{"DeadlineInStore", fmt.Errorf("query: %w", context.DeadlineExceeded), im.CodeContactTimeout, "request timed out, please retry later"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Store = failingContacts{o.Store, tc.err} })
			for command, body := range map[string]string{
				"get_contact_group":    getBody(Admin, 0),
				"create_contact_group": createBody(Admin, "g"),
			} {
				want := fmt.Sprintf(`{"ActionStatus":"FAIL","ErrorInfo":%q,"ErrorCode":%d,"ErrorDisplay":""}`, tc.info, tc.code)
				if r := h.Call(rc, command, body); r.Raw != want {
					t.Errorf("%s: %s\nwant %s", command, r.Raw, want)
				}
			}
		})
	}
}

// failingStore is a store whose profile and callback-log calls fail with
// err, as a database that answers with an error would.
type failingStore struct {
	im.Store
	err error
}

func (f failingStore) SetProfile(context.Context, im.Op, string, []im.ProfileItem) error {
	return f.err
}
func (f failingStore) GetProfiles(context.Context, uint64, []string) ([]im.Profile, error) {
	return nil, f.err
}
func (f failingStore) ListEvents(context.Context, uint64, im.EventFilter) ([]im.Event, error) {
	return nil, f.err
}
func (f failingStore) PurgeDelivered(context.Context, uint64, time.Time) (int, error) {
	return 0, f.err
}

// Ensure a failing store is each service's internal code, without the
// failure's detail: profiles 40006 (portrait_set, portrait_get), the
// callback log 91002 (list_deliveries, purge).
func TestStoreFailure_InternalCodes(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.Store = failingStore{o.Store, errors.New("disk I/O error: secret detail")}
	})
	for _, c := range []struct {
		service, command, body string
		code                   int
	}{
		{"profile", "portrait_set", `{"From_Account":"administrator","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"x"}]}`, 40006},
		{"profile", "portrait_get", `{"To_Account":["administrator"],"TagList":["Tag_Profile_IM_Nick"]}`, 40006},
		{"timd_callback", "list_deliveries", `{}`, 91002},
		{"timd_callback", "purge", `{}`, 91002},
	} {
		r := h.Call(c.service, c.command, c.body)
		if r.Code(t) != c.code || contains(r.Raw, "secret detail") {
			t.Errorf("%s/%s: %s, want %d without the detail", c.service, c.command, r, c.code)
		}
	}
}
