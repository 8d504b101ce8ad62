package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const mgmt = "timd_callback"

// withAllCallbacks gives both apps a callback URL, so that both record events.
func withAllCallbacks(o *api.Options) {
	for _, a := range o.Apps {
		a.Callback.URL = "http://127.0.0.1:1/cb"
	}
}

// OtherAdminQuery is the query of a well-formed admin call to OtherApp.
func OtherAdminQuery(tb testing.TB) string {
	return "sdkappid=1400000002&identifier=administrator&usersig=" + Sig(tb, OtherAppID, OtherKey, Admin, 86400)
}

// delivery is one entry of list_deliveries.
type delivery struct {
	Id              int64
	CallbackCommand string
	Key             string
	State           string
	Attempts        int
	LastStatus      int
	LastError       string
	ClientIP        string
	CreateTime      int64
	NextAttemptTime int64
	DeliveredTime   int64
	Body            map[string]any
}

// deliveries calls list_deliveries with body and decodes its reply.
func (h *Harness) deliveries(body string) (evs []delivery, next int64) {
	h.tb.Helper()
	r := h.MustCall(0, mgmt, "list_deliveries", body)
	var resp struct {
		Events []delivery
		Next   int64
	}
	if err := json.Unmarshal([]byte(r.Raw), &resp); err != nil {
		h.tb.Fatalf("list_deliveries reply: %v: %s", err, r.Raw)
	}
	if resp.Events == nil {
		h.tb.Fatalf("list_deliveries: Events is not an array: %s", r.Raw)
	}
	return resp.Events, resp.Next
}

// evIDs returns the Ids of deliveries.
func evIDs(evs []delivery) []int64 {
	out := make([]int64, len(evs))
	for i, ev := range evs {
		out[i] = ev.Id
	}
	return out
}

// mgmtScenario is TestApp with five events on three keys, and OtherApp with
// one:
//
//	0 AfterCreateGroup g1   1 AfterCreateGroup g2   2 AfterCreateGroup g3
//	3 AfterNewMemberJoin g1 4 AfterGroupDestroyed g2
type mgmtScenario struct {
	h      *Harness
	g      [3]string
	ev     []im.Event // TestApp's events, oldest first
	other  im.Event   // OtherApp's event
	before time.Time  // just before the first event
}

func openMgmt(t *testing.T, dsn string) *mgmtScenario {
	t.Helper()
	h := MustOpenHarness(t, dsn, withAllCallbacks)
	h.importUsers("alice", "bob")
	s := &mgmtScenario{h: h, before: time.Now().Add(-time.Second)}
	for i := range s.g {
		s.g[i] = h.create(fmt.Sprintf(`{"Owner_Account":"alice","Type":"Public","Name":"g%d"}`, i+1))
	}
	h.MustCall(0, grp, "add_group_member", `{"GroupId":"`+s.g[0]+`","MemberList":[{"Member_Account":"bob"}]}`)
	h.MustCall(0, grp, "destroy_group", `{"GroupId":"`+s.g[1]+`"}`)
	r := h.Do("POST", "/v4/"+grp+"/create_group", OtherAdminQuery(t), `{"Type":"Public","Name":"other"}`)
	if r.Code(t) != 0 {
		t.Fatalf("OtherApp create_group: %s", r.Raw)
	}
	var err error
	if s.ev, err = h.Store.Events(t.Context(), TestAppID); err != nil || len(s.ev) != 5 {
		t.Fatalf("TestApp events: %v, %v", s.ev, err)
	}
	others, err := h.Store.Events(t.Context(), OtherAppID)
	if err != nil || len(others) != 1 {
		t.Fatalf("OtherApp events: %v, %v", others, err)
	}
	s.other = others[0]
	return s
}

// settle claims the oldest pending event of each key as the test instance
// and delivers g1's, kills g2's and fails g3's with a retry in an hour; the
// OtherApp event is delivered too.
func (s *mgmtScenario) settle(t *testing.T) (retryAt time.Time) {
	t.Helper()
	ctx, st := t.Context(), s.h.Store
	claimed, err := st.ClaimEvents(ctx, "test", TestAppID, time.Now(), time.Minute, 100, 0)
	if err != nil || len(claimed) != 3 {
		t.Fatalf("ClaimEvents = %d events, %v; want 3", len(claimed), err)
	}
	if claimed, err = st.ClaimEvents(ctx, "test", OtherAppID, time.Now(), time.Minute, 100, 0); err != nil || len(claimed) != 1 {
		t.Fatalf("ClaimEvents(OtherApp) = %d events, %v; want 1", len(claimed), err)
	}
	retryAt = time.Now().Add(time.Hour)
	for _, err := range []error{
		noEvents(st.MarkDelivered(ctx, "test", im.Delivery{ID: s.ev[0].ID, Status: 200, At: time.Now()})),
		st.MarkFailed(ctx, s.ev[1].ID, "test", im.Attempt{Status: 500, Error: "boom"}),
		st.MarkFailed(ctx, s.ev[2].ID, "test", im.Attempt{Status: 503, Error: "busy", Next: retryAt}),
		noEvents(st.MarkDelivered(ctx, "test", im.Delivery{ID: s.other.ID, Status: 204, At: time.Now()})),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return retryAt
}

// Ensure list_deliveries lists the calling app's events oldest first with
// every field, filters by state, command, key and creation time, and pages
// with AfterId and Next.
func TestCallbackMgmt_ListDeliveries(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		s := openMgmt(t, dsn)
		h := s.h
		all := s.checkFreshDeliveries(t)
		s.settle(t)
		now := time.Now().Unix()
		s.checkFilters(t, evIDs(all), now)
		s.checkSettledDeliveries(t, now)
		s.checkPages(t)

		// OtherApp sees only its own event.
		r := h.Do("POST", "/v4/"+mgmt+"/list_deliveries", OtherAdminQuery(t), `{}`)
		if r.Code(t) != 0 || strings.Count(r.Raw, `"Id":`) != 1 || !strings.Contains(r.Raw, fmt.Sprintf(`"Id":%d,`, s.other.ID)) {
			t.Errorf("OtherApp list_deliveries: %s", r.Raw)
		}
	})
}

// checkFreshDeliveries checks list_deliveries lists the five events, none
// yet attempted, oldest first with every field, and returns them.
func (s *mgmtScenario) checkFreshDeliveries(t *testing.T) []delivery {
	h := s.h
	all, next := h.deliveries(`{}`)
	if len(all) != 5 || next != 0 {
		t.Fatalf("all: %d events, Next %d; want 5, 0", len(all), next)
	}
	wantCmd := []string{im.CallbackAfterCreateGroup, im.CallbackAfterCreateGroup, im.CallbackAfterCreateGroup,
		im.CallbackAfterNewMemberJoin, im.CallbackAfterGroupDestroyed}
	wantKey := []string{s.g[0], s.g[1], s.g[2], s.g[0], s.g[1]}
	for i, d := range all {
		s.checkFreshDelivery(t, i, d, wantCmd[i], wantKey[i])
	}
	// Body is a JSON object in the reply, not a string holding one.
	if r := h.MustCall(0, mgmt, "list_deliveries", `{"Limit":1}`); !strings.Contains(r.Raw, `"Body":{"`) {
		t.Errorf("Body is not an object: %s", r.Raw)
	}
	return all
}

// checkFreshDelivery checks d, the i-th event listed before any attempt,
// is s.ev[i], of command wantCmd and key wantKey.
func (s *mgmtScenario) checkFreshDelivery(t *testing.T, i int, d delivery, wantCmd, wantKey string) {
	t.Helper()
	if d.Id != s.ev[i].ID || d.CallbackCommand != wantCmd || d.Key != wantKey {
		t.Errorf("event %d = %d %s %s; want %d %s %s", i, d.Id, d.CallbackCommand, d.Key, s.ev[i].ID, wantCmd, wantKey)
	}
	if d.State != "pending" || d.Attempts != 0 || d.LastStatus != 0 || d.LastError != "" || d.DeliveredTime != 0 {
		t.Errorf("fresh event %d: %+v", i, d)
	}
	if d.CreateTime < s.before.Unix() || d.CreateTime > time.Now().Unix() ||
		d.NextAttemptTime < d.CreateTime || d.NextAttemptTime > time.Now().Unix() {
		t.Errorf("event %d times: CreateTime %d, NextAttemptTime %d", i, d.CreateTime, d.NextAttemptTime)
	}
	if d.Body["CallbackCommand"] != d.CallbackCommand || d.Body["GroupId"] != d.Key {
		t.Errorf("event %d Body is not the callback body: %v", i, d.Body)
	}
	if d.ClientIP != "127.0.0.1" {
		t.Errorf("event %d ClientIP = %q", i, d.ClientIP)
	}
}

// checkFilters checks, once settled, which events each filter of
// list_deliveries keeps: by state, command, key, creation time and AfterId.
// all is every event's Id, now the time settle returned.
func (s *mgmtScenario) checkFilters(t *testing.T, all []int64, now int64) {
	filters := []struct {
		body string
		want []int64
	}{
		{`{"State":"pending"}`, []int64{s.ev[2].ID, s.ev[3].ID, s.ev[4].ID}},
		{`{"State":"delivered"}`, []int64{s.ev[0].ID}},
		{`{"State":"dead"}`, []int64{s.ev[1].ID}},
		{`{"CallbackCommand":"Group.CallbackAfterCreateGroup"}`, []int64{s.ev[0].ID, s.ev[1].ID, s.ev[2].ID}},
		{`{"CallbackCommand":"Group.CallbackAfterGroupDestroyed"}`, []int64{s.ev[4].ID}},
		{`{"CallbackCommand":"Sns.CallbackFriendAdd"}`, []int64{}},
		{`{"Key":"` + s.g[0] + `"}`, []int64{s.ev[0].ID, s.ev[3].ID}},
		{`{"Key":"` + s.g[1] + `","State":"pending"}`, []int64{s.ev[4].ID}},
		{`{"Key":"` + s.g[1] + `","State":"pending","CallbackCommand":"Group.CallbackAfterCreateGroup"}`, []int64{}},
		{fmt.Sprintf(`{"StartTime":%d,"EndTime":%d}`, s.before.Unix(), now+1), all},
		{fmt.Sprintf(`{"StartTime":%d}`, now+60), []int64{}},
		{fmt.Sprintf(`{"EndTime":%d}`, s.before.Unix()), []int64{}},
		{`{"State":null,"Key":null,"AfterId":null,"Limit":null}`, all},
		{fmt.Sprintf(`{"AfterId":%d}`, s.ev[3].ID), []int64{s.ev[4].ID}},
		{fmt.Sprintf(`{"AfterId":%d}`, s.ev[4].ID), []int64{}},
	}
	for _, f := range filters {
		got, _ := s.h.deliveries(f.body)
		if fmt.Sprint(evIDs(got)) != fmt.Sprint(f.want) {
			t.Errorf("%s: Ids %v, want %v", f.body, evIDs(got), f.want)
		}
	}
}

// checkSettledDeliveries checks the settled events carry their outcome:
// delivered, dead, and failed with a retry an hour after now.
func (s *mgmtScenario) checkSettledDeliveries(t *testing.T, now int64) {
	byID := map[int64]delivery{}
	all, _ := s.h.deliveries(`{}`)
	for _, d := range all {
		byID[d.Id] = d
	}
	if d := byID[s.ev[0].ID]; d.State != "delivered" || d.Attempts != 1 || d.LastStatus != 200 ||
		d.DeliveredTime < s.before.Unix() || d.NextAttemptTime != 0 {
		t.Errorf("delivered event: %+v", d)
	}
	if d := byID[s.ev[1].ID]; d.State != "dead" || d.Attempts != 1 || d.LastStatus != 500 || d.LastError != "boom" ||
		d.NextAttemptTime != 0 || d.DeliveredTime != 0 {
		t.Errorf("dead event: %+v", d)
	}
	if d := byID[s.ev[2].ID]; d.State != "pending" || d.Attempts != 1 || d.LastStatus != 503 || d.LastError != "busy" ||
		d.NextAttemptTime < now+3500 || d.NextAttemptTime > now+3700 {
		t.Errorf("retried event: %+v", d)
	}
}

// checkPages checks paging: Next is the last Id of a full page, 0 after
// the last.
func (s *mgmtScenario) checkPages(t *testing.T) {
	h := s.h
	var pages [][]int64
	after := int64(0)
	for range 5 {
		page, next := h.deliveries(fmt.Sprintf(`{"Limit":2,"AfterId":%d}`, after))
		pages = append(pages, evIDs(page))
		if len(page) == 2 && next != page[1].Id || len(page) < 2 && next != 0 {
			t.Fatalf("page %v: Next %d", evIDs(page), next)
		}
		if next == 0 {
			break
		}
		after = next
	}
	want := fmt.Sprint([][]int64{{s.ev[0].ID, s.ev[1].ID}, {s.ev[2].ID, s.ev[3].ID}, {s.ev[4].ID}})
	if fmt.Sprint(pages) != want {
		t.Errorf("pages %v, want %v", pages, want)
	}
	if page, next := h.deliveries(`{"Limit":1000}`); len(page) != 5 || next != 0 {
		t.Errorf("Limit 1000: %d events, Next %d", len(page), next)
	}
	if page, next := h.deliveries(`{"Limit":5}`); len(page) != 5 || next != s.ev[4].ID {
		t.Errorf("Limit 5 filled: %d events, Next %d; want 5, %d", len(page), next, s.ev[4].ID)
	}
}

// Ensure replay makes one event of the app pending again at once with its
// attempts reset, 91003 for an id the app does not have, and that replay_dead
// replays exactly the app's dead events.
func TestCallbackMgmt_Replay(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		s := openMgmt(t, dsn)
		h := s.h
		s.settle(t)
		s.checkReplayOne(t)

		for _, body := range []string{`{"Id":999999999}`, fmt.Sprintf(`{"Id":%d}`, s.other.ID)} {
			r := h.MustCall(im.CodeMgmtEventNotFound, mgmt, "replay", body)
			if _, ok := r.M["ErrorDisplay"]; ok {
				t.Errorf("ErrorDisplay in a timd_callback reply: %s", r.Raw)
			}
		}
		if ev, err := h.Store.Events(t.Context(), OtherAppID); err != nil || ev[0].State != im.EventDelivered {
			t.Errorf("another app's replay touched OtherApp's event: %+v, %v", ev, err)
		}

		r := h.MustCall(0, mgmt, "replay_dead", `{}`)
		if r.M["Replayed"] != json.Number("1") {
			t.Errorf("replay_dead: %s", r.Raw)
		}
		if dead, _ := h.deliveries(`{"State":"dead"}`); len(dead) != 0 {
			t.Errorf("dead after replay_dead: %v", evIDs(dead))
		}
		evs, _ := h.deliveries(fmt.Sprintf(`{"Key":"%s"}`, s.g[1]))
		if d := evs[0]; d.State != "pending" || d.Attempts != 0 {
			t.Errorf("replayed dead event: %+v", d)
		}
		if r := h.MustCall(0, mgmt, "replay_dead", ``); r.M["Replayed"] != json.Number("0") {
			t.Errorf("second replay_dead: %s", r.Raw)
		}
	})
}

// checkReplayOne replays the delivered event of g1 and checks it is pending
// again at once, with its attempts reset, and claimed before the
// member-join event queued behind it.
func (s *mgmtScenario) checkReplayOne(t *testing.T) {
	h := s.h
	r := h.MustCall(0, mgmt, "replay", fmt.Sprintf(`{"Id":%d}`, s.ev[0].ID))
	if r.Raw != `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` {
		t.Errorf("replay reply: %s", r.Raw)
	}
	evs, _ := h.deliveries(fmt.Sprintf(`{"Key":"%s"}`, s.g[0]))
	if d := evs[0]; d.Id != s.ev[0].ID || d.State != "pending" || d.Attempts != 0 || d.DeliveredTime != 0 ||
		d.NextAttemptTime == 0 || d.NextAttemptTime > time.Now().Unix() {
		t.Errorf("replayed delivered event: %+v", d)
	}
	// The replayed event is the oldest pending of its key again: it goes
	// out before the member-join event queued behind it.
	claimed, err := h.Store.ClaimEvents(t.Context(), "again", TestAppID, time.Now(), time.Minute, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, ev := range claimed {
		found = found || ev.ID == s.ev[0].ID
		if ev.ID == s.ev[3].ID {
			t.Errorf("event queued behind a replayed one was claimed first")
		}
	}
	if !found {
		t.Errorf("replayed event not claimable: %v", claimed)
	}
}

// Ensure purge deletes only the app's delivered events delivered before
// Before, by default those older than seven days.
func TestCallbackMgmt_Purge(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		s := openMgmt(t, dsn)
		h := s.h
		s.settle(t)

		if r := h.MustCall(0, mgmt, "purge", `{}`); r.M["Purged"] != json.Number("0") {
			t.Errorf("purge of a fresh delivery: %s", r.Raw)
		}
		if r := h.MustCall(0, mgmt, "purge", fmt.Sprintf(`{"Before":%d}`, s.before.Unix())); r.M["Purged"] != json.Number("0") {
			t.Errorf("purge before the delivery: %s", r.Raw)
		}
		r := h.MustCall(0, mgmt, "purge", fmt.Sprintf(`{"Before":%d}`, time.Now().Unix()+60))
		if r.M["Purged"] != json.Number("1") {
			t.Errorf("purge: %s", r.Raw)
		}
		all, _ := h.deliveries(`{}`)
		if fmt.Sprint(evIDs(all)) != fmt.Sprint([]int64{s.ev[1].ID, s.ev[2].ID, s.ev[3].ID, s.ev[4].ID}) {
			t.Errorf("after purge: %v", evIDs(all))
		}
		if ev, err := h.Store.Events(t.Context(), OtherAppID); err != nil || len(ev) != 1 {
			t.Errorf("purge touched OtherApp: %v, %v", ev, err)
		}
		if r := h.MustCall(0, mgmt, "purge", `{"Before":null}`); r.M["Purged"] != json.Number("0") {
			t.Errorf("second purge: %s", r.Raw)
		}
	})
}

// Ensure timd_callback checks its requests like every service: 91001 for a
// field of the wrong type or out of range, the REST layer's codes for
// authentication, JSON and routing, and no ErrorDisplay.
func TestCallbackMgmt_Errors(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn, withCallbacks)
		tests := []struct {
			command, body string
			code          int
		}{
			{"list_deliveries", `{"State":1}`, 91001},
			{"list_deliveries", `{"State":"lost"}`, 91001},
			{"list_deliveries", `{"State":"Pending"}`, 91001},
			{"list_deliveries", `{"CallbackCommand":["x"]}`, 91001},
			{"list_deliveries", `{"Key":7}`, 91001},
			{"list_deliveries", `{"StartTime":"1700000000"}`, 91001},
			{"list_deliveries", `{"StartTime":-1}`, 91001},
			{"list_deliveries", `{"EndTime":1.5}`, 91001},
			{"list_deliveries", `{"StartTime":200,"EndTime":100}`, 91001},
			{"list_deliveries", `{"AfterId":"x"}`, 91001},
			{"list_deliveries", `{"AfterId":-1}`, 91001},
			{"list_deliveries", `{"Limit":0}`, 91001},
			{"list_deliveries", `{"Limit":1001}`, 91001},
			{"list_deliveries", `{"Limit":"10"}`, 91001},
			{"list_deliveries", `[]`, 91001},
			{"list_deliveries", `{"Limit":`, 60003},
			{"replay", `{}`, 91001},
			{"replay", `{"Id":null}`, 91001},
			{"replay", `{"Id":"1"}`, 91001},
			{"replay", `{"Id":0}`, 91001},
			{"replay", `{"Id":-4}`, 91001},
			{"replay", `{"Id":1}`, 91003},
			{"replay_dead", `"all"`, 91001},
			{"purge", `{"Before":"yesterday"}`, 91001},
			{"purge", `{"Before":-1}`, 91001},
			{"purge", `{"Before":1e20}`, 91001},
			{"purge", `{"Before":true}`, 91001},
			{"purge_all", `{}`, 60009},
		}
		for _, tt := range tests {
			r := h.Call(mgmt, tt.command, tt.body)
			if got := r.Code(t); got != tt.code {
				t.Errorf("%s %s: ErrorCode %d, want %d: %s", tt.command, tt.body, got, tt.code, r.Raw)
			}
			if _, ok := r.M["ErrorDisplay"]; ok {
				t.Errorf("%s %s: ErrorDisplay present: %s", tt.command, tt.body, r.Raw)
			}
		}

		h.importUsers("alice")
		notAdmin := "sdkappid=1400000001&identifier=alice&usersig=" + Sig(t, TestAppID, TestKey, "alice", 86400)
		for _, cmd := range []string{"list_deliveries", "replay", "replay_dead", "purge", "nope"} {
			if r := h.Do("POST", "/v4/"+mgmt+"/"+cmd, notAdmin, `{}`); r.Code(t) != im.CodeAdminRequired {
				t.Errorf("%s as non-admin: %s", cmd, r.Raw)
			}
		}
		auth := []struct {
			query string
			code  int
		}{
			{"identifier=administrator&usersig=x", im.CodeSDKAppIDMissing},
			{"sdkappid=1400000009&identifier=administrator&usersig=x", im.CodeSDKAppIDInvalid},
			{"sdkappid=1400000001&usersig=x", im.CodeIdentifierError},
			{"sdkappid=1400000001&identifier=administrator", im.CodeSigEmpty},
			{"sdkappid=1400000001&identifier=administrator&usersig=" + Sig(t, TestAppID, OtherKey, Admin, 86400), im.CodeSigKeyMismatch},
		}
		for _, a := range auth {
			if r := h.Do("POST", "/v4/"+mgmt+"/list_deliveries", a.query, `{}`); r.Code(t) != a.code {
				t.Errorf("%s: %s, want %d", a.query, r.Raw, a.code)
			}
		}
		if r := h.Do("GET", "/v4/"+mgmt+"/list_deliveries", AdminQuery(t), ``); r.Code(t) != im.CodeHTTPParse {
			t.Errorf("GET: %s", r.Raw)
		}
	})
}

// Ensure the management API is rate limited per app and per API like the
// REST API.
func TestCallbackMgmt_RateLimited(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.RateLimit = 2 })
	codes := []int{}
	for range 3 {
		codes = append(codes, h.Call(mgmt, "list_deliveries", `{}`).Code(t))
	}
	if fmt.Sprint(codes) != fmt.Sprint([]int{0, 0, im.CodeRateLimited}) {
		t.Errorf("codes %v, want [0 0 %d]", codes, im.CodeRateLimited)
	}
}

// Ensure the time fields of list_deliveries and purge accept unix seconds
// from 0 to MaxUnixTime (9999-12-31) and answer anything beyond, negative or
// too far ahead to convert to milliseconds, with 91001 naming the field, and
// change nothing then.
func TestCallbackMgmt_TimeRange(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		s := openMgmt(t, dsn)
		h := s.h
		s.settle(t)
		bad := []int64{-1, -api.MaxUnixTime, api.MaxUnixTime + 1, 9_300_000_000_000_000, 1<<63 - 1, -1 << 63}
		for _, field := range []string{"StartTime", "EndTime"} {
			for _, v := range bad {
				body := fmt.Sprintf(`{"%s":%d}`, field, v)
				r := h.MustCall(91001, mgmt, "list_deliveries", body)
				if info, _ := r.M["ErrorInfo"].(string); !strings.Contains(info, field) {
					t.Errorf("list_deliveries %s: ErrorInfo %q does not name %s", body, info, field)
				}
			}
		}
		for _, v := range bad {
			body := fmt.Sprintf(`{"Before":%d}`, v)
			r := h.MustCall(91001, mgmt, "purge", body)
			if info, _ := r.M["ErrorInfo"].(string); !strings.Contains(info, "Before") {
				t.Errorf("purge %s: ErrorInfo %q does not name Before", body, info)
			}
		}
		// Nothing was purged by the refused calls.
		if all, _ := h.deliveries(`{}`); len(all) != 5 {
			t.Fatalf("after refused purges: %v, want all 5 events", evIDs(all))
		}

		// The bounds themselves are accepted and mean what they say.
		if evs, _ := h.deliveries(fmt.Sprintf(`{"StartTime":0,"EndTime":%d}`, api.MaxUnixTime)); len(evs) != 5 {
			t.Errorf("[0, MaxUnixTime): %v, want all 5 events", evIDs(evs))
		}
		if evs, _ := h.deliveries(fmt.Sprintf(`{"StartTime":%d}`, api.MaxUnixTime)); len(evs) != 0 {
			t.Errorf("StartTime MaxUnixTime: %v, want none", evIDs(evs))
		}
		if evs, _ := h.deliveries(`{"EndTime":0}`); len(evs) != 0 {
			t.Errorf("EndTime 0: %v, want none", evIDs(evs))
		}
		if r := h.MustCall(0, mgmt, "purge", `{"Before":0}`); r.M["Purged"] != json.Number("0") {
			t.Errorf("purge Before 0: %s", r.Raw)
		}
		if r := h.MustCall(0, mgmt, "purge", fmt.Sprintf(`{"Before":%d}`, api.MaxUnixTime)); r.M["Purged"] != json.Number("1") {
			t.Errorf("purge Before MaxUnixTime: %s, want the one delivered event", r.Raw)
		}
	})
}

// noEvents is the error of a call that returns events too, which the test
// does not ask for.
func noEvents(_ []im.Event, err error) error { return err }
