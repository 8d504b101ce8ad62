package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// appWatch records what an AppWatcher is told.
type appWatch struct {
	mu      sync.Mutex
	added   []uint64
	removed []uint64
}

func (w *appWatch) AddApp(a *im.App) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.added = append(w.added, a.SDKAppID)
}

func (w *appWatch) RemoveApp(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.removed = append(w.removed, id)
}

func (w *appWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return fmt.Sprintf("added %v removed %v", w.added, w.removed)
}

// newApp is an app timd_apps/create answered.
type newApp struct {
	ID       uint64
	Key, Sig string
}

func createApp(t *testing.T, h *Harness, body string) newApp {
	t.Helper()
	r := h.MustCall(0, "timd_apps", "create", body)
	id, _ := r.M["SdkAppId"].(json.Number).Int64()
	key, _ := r.M["SecretKey"].(string)
	sig, _ := r.M["UserSig"].(string)
	if id == 0 || len(key) == 0 || sig == "" || r.M["Identifier"] != Admin {
		t.Fatalf("create: %s", r)
	}
	return newApp{uint64(id), key, sig}
}

// appQuery is the query of an admin call to a with its UserSig.
func appQuery(a newApp) string {
	return fmt.Sprintf("sdkappid=%d&identifier=administrator&usersig=%s&random=1&contenttype=json", a.ID, a.Sig)
}

// callApp makes an admin call to app a through handler h.
func callApp(h *Harness, a newApp, svc, cmd, body string) Reply {
	h.tb.Helper()
	return h.Do("POST", "/v4/"+svc+"/"+cmd, appQuery(a), body)
}

// Ensure an app created at runtime is served at once with the UserSig
// create answers and a key Tencent's library signs with, keeps its data
// apart, and once deleted answers 60006 as an unknown sdkappid does; the
// watcher learns both.
func TestApps_CreateServeDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		w := &appWatch{}
		h := MustOpenHarness(t, dsn, func(o *api.Options) { o.AppWatcher = w })
		a := createApp(t, h, `{}`)
		if a.ID < im.FirstRuntimeAppID || len(a.Key) != 64 {
			t.Errorf("allocated %d with key %q", a.ID, a.Key)
		}
		if r := callApp(h, a, "im_open_login_svc", "account_import", `{"UserID":"zoe"}`); r.Code(t) != 0 {
			t.Fatalf("a call to the new app: %s", r)
		}
		// Tencent's library signs for the returned key too.
		tq := fmt.Sprintf("sdkappid=%d&identifier=administrator&usersig=%s&random=2&contenttype=json", a.ID, Sig(t, int(a.ID), a.Key, Admin, 3600))
		if r := h.Do("POST", "/timd/v1/control/list_objects", tq, `{"Type":"Account"}`); r.Code(t) != 0 || !strings.Contains(r.Raw, `"Id":"zoe"`) {
			t.Fatalf("list_objects in the new app: %s", r)
		}
		if r := h.MustCall(0, "timd_control", "list_objects", `{"Type":"Account"}`); strings.Contains(r.Raw, "zoe") {
			t.Errorf("the new app's account shows in TestApp: %s", r)
		}
		h.MustCall(0, "timd_apps", "delete", fmt.Sprintf(`{"SdkAppId":%d}`, a.ID))
		if r := callApp(h, a, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"zoe"}]}`); r.Code(t) != im.CodeSDKAppIDInvalid {
			t.Fatalf("a call to the deleted app: %s", r)
		}
		if got := w.String(); got != fmt.Sprintf("added [%d] removed [%d]", a.ID, a.ID) {
			t.Errorf("watcher: %s", got)
		}
		// The SDKAppID can be created again, without the old data.
		b := createApp(t, h, fmt.Sprintf(`{"SdkAppId":%d,"SecretKey":"abc","Admins":["administrator","ops"],"Edition":"pro","Control":false}`, a.ID))
		if b.ID != a.ID || b.Key != "abc" {
			t.Fatalf("created again: %+v", b)
		}
		if r := callApp(h, b, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"zoe"},{"UserID":"ops"}]}`); !strings.Contains(r.Raw, `"UserID":"zoe","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"`) ||
			!strings.Contains(r.Raw, `"UserID":"ops","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`) {
			t.Errorf("the app created again: %s", r)
		}
		// Control off: its control plane answers 60009.
		if r := callApp(h, b, "timd_apps", "list", `{}`); r.Code(t) != im.CodeUnknownResource {
			t.Errorf("timd_apps from an app whose control plane is off: %s", r)
		}
	})
}

// Ensure create and delete refuse bad input and the configured apps with
// 91001, changing nothing, and list shows configured apps without keys.
func TestApps_Refusals(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		for _, body := range []string{
			`{"SdkAppId":0}`, `{"SdkAppId":-5}`, `{"SdkAppId":4294967296}`,
			`{"SdkAppId":1400000002}`, // OtherApp, configured
			`{"Edition":"gold"}`, `{"Admins":[]}`, `{"Admins":["a","a"]}`, `{"Admins":[" x"]}`,
			`{"CallbackURL":"ftp://x"}`, `{"CallbackURL":"http://"}`,
			`{"SecretKey":"` + strings.Repeat("k", 257) + `"}`,
			`{"Callback":{"Token":"a\u0000b"}}`, `{"Callback":{"Secrets":["c2VjcmV0"]}}`, `{"Callback":{"Secrets":["whsec_"]}}`,
			`{"Callback":{"Commands":["Foo.Bar"]}}`, `{"Callback":{"TimeoutMs":0}}`, `{"Callback":{"RetryMs":[]}}`,
			`{"Callback":{"RetryMs":[-1]}}`, `{"Callback":{"Concurrency":0}}`, `{"Callback":{"Concurrency":257}}`,
			`{"Callback":{"BeforeTimeoutMs":60001}}`, `{"Callback":{"OnFailure":"deny"}}`,
			`{"ProfileFields":[{"Name":"TooLongName"}]}`, `{"ProfileFields":[{"Name":"A"},{"Name":"A"}]}`,
			`{"ProfileFields":[{"Name":"A","Type":"float"}]}`, `{"ProfileFields":[{"Name":"A","MaxLength":501}]}`,
			`{"ProfileFields":[{"Name":"A","Type":"integer","MaxLength":5}]}`,
		} {
			if r := h.Call("timd_apps", "create", body); r.Code(t) != im.CodeMgmtInvalid {
				t.Errorf("create %s: %s", body, r)
			}
		}
		createApp(t, h, `{"SdkAppId":1600000500}`)
		if r := h.Call("timd_apps", "create", `{"SdkAppId":1600000500}`); r.Code(t) != im.CodeMgmtInvalid {
			t.Errorf("creating an existing app again: %s", r)
		}
		for _, body := range []string{`{}`, `{"SdkAppId":1400000001}`, `{"SdkAppId":1400000002}`, `{"SdkAppId":1600000501}`} {
			if r := h.Call("timd_apps", "delete", body); r.Code(t) != im.CodeMgmtInvalid {
				t.Errorf("delete %s: %s", body, r)
			}
		}
		r := h.MustCall(0, "timd_apps", "list", `{}`)
		defaults := `"Callback":{"Commands":[],"TimeoutMs":5000,"RetryMs":[0,5000,300000,1800000,7200000,18000000,36000000,36000000],` +
			`"Concurrency":16,"BeforeTimeoutMs":2000,"OnFailure":"allow"}`
		want := `"Apps":[{"SdkAppId":1400000001,"Configured":true,"Admins":["administrator","admin2"],"Edition":"ultimate","CallbackURL":"",` + defaults +
			`,"ProfileFields":[{"Name":"Test","Type":"string","MaxLength":0},{"Name":"Short","Type":"string","MaxLength":8},{"Name":"Score","Type":"integer","MaxLength":0}],"Control":true},` +
			`{"SdkAppId":1400000002,"Configured":true,"Admins":["administrator"],"Edition":"ultimate","CallbackURL":"",` + defaults + `,"ProfileFields":[],"Control":false},` +
			`{"SdkAppId":1600000500,"Configured":false,"SecretKey":"`
		if !strings.Contains(r.Raw, want) || strings.Count(r.Raw, `"SdkAppId"`) != 3 || strings.Count(r.Raw, `"Token"`) != 0 {
			t.Errorf("list: %s", r)
		}
		// OtherApp's control plane is off: it may not create apps.
		oq := "sdkappid=1400000002&identifier=administrator&usersig=" + Sig(t, OtherAppID, OtherKey, Admin, 3600) + "&random=1&contenttype=json"
		if r := h.Do("POST", "/v4/timd_apps/create", oq, `{}`); r.Code(t) != im.CodeUnknownResource {
			t.Errorf("create from an app whose control plane is off: %s", r)
		}
	})
}

// Ensure another server on the same database (another instance) serves an
// app created through the first when it is first called, and stops
// serving it once it refreshes after the app's deletion.
func TestApps_OtherInstance(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		w := &appWatch{}
		other := api.NewServer(api.Options{Apps: h.Apps, Store: h.Store, AppWatcher: w})
		h2 := &Harness{tb: t, Handler: other.Handler(), Store: h.Store, Apps: h.Apps}
		h2.URL = serve(t, h2.Handler)
		a := createApp(t, h, `{}`)
		if r := callApp(h2, a, "im_open_login_svc", "account_import", `{"UserID":"zoe"}`); r.Code(t) != 0 {
			t.Fatalf("the other instance: %s", r)
		}
		h.MustCall(0, "timd_apps", "delete", fmt.Sprintf(`{"SdkAppId":%d}`, a.ID))
		if err := other.RefreshApps(t.Context()); err != nil {
			t.Fatal(err)
		}
		if r := callApp(h2, a, "im_open_login_svc", "account_import", `{"UserID":"zoe"}`); r.Code(t) != im.CodeSDKAppIDInvalid {
			t.Fatalf("the other instance after the deletion: %s", r)
		}
		if got := w.String(); got != fmt.Sprintf("added [%d] removed [%d]", a.ID, a.ID) {
			t.Errorf("the other instance's watcher: %s", got)
		}
	})
}

// serve serves handler until the test ends and returns its URL.
func serve(t *testing.T, handler http.Handler) string {
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

// Ensure create's Callback and ProfileFields configure the new app as a
// config file's callback block and profile_fields would: only the commands
// listed are sent, with Sign and RequestTime for the token; the custom
// profile field declared is served and another is 40009; list shows the
// settings, the token and secrets included for a runtime app.
func TestApps_Settings(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openCapture(t, dsn)
		a := createApp(t, h.Harness, `{"CallbackURL":"internal","Callback":{"Token":"tok","Secrets":["whsec_c2VjcmV0"],`+
			`"Commands":["Group.CallbackBeforeCreateGroup"],"TimeoutMs":1500,"RetryMs":[0,1000],"Concurrency":4,"BeforeTimeoutMs":800,"OnFailure":"reject"},`+
			`"ProfileFields":[{"Name":"Level","Type":"integer"},{"Name":"Motto","MaxLength":20}]}`)
		call := func(code int, svc, cmd, body string) Reply {
			t.Helper()
			r := callApp(h.Harness, a, svc, cmd, body)
			if r.Code(t) != code {
				t.Fatalf("%s/%s: %s, want %d", svc, cmd, r, code)
			}
			return r
		}
		call(0, "im_open_login_svc", "account_import", `{"UserID":"zoe"}`)
		call(0, "group_open_http_svc", "create_group", `{"Owner_Account":"zoe","Type":"Public","Name":"n","GroupId":"set_g1"}`)
		got := captures(t, call(0, "timd_capture", "list", `{}`))
		if len(got.Callbacks) != 1 || got.Callbacks[0].CallbackCommand != "Group.CallbackBeforeCreateGroup" ||
			!strings.Contains(got.Callbacks[0].Query, "&Sign=") || !strings.Contains(got.Callbacks[0].Query, "&RequestTime=") {
			t.Errorf("captured %+v, want the before-callback alone, signed", got.Callbacks)
		}
		call(0, "profile", "portrait_set", `{"From_Account":"zoe","ProfileItem":[{"Tag":"Tag_Profile_Custom_Level","Value":7},{"Tag":"Tag_Profile_Custom_Motto","Value":"carpe diem"}]}`)
		call(im.CodeProfileTooLong, "profile", "portrait_set", `{"From_Account":"zoe","ProfileItem":[{"Tag":"Tag_Profile_Custom_Motto","Value":"`+strings.Repeat("m", 21)+`"}]}`)
		call(im.CodeProfileTagUnknown, "profile", "portrait_set", `{"From_Account":"zoe","ProfileItem":[{"Tag":"Tag_Profile_Custom_Test","Value":"x"}]}`)
		r := h.MustCall(0, "timd_apps", "list", `{}`)
		want := `"CallbackURL":"internal","Callback":{"Token":"tok","Secrets":["whsec_c2VjcmV0"],"Commands":["Group.CallbackBeforeCreateGroup"],` +
			`"TimeoutMs":1500,"RetryMs":[0,1000],"Concurrency":4,"BeforeTimeoutMs":800,"OnFailure":"reject"},` +
			`"ProfileFields":[{"Name":"Level","Type":"integer","MaxLength":0},{"Name":"Motto","Type":"string","MaxLength":20}],"Control":true}`
		if !strings.Contains(r.Raw, want) {
			t.Errorf("list: %s\nwant %s", r, want)
		}
	})
}
