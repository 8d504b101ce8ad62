package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Hostile requests against every route of the route table, through the real
// HTTP server, on every database (docs/decisions.md §1): whatever arrives, the
// reply is HTTP 200 with the envelope and a documented code, never the
// service's internal-error code, the server keeps answering, and stored state
// does not change.

// svcCodes are the invalid-parameter and internal-error codes of a service,
// and the range its own codes fall in.
type svcCodes struct {
	invalid, internal int
	lo, hi            int
}

var hostileServices = map[string]svcCodes{
	"im_open_login_svc":   {70402, 70500, 70000, 70999},
	"group_open_http_svc": {10004, 10002, 10000, 10999},
	"sns":                 {30001, 30006, 30000, 32999},
	"recentcontact":       {50002, 50004, 50000, 51999},
	"timd_callback":       {91001, 91002, 91000, 91999},
}

// ok reports whether code is a documented answer of the service to a
// request that passed authentication: success, 60003 (body not JSON), or
// one of the service's own codes other than its internal error. 40601
// (profile too long) is the account service's too.
func (c svcCodes) ok(code int) bool {
	if code == c.internal {
		return false
	}
	return code == 0 || code == 60003 || code == 40601 || (code >= c.lo && code <= c.hi)
}

// hostileRoute is one route of routes.go with bodies to attack it.
type hostileRoute struct {
	svc, cmd string
	// wrongType is a body with a field of the wrong JSON type.
	wrongType string
	// bigArray is a body format whose %s receives the elements of a
	// 10,000-element array (in an array field, or in a scalar field).
	bigArray string
	// idBody is a body format whose %s receives a JSON string literal put
	// where the command expects an identifier.
	idBody string
}

func (r hostileRoute) path() string { return "/v4/" + r.svc + "/" + r.cmd }

// hostileRoutes is every line of routeTable in routes.go. The account
// routes come last, so that identifiers they may legitimately import are
// not yet accounts when the other routes see them.
var hostileRoutes = []hostileRoute{
	{"group_open_http_svc", "create_group", `{"Type":1,"Name":"g"}`, `{"Type":"Public","Name":"g","MemberList":[%s]}`, `{"Type":"Public","Name":"g","Owner_Account":%s,"MemberList":[{"Member_Account":"hx_nobody"}]}`},
	{"group_open_http_svc", "get_group_info", `{"GroupIdList":"@TGS#1"}`, `{"GroupIdList":[%s]}`, `{"GroupIdList":[%s]}`},
	{"group_open_http_svc", "destroy_group", `{"GroupId":123}`, `{"GroupId":[%s]}`, `{"GroupId":%s}`},
	{"group_open_http_svc", "add_group_member", `{"GroupId":"@TGS#x","MemberList":[{"Member_Account":1}]}`, `{"GroupId":"@TGS#x","MemberList":[%s]}`, `{"GroupId":%s,"MemberList":[{"Member_Account":"alice"}]}`},
	{"group_open_http_svc", "delete_group_member", `{"GroupId":"@TGS#x","MemberToDel_Account":"bob"}`, `{"GroupId":"@TGS#x","MemberToDel_Account":[%s]}`, `{"GroupId":%s,"MemberToDel_Account":["bob"]}`},
	{"group_open_http_svc", "get_group_member_info", `{"GroupId":"@TGS#x","Limit":"10"}`, `{"GroupId":"@TGS#x","MemberInfoFilter":[%s]}`, `{"GroupId":%s}`},
	{"group_open_http_svc", "get_joined_group_list", `{"Member_Account":["alice"]}`, `{"Member_Account":[%s]}`, `{"Member_Account":%s}`},
	{"group_open_http_svc", "get_appid_group_list", `{"Limit":"10"}`, `{"Limit":[%s]}`, `{"GroupType":%s}`},
	{"group_open_http_svc", "change_group_owner", `{"GroupId":true,"NewOwner_Account":"bob"}`, `{"GroupId":"@TGS#x","NewOwner_Account":[%s]}`, `{"GroupId":%s,"NewOwner_Account":"bob"}`},
	{"group_open_http_svc", "modify_group_base_info", `{"GroupId":"@TGS#x","Name":{}}`, `{"GroupId":"@TGS#x","AppDefinedData":[%s]}`, `{"GroupId":%s,"Name":"n"}`},

	{"sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":7}]}`, `{"From_Account":"alice","AddFriendItem":[%s]}`, `{"From_Account":%s,"AddFriendItem":[{"To_Account":"bob"}]}`},
	{"sns", "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddTime":"now"}]}`, `{"From_Account":"alice","AddFriendItem":[%s]}`, `{"From_Account":%s,"AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_x"}]}`},
	{"sns", "friend_delete", `{"From_Account":"alice","To_Account":"bob"}`, `{"From_Account":"alice","To_Account":[%s]}`, `{"From_Account":%s,"To_Account":["bob"]}`},
	{"sns", "friend_check", `{"From_Account":1,"To_Account":["bob"]}`, `{"From_Account":"alice","To_Account":[%s],"CheckType":"CheckResult_Type_Both"}`, `{"From_Account":"alice","To_Account":[%s],"CheckType":"CheckResult_Type_Both"}`},
	{"sns", "friend_get", `{"From_Account":"alice","StartIndex":"0"}`, `{"From_Account":[%s]}`, `{"From_Account":%s,"StartIndex":0}`},
	{"sns", "group_add", `{"From_Account":"alice","GroupName":"L2"}`, `{"From_Account":"alice","GroupName":[%s]}`, `{"From_Account":%s,"GroupName":["L9"]}`},
	{"sns", "group_delete", `{"From_Account":"alice","GroupName":[1]}`, `{"From_Account":"alice","GroupName":[%s]}`, `{"From_Account":"alice","GroupName":[%s]}`},
	{"sns", "group_get", `{"From_Account":"alice","LastSequence":"1"}`, `{"From_Account":"alice","GroupName":[%s]}`, `{"From_Account":%s}`},

	{"recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":{"GroupName":"x"}}`, `{"From_Account":"alice","GroupContactItem":[{"GroupName":"big","ContactItem":[%s]}]}`, `{"From_Account":%s,"GroupContactItem":[{"GroupName":"x","ContactItem":[{"Type":1,"To_Account":"bob"}]}]}`},
	{"recentcontact", "update_contact_group", `{"From_Account":"alice","UpdateType":"1"}`, `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"cg","ContactUpdateItem":[%s]}}`, `{"From_Account":%s,"UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"cg","NewGroupName":"cg2"}}`},
	{"recentcontact", "get_contact_group", `{"From_Account":"alice","StartIndex":"0"}`, `{"From_Account":[%s]}`, `{"From_Account":%s}`},
	{"recentcontact", "search_contact_group", `{"From_Account":"alice","ContactItem":[{"Type":"1","To_Account":"bob"}]}`, `{"From_Account":"alice","ContactItem":[%s]}`, `{"From_Account":"alice","ContactItem":[{"Type":1,"To_Account":%s}]}`},
	{"recentcontact", "mark_contact", `{"From_Account":"alice","MarkItem":[{"OptType":1,"SetMark":"1"}]}`, `{"From_Account":"alice","MarkItem":[%s]}`, `{"From_Account":%s,"MarkItem":[{"OptType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"SetMark":[1]}]}`},
	{"recentcontact", "del_contact_group", `{"From_Account":"alice","GroupName":"cg"}`, `{"From_Account":"alice","GroupName":[%s]}`, `{"From_Account":"alice","GroupName":[%s]}`},

	{"timd_callback", "list_deliveries", `{"Limit":"10"}`, `{"Limit":[%s]}`, `{"Key":%s}`},
	{"timd_callback", "replay", `{"Id":"1"}`, `{"Id":[%s]}`, `{"Id":%s}`},
	{"timd_callback", "replay_dead", `"all"`, `[%s]`, `[%s]`},
	{"timd_callback", "purge", `{"Before":"yesterday"}`, `{"Before":[%s]}`, `{"Before":%s}`},

	{"im_open_login_svc", "account_import", `{"UserID":123}`, `{"UserID":[%s]}`, `{"UserID":%s}`},
	{"im_open_login_svc", "multiaccount_import", `{"Accounts":"abc"}`, `{"Accounts":[%s]}`, `{"Accounts":[%s]}`},
	{"im_open_login_svc", "account_delete", `{"DeleteItem":{"UserID":"a"}}`, `{"DeleteItem":[%s]}`, `{"DeleteItem":[{"UserID":%s}]}`},
	{"im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":5}]}`, `{"CheckItem":[%s]}`, `{"CheckItem":[{"UserID":%s}]}`},
}

// bigElements is the inside of a 10,000-element JSON array of objects and
// strings alike: every element is a string that names nobody known.
func bigElements(route hostileRoute) string {
	var b strings.Builder
	// Arrays of objects get objects, arrays of strings get strings; a
	// scalar field gets either, which is the wrong type anyway.
	objects := strings.Contains(route.bigArray, "Item\":[%s]") || strings.Contains(route.bigArray, "MemberList\":[%s]") ||
		strings.Contains(route.bigArray, "AppDefinedData\":[%s]") || strings.Contains(route.bigArray, "ContactItem\":[%s]")
	for i := 0; i < 10000; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		switch {
		case !objects:
			fmt.Fprintf(&b, `"hx%d"`, i)
		case strings.Contains(route.bigArray, "MemberList"):
			fmt.Fprintf(&b, `{"Member_Account":"hx%d"}`, i)
		case strings.Contains(route.bigArray, "AppDefinedData"):
			fmt.Fprintf(&b, `{"Key":"k%d","Value":"v"}`, i)
		case strings.Contains(route.bigArray, "AddFriendItem"):
			fmt.Fprintf(&b, `{"To_Account":"hx%d"}`, i)
		case strings.Contains(route.bigArray, "ContactUpdateItem"):
			fmt.Fprintf(&b, `{"ContactOptType":1,"ContactItem":{"Type":1,"To_Account":"hx%d"}}`, i)
		case strings.Contains(route.bigArray, "MarkItem"):
			fmt.Fprintf(&b, `{"OptType":1,"ContactItem":{"Type":1,"To_Account":"hx%d"},"SetMark":[1]}`, i)
		case strings.Contains(route.bigArray, "ContactItem"):
			fmt.Fprintf(&b, `{"Type":1,"To_Account":"hx%d"}`, i)
		default:
			fmt.Fprintf(&b, `{"UserID":"hx%d"}`, i)
		}
	}
	return b.String()
}

// hostileIDs are JSON string literals of hostile identifiers, written by
// hand so that invalid UTF-8 and raw control bytes reach the server as is.
var hostileIDs = []struct{ name, lit string }{
	{"SQLQuote", `"'; DROP TABLE accounts;--"`},
	{"SQLOr", `"\" OR 1=1"`},
	{"SQLOrBare", `"x' OR '1'='1"`},
	{"NULEscaped", `"ali\u0000ce"`},
	{"NULOnly", `"\u0000"`},
	{"NULRaw", "\"ali\x00ce\""},
	{"InvalidUTF8", "\"al\xff\xfeice\""},
	{"OverlongUTF8", "\"\xc0\xaf\xed\xa0\x80\""},
	{"LoneSurrogate", `"\ud800"`},
	{"Percent", `"%00%27"`},
	{"Empty", `""`},
	{"Long", `"` + strings.Repeat("a", 5000) + `"`},
}

// doReader sends a request whose body is r (chunked when r's length is not
// known to net/http) and checks the envelope.
func doReader(t *testing.T, h *Harness, path, query string, body io.Reader) Reply {
	t.Helper()
	req, err := http.NewRequest("POST", h.URL+path+"?"+query, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return checkEnvelope(t, path, resp.StatusCode, resp.Header.Get("Content-Type"), raw)
}

// checkEnvelope checks the invariants of every reply (docs/decisions.md §1.1)
// and returns it decoded.
func checkEnvelope(tb testing.TB, path string, status int, ct string, raw []byte) Reply {
	tb.Helper()
	if status != 200 {
		tb.Fatalf("%s: HTTP %d: %.300s", path, status, raw)
	}
	if ct != "application/json; charset=utf-8" {
		tb.Fatalf("%s: Content-Type = %q", path, ct)
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	r := Reply{Raw: string(raw)}
	if err := dec.Decode(&r.M); err != nil {
		tb.Fatalf("%s: reply is not a JSON object: %v: %.300s", path, err, raw)
	}
	if dec.More() {
		tb.Fatalf("%s: trailing data after the reply: %.300s", path, raw)
	}
	code := r.Code(tb)
	status2, _ := r.M["ActionStatus"].(string)
	if _, ok := r.M["ErrorInfo"].(string); !ok {
		tb.Fatalf("%s: ErrorInfo missing: %.300s", path, raw)
	}
	if (code == 0) != (status2 == "OK") || (status2 != "OK" && status2 != "FAIL") {
		tb.Fatalf("%s: ActionStatus %q with ErrorCode %d: %.300s", path, status2, code, raw)
	}
	return r
}

// snapshot reads state the hostile batch must leave as it found it.
func snapshot(t *testing.T, h *Harness, groupID string) []string {
	t.Helper()
	reads := []struct{ svc, cmd, body string }{
		{"im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"},{"UserID":"administrator"}]}`},
		{"group_open_http_svc", "get_appid_group_list", `{}`},
		{"group_open_http_svc", "get_group_info", `{"GroupIdList":["` + groupID + `"]}`},
		{"group_open_http_svc", "get_joined_group_list", `{"Member_Account":"alice"}`},
		{"sns", "group_get", `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`},
		{"sns", "friend_get", `{"From_Account":"alice","StartIndex":0}`},
		{"sns", "friend_get", `{"From_Account":"bob","StartIndex":0}`},
		{"recentcontact", "get_contact_group", `{"From_Account":"alice","StartIndex":0}`},
	}
	var out []string
	for _, rd := range reads {
		r := h.MustCall(0, rd.svc, rd.cmd, rd.body)
		out = append(out, rd.svc+"/"+rd.cmd+" "+rd.body+" => "+r.Raw)
	}
	return out
}

// Ensure hostile requests to every command get a documented code, never
// the internal one, leave the server answering and change nothing stored.
func TestHostileRequests(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		groupID := hostileKnownState(t, h)
		before := snapshot(t, h, groupID)
		in := newHostileInputs(AdminQuery(t))
		normal := func(t *testing.T) {
			t.Helper()
			h.MustCall(0, "im_open_login_svc", "account_check", `{"CheckItem":[{"UserID":"alice"}]}`)
		}

		for _, rt := range hostileRoutes {
			t.Run(rt.svc+"/"+rt.cmd, func(t *testing.T) {
				for _, rw := range in.rows(rt) {
					t.Run(rw.name, func(t *testing.T) { checkHostileRow(t, h, rt, rw) })
				}
				normal(t)
			})
		}

		normal(t)
		after := snapshot(t, h, groupID)
		for i := range before {
			if before[i] != after[i] {
				t.Errorf("state changed:\nbefore: %s\nafter:  %s", before[i], after[i])
			}
		}
	})
}

// hostileKnownState makes the state the hostile requests must not change:
// users, a group, a friend list, a conversation group. It returns the
// group's id.
func hostileKnownState(t *testing.T, h *Harness) (groupID string) {
	h.MustCall(0, "im_open_login_svc", "multiaccount_import", `{"Accounts":["alice","bob","carol"]}`)
	g := h.MustCall(0, "group_open_http_svc", "create_group", `{"Owner_Account":"alice","Type":"Public","Name":"known","MemberList":[{"Member_Account":"bob"}]}`)
	groupID, _ = g.M["GroupId"].(string)
	if groupID == "" {
		t.Fatalf("create_group: no GroupId: %v", g)
	}
	h.MustCall(0, "sns", "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_Test"}],"AddType":"Add_Type_Both","ForceAddFlags":1}`)
	h.MustCall(0, "sns", "group_add", `{"From_Account":"alice","GroupName":["L1"]}`)
	h.MustCall(0, "recentcontact", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"cg","ContactItem":[{"Type":1,"To_Account":"bob"}]}]}`)
	return groupID
}

// hostileRow is one hostile request to a route and the answer it must get.
type hostileRow struct {
	name  string
	query string
	body  func() io.Reader
	want  int // exact code; 0 with anyOK means "a service code"
	// anyOK accepts any documented answer (svcCodes.ok).
	anyOK bool
	// sameAs compares the code with that of the same body sent
	// with the clean query.
	sameAs string
}

// hostileInputs are the queries and bodies of the hostile requests made
// once for every route.
type hostileInputs struct {
	query                                        string
	huge, deepOpen, deepClosed, deepObj          string
	deepField, dupQuery, hugeRandom, weirdRandom string
}

func newHostileInputs(query string) hostileInputs {
	return hostileInputs{
		query:       query,
		huge:        `{"From_Account":"` + strings.Repeat("a", 1<<20) + `"}`,
		deepOpen:    strings.Repeat("[", 10000),
		deepClosed:  strings.Repeat("[", 10001) + strings.Repeat("]", 10001),
		deepObj:     strings.Repeat(`{"a":`, 10001) + "1" + strings.Repeat("}", 10001),
		deepField:   `{"From_Account":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
		dupQuery:    query + "&sdkappid=1400000002&identifier=alice&usersig=junk&random=1&random=2&contenttype=xml",
		hugeRandom:  strings.Replace(query, "random=12345", "random="+strings.Repeat("9", 100000), 1),
		weirdRandom: strings.Replace(query, "random=12345", "random=-1e999&random=%ff%00", 1),
	}
}

// strBody is a body of s with its length known.
func strBody(s string) func() io.Reader { return func() io.Reader { return strings.NewReader(s) } }

// hiddenBody hides the length of the body s, so it goes chunked.
func hiddenBody(s string) func() io.Reader {
	return func() io.Reader { return io.MultiReader(strings.NewReader(s)) }
}

// rows are the hostile requests to rt.
func (in hostileInputs) rows(rt hostileRoute) []hostileRow {
	codes := hostileServices[rt.svc]
	query, str, hidden := in.query, strBody, hiddenBody
	rows := []hostileRow{
		{name: "BodyOverLimit", query: query, body: str(in.huge), want: 60002},
		{name: "BodyOverLimitChunked", query: query, body: hidden(in.huge), want: 60002},
		{name: "BodyOverLimitAnyBytes", query: query, body: str(strings.Repeat("\xff", 1<<20+1)), want: 60002},
		{name: "DeepUnclosed", query: query, body: str(in.deepOpen), want: 60003},
		{name: "DeepClosedArray", query: query, body: str(in.deepClosed), anyOK: true},
		{name: "DeepObject", query: query, body: str(in.deepObj), anyOK: true},
		{name: "DeepInField", query: query, body: str(in.deepField), anyOK: true},
		{name: "WrongTypeField", query: query, body: str(rt.wrongType), want: codes.invalid},
		{name: "TopLevelArray", query: query, body: str(`[{"a":1}]`), want: codes.invalid},
		{name: "TopLevelNumber", query: query, body: str(`12345`), want: codes.invalid},
		{name: "TopLevelString", query: query, body: str(`"x"`), want: codes.invalid},
		{name: "TopLevelBool", query: query, body: str(`true`), want: codes.invalid},
		{name: "NotJSON", query: query, body: str(`{"From_Account":`), want: 60003},
		{name: "TrailingGarbage", query: query, body: str(`{} {}`), want: 60003},
		{name: "BigArray", query: query, body: str(fmt.Sprintf(rt.bigArray, bigElements(rt))), anyOK: true},
		{name: "DuplicatedQuery", query: in.dupQuery, body: str(`{}`), sameAs: `{}`},
		{name: "HugeRandom", query: in.hugeRandom, body: str(`{}`), sameAs: `{}`},
		{name: "WeirdRandom", query: in.weirdRandom, body: str(`{}`), sameAs: `{}`},
	}
	// A number too big for any Go integer where the command reads one.
	if b := overflowBody(rt); b != "" {
		rows = append(rows, hostileRow{name: "NumberOverflow", query: query, body: str(b), want: codes.invalid})
	}
	for _, id := range hostileIDs {
		rows = append(rows, hostileRow{name: "ID" + id.name, query: query, body: str(fmt.Sprintf(rt.idBody, id.lit)), anyOK: true})
	}
	return rows
}

// checkHostileRow sends rw to rt and checks the answer: ErrorDisplay only
// where the service has one, and the code rw asks for.
func checkHostileRow(t *testing.T, h *Harness, rt hostileRoute, rw hostileRow) {
	codes := hostileServices[rt.svc]
	r := doReader(t, h, rt.path(), rw.query, rw.body())
	code := r.Code(t)
	hasDisplay := r.M["ErrorDisplay"] != nil
	if want := rt.svc == "sns" || rt.svc == "recentcontact"; hasDisplay != want {
		t.Errorf("ErrorDisplay present = %v: %.300s", hasDisplay, r.Raw)
	}
	switch {
	case rw.sameAs != "":
		clean := h.Call(rt.svc, rt.cmd, rw.sameAs).Code(t)
		if code != clean || code == codes.internal {
			t.Errorf("ErrorCode %d, the clean query answers %d: %.300s", code, clean, r.Raw)
		}
	case rw.anyOK:
		if !codes.ok(code) {
			t.Errorf("ErrorCode %d is not a documented answer of %s: %.300s", code, rt.svc, r.Raw)
		}
	default:
		if code != rw.want {
			t.Errorf("ErrorCode %d, want %d: %.300s", code, rw.want, r.Raw)
		}
	}
}

// overflowBody is a body with an integer field out of every Go integer's
// range, or "" when the command reads no integer. The decoder reports it as
// a wrong type, so it is the service's invalid-parameter code.
func overflowBody(rt hostileRoute) string {
	const big = "123456789012345678901234567890"
	switch rt.svc + "/" + rt.cmd {
	case "group_open_http_svc/get_appid_group_list", "group_open_http_svc/get_joined_group_list", "timd_callback/list_deliveries":
		return `{"Member_Account":"alice","Limit":` + big + `}`
	case "group_open_http_svc/get_group_member_info":
		return `{"GroupId":"@TGS#x","Offset":` + big + `}`
	case "group_open_http_svc/create_group":
		return `{"Type":"Public","Name":"g","MaxMemberCount":` + big + `}`
	case "group_open_http_svc/modify_group_base_info":
		return `{"GroupId":"@TGS#x","MaxMemberNum":` + big + `}`
	case "group_open_http_svc/add_group_member", "group_open_http_svc/delete_group_member":
		return `{"GroupId":"@TGS#x","Silence":` + big + `}`
	case "sns/friend_get", "recentcontact/get_contact_group":
		return `{"From_Account":"alice","StartIndex":` + big + `}`
	case "sns/group_get":
		return `{"From_Account":"alice","LastSequence":` + big + `}`
	case "sns/friend_add":
		return `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob"}],"ForceAddFlags":` + big + `}`
	case "recentcontact/update_contact_group":
		return `{"From_Account":"alice","UpdateType":` + big + `}`
	case "recentcontact/mark_contact":
		return `{"From_Account":"alice","MarkItem":[{"OptType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"SetMark":[` + big + `]}]}`
	case "recentcontact/search_contact_group":
		return `{"From_Account":"alice","ContactItem":[{"Type":` + big + `,"To_Account":"bob"}]}`
	case "timd_callback/replay":
		return `{"Id":` + big + `}`
	case "timd_callback/purge":
		return `{"Before":` + big + `}`
	}
	return ""
}
