package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const grp = "group_open_http_svc"

// withCallbacks gives TestApp a callback URL, so that its events are recorded
// (nothing delivers them in these tests).
func withCallbacks(o *api.Options) { o.Apps[0].Callback.URL = "http://127.0.0.1:1/cb" }

// openGroups starts a server whose TestApp records events, with the given
// accounts imported.
func openGroups(t *testing.T, dsn string, users ...string) *Harness {
	t.Helper()
	h := MustOpenHarness(t, dsn, withCallbacks)
	h.importUsers(users...)
	return h
}

// importUsers imports accounts, 100 per call.
func (h *Harness) importUsers(users ...string) {
	h.tb.Helper()
	for len(users) > 0 {
		n := min(len(users), 100)
		b, _ := json.Marshal(map[string]any{"Accounts": users[:n]})
		r := h.MustCall(0, login, "multiaccount_import", string(b))
		if !strings.Contains(r.Raw, `"FailAccounts":[]`) {
			h.tb.Fatalf("import: %s", r.Raw)
		}
		users = users[n:]
	}
}

// users returns n UserIDs prefix0..prefix(n-1).
func users(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%d", prefix, i)
	}
	return out
}

// memberList renders ids as a MemberList array.
func memberList(ids ...string) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = `{"Member_Account":` + jstr(id) + `}`
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// jstr renders v as JSON.
func jstr(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// event is a recorded event with its body decoded (numbers as json.Number).
type event struct {
	Command, Key string
	Raw          string
	Body         map[string]any
}

// events returns TestApp's recorded events, oldest first.
func (h *Harness) events() []event {
	h.tb.Helper()
	evs, err := h.Store.Events(h.tb.Context(), TestAppID)
	if err != nil {
		h.tb.Fatal(err)
	}
	out := make([]event, len(evs))
	for i, ev := range evs {
		dec := json.NewDecoder(bytes.NewReader(ev.Body))
		dec.UseNumber()
		out[i] = event{Command: ev.Command, Key: ev.Key, Raw: string(ev.Body)}
		if err := dec.Decode(&out[i].Body); err != nil {
			h.tb.Fatalf("event body %s: %v", ev.Body, err)
		}
		if out[i].Body["CallbackCommand"] != ev.Command {
			h.tb.Fatalf("event %s carries CallbackCommand %v", ev.Command, out[i].Body["CallbackCommand"])
		}
		if _, ok := out[i].Body["EventTime"].(json.Number); !ok {
			h.tb.Fatalf("EventTime is not a JSON number: %s", ev.Body)
		}
	}
	return out
}

// eventsOf returns the recorded events of one command.
func (h *Harness) eventsOf(command string) []event {
	h.tb.Helper()
	var out []event
	for _, ev := range h.events() {
		if ev.Command == command {
			out = append(out, ev)
		}
	}
	return out
}

// create creates a group and returns its GroupId.
func (h *Harness) create(body string) string {
	h.tb.Helper()
	r := h.MustCall(0, grp, "create_group", body)
	id, _ := r.M["GroupId"].(string)
	if id == "" {
		h.tb.Fatalf("create_group: no GroupId: %s", r.Raw)
	}
	return id
}

// groupCount is get_appid_group_list's TotalCount.
func (h *Harness) groupCount() int {
	h.tb.Helper()
	r := h.MustCall(0, grp, "get_appid_group_list", `{}`)
	n, _ := r.M["TotalCount"].(json.Number).Int64()
	return int(n)
}

// groupCase is a scenario row of group_open_http_svc.
type groupCase = callCase

// runGroupCases runs group_open_http_svc rows.
func runGroupCases(t *testing.T, h *Harness, cases []groupCase) {
	t.Helper()
	runCases(t, h, grp, cases)
}

// kvs renders n AppDefinedData entries k0..k(n-1).
func kvs(n int) string { return prefixedKVs("k", n) }

// prefixedKVs renders n AppDefinedData entries prefix0..prefix(n-1).
func prefixedKVs(prefix string, n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"Key":"%s%d","Value":"v"}`, prefix, i)
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// Ensure automatic GroupIds are "@TGS#", the type character and 8 characters
// of A-Z0-9, and that Work and Meeting are stored as Private and ChatRoom.
func TestGroup_AutomaticIDs(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn)
		seen := map[string]bool{}
		for _, tc := range []struct{ typ, stored, char string }{
			{"Private", "Private", "1"}, {"Work", "Private", "1"},
			{"Public", "Public", "2"},
			{"ChatRoom", "ChatRoom", "3"}, {"Meeting", "ChatRoom", "3"},
			{"AVChatRoom", "AVChatRoom", "a"},
			{"Community", "Community", "_"},
		} {
			for range 3 {
				id := h.create(`{"Type":"` + tc.typ + `","Name":"n"}`)
				if !regexp.MustCompile(`^@TGS#`+tc.char+`[A-Z0-9]{8}$`).MatchString(id) || seen[id] {
					t.Fatalf("%s: GroupId %q", tc.typ, id)
				}
				seen[id] = true
				r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":[`+jstr(id)+`],"ResponseFilter":{"GroupBaseInfoFilter":["Type"]}}`)
				if want := `"GroupId":` + jstr(id) + `,"ErrorCode":0,"ErrorInfo":"","Type":"` + tc.stored + `"}`; !strings.Contains(r.Raw, want) {
					t.Fatalf("%s: %s lacks %s", tc.typ, r.Raw, want)
				}
			}
		}
		if n := h.groupCount(); n != len(seen) {
			t.Fatalf("TotalCount %d, want %d", n, len(seen))
		}
	})
}

// Ensure create_group accepts what Tencent documents and refuses the rest
// with the documented code, creating nothing and recording nothing then.
func TestGroup_Create(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 100), "alice", "bob", "carol")...)
		const ev = im.CallbackAfterCreateGroup
		long := func(n int) string { return strings.Repeat("x", n) }
		pub := func(extra string) string { return `{"Type":"Public","Name":"n",` + extra + `}` }
		ok := func(name, body string, want ...string) groupCase {
			return groupCase{name: name, command: "create_group", body: body, want: want, event: ev}
		}
		bad := func(name string, code int, body string) groupCase {
			return groupCase{name: name, command: "create_group", body: body, code: code}
		}
		cases := []groupCase{
			ok("CustomID", `{"Owner_Account":"alice","Type":"Public","GroupId":"MyFirstGroup","Name":"TestGroup"}`, `"GroupId":"MyFirstGroup"`),
			bad("ErrIDInUse", 10021, `{"Type":"Private","GroupId":"MyFirstGroup","Name":"again"}`),
			ok("ID48Bytes", pub(`"GroupId":"`+long(48)+`"`), `"GroupId":"`+long(48)+`"`),
			ok("IDPunctuation", pub(`"GroupId":"a@b#c!~"`), `"GroupId":"a@b#c!~"`),
			bad("ErrID49Bytes", 10004, pub(`"GroupId":"`+long(49)+`"`)),
			bad("ErrIDSpace", 10004, pub(`"GroupId":"my group"`)),
			bad("ErrIDEmpty", 10004, pub(`"GroupId":""`)),
			bad("ErrIDControlChar", 10004, pub(`"GroupId":"a\u0001b"`)),
			bad("ErrIDNonASCII", 10004, pub(`"GroupId":"群组"`)),
			bad("ErrIDNotString", 10004, pub(`"GroupId":5`)),
			bad("ErrIDTGSPublic", 10004, pub(`"GroupId":"@TGS#2J4SZEAEL"`)),
			bad("ErrIDTGSPrivate", 10004, `{"Type":"Private","Name":"n","GroupId":"@TGS#_x"}`),
			ok("CommunityID", `{"Type":"Community","Name":"n","GroupId":"@TGS#_mine"}`, `"GroupId":"@TGS#_mine"`),
			bad("ErrCommunityPlainID", 10004, `{"Type":"Community","Name":"n","GroupId":"mine"}`),
			bad("ErrCommunityTGSID", 10004, `{"Type":"Community","Name":"n","GroupId":"@TGS#mine"}`),
			bad("ErrCommunityPrefixOnly", 10004, `{"Type":"Community","Name":"n","GroupId":"@TGS#_"}`),
			bad("ErrCommunityIDSpace", 10004, `{"Type":"Community","Name":"n","GroupId":"@TGS#_a b"}`),

			bad("ErrNoType", 10004, `{"Name":"n"}`),
			bad("ErrTypeNotString", 10004, `{"Type":1,"Name":"n"}`),
			bad("ErrBadType", 10004, `{"Type":"Secret","Name":"n"}`),
			bad("ErrTypeCase", 10004, `{"Type":"public","Name":"n"}`),
			bad("ErrBChatRoom", 10004, `{"Type":"BChatRoom","Name":"n"}`),
			bad("ErrNoName", 10004, `{"Type":"Public"}`),
			bad("ErrNullName", 10004, `{"Type":"Public","Name":null}`),
			bad("ErrEmptyName", 10004, `{"Type":"Public","Name":""}`),
			ok("Name30Bytes", `{"Type":"Public","Name":"`+long(30)+`"}`),
			bad("ErrName31Bytes", 10004, `{"Type":"Public","Name":"`+long(31)+`"}`),
			ok("Name10CJK", `{"Type":"Public","Name":"`+strings.Repeat("群", 10)+`"}`),
			bad("ErrName11CJK", 10004, `{"Type":"Public","Name":"`+strings.Repeat("群", 11)+`"}`),
			ok("Intro240", pub(`"Introduction":"`+long(240)+`"`)),
			bad("ErrIntro241", 10004, pub(`"Introduction":"`+long(241)+`"`)),
			ok("Notification300", pub(`"Notification":"`+long(300)+`"`)),
			bad("ErrNotification301", 10004, pub(`"Notification":"`+long(301)+`"`)),
			ok("FaceUrl100", pub(`"FaceUrl":"`+long(100)+`"`)),
			bad("ErrFaceUrl101", 10004, pub(`"FaceUrl":"`+long(101)+`"`)),
			ok("JoinOptions", pub(`"ApplyJoinOption":"FreeAccess","InviteJoinOption":"DisableInvite"`)),
			bad("ErrApplyJoinOption", 10004, pub(`"ApplyJoinOption":"Anyone"`)),
			bad("ErrInviteJoinOption", 10004, pub(`"InviteJoinOption":"DisableApply"`)),
			ok("MaxMemberCount", pub(`"MaxMemberCount":500`)),
			ok("MaxMemberCountPrivateCap", `{"Type":"Private","Name":"n","MaxMemberCount":200}`),
			bad("ErrMaxMemberCount0", 10004, pub(`"MaxMemberCount":0`)),
			bad("ErrMaxMemberCountNegative", 10004, pub(`"MaxMemberCount":-1`)),
			bad("ErrMaxMemberCountString", 10004, pub(`"MaxMemberCount":"5"`)),
			bad("ErrMaxMemberCountPrivate", 10004, `{"Type":"Private","Name":"n","MaxMemberCount":201}`),
			bad("ErrMaxMemberCountPublic", 10004, pub(`"MaxMemberCount":2001`)),
			bad("ErrMaxMemberCountChatRoom", 10004, `{"Type":"ChatRoom","Name":"n","MaxMemberCount":10001}`),
			bad("ErrMaxMemberCountCommunity", 10004, `{"Type":"Community","Name":"n","MaxMemberCount":100001}`),

			{name: "AppDefinedData", command: "create_group", body: pub(`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}]`),
				event: ev, evWant: []string{`"UserDefinedDataList":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}]`}},
			ok("AppDefinedData20", pub(`"AppDefinedData":`+kvs(20))),
			ok("AppDefinedValue512", pub(`"AppDefinedData":[{"Key":"k","Value":"`+long(512)+`"}]`)),
			bad("ErrAppDefined21", 10004, pub(`"AppDefinedData":`+kvs(21))),
			bad("ErrAppDefinedValue513", 10004, pub(`"AppDefinedData":[{"Key":"k","Value":"`+long(513)+`"}]`)),
			bad("ErrAppDefinedKeySpace", 10004, pub(`"AppDefinedData":[{"Key":"Group TestData2","Value":"v"}]`)), // spaces around a key are dropped (TestGroup_CustomKeySpaces)
			bad("ErrAppDefinedKeyDash", 10004, pub(`"AppDefinedData":[{"Key":"a-b","Value":"v"}]`)),
			bad("ErrAppDefinedKey17", 10004, pub(`"AppDefinedData":[{"Key":"`+long(17)+`","Value":"v"}]`)),
			bad("ErrAppDefinedKeyEmpty", 10004, pub(`"AppDefinedData":[{"Key":"","Value":"v"}]`)),
			bad("ErrAppDefinedNoValue", 10004, pub(`"AppDefinedData":[{"Key":"k"}]`)),
			bad("ErrAppDefinedNotArray", 10004, pub(`"AppDefinedData":{"Key":"k","Value":"v"}`)),

			{name: "Members", command: "create_group", body: pub(`"Owner_Account":"alice","MemberList":[{"Member_Account":"bob","Role":"Admin"},{"Member_Account":"carol"}]`),
				event: ev, evWant: []string{`"GroupId":"@TGS#2`, `"Operator_Account":"administrator"`, `"Owner_Account":"alice"`, `"Type":"Public"`, `"Name":"n"`,
					`{"Member_Account":"bob"},{"Member_Account":"carol"}]`, `"UserDefinedDataList":[]`}},
			{name: "EventWorkAlias", command: "create_group", body: `{"Type":"Work","GroupId":"W","Name":"w"}`,
				event: ev, evWant: []string{`"GroupId":"W"`, `"Type":"Private"`, `"Owner_Account":""`, `"MemberList":[]`}},
			ok("Members100", pub(`"MemberList":`+memberList(users("u", 100)...))),
			bad("ErrMembers101", 10005, pub(`"MemberList":`+memberList(users("u", 101)...))),
			bad("ErrMemberNoAccount", 10004, pub(`"MemberList":[{"Role":"Admin"}]`)),
			bad("ErrMemberRoleOwner", 10004, pub(`"MemberList":[{"Member_Account":"bob","Role":"Owner"}]`)),
			bad("ErrMemberRoleUnknown", 10004, pub(`"MemberList":[{"Member_Account":"bob","Role":"Boss"}]`)),
			ok("MemberDefinedData", pub(`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"MemberDefined1","Value":"MemberData1"}]}]`)),
			bad("ErrMemberDefinedKey", 10004, pub(`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"a b","Value":"v"}]}]`)),
			bad("ErrMemberDefinedValue65", 10004, pub(`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"k","Value":"`+long(65)+`"}]}]`)),
			bad("ErrOwnerNotImported", 10019, pub(`"Owner_Account":"leckie"`)),
			bad("ErrMemberNotImported", 10019, pub(`"Owner_Account":"alice","MemberList":[{"Member_Account":"bob"},{"Member_Account":"peter"}]`)),
			bad("ErrOverMaxMemberCount", 10014, pub(`"MaxMemberCount":2,"Owner_Account":"alice","MemberList":`+memberList("bob", "carol"))),
			ok("AtMaxMemberCount", pub(`"MaxMemberCount":2,"Owner_Account":"alice","MemberList":`+memberList("bob", "alice"))),
			ok("AVChatRoomOwner", `{"Type":"AVChatRoom","Name":"live","Owner_Account":"alice"}`),
			ok("AVChatRoomEmptyList", `{"Type":"AVChatRoom","Name":"live","MemberList":[]}`),
			bad("ErrAVChatRoomMembers", 10007, `{"Type":"AVChatRoom","Name":"live","MemberList":[{"Member_Account":"bob"}]}`),
			bad("ErrSupportTopicPublic", 10004, pub(`"SupportTopic":1`)),
			ok("SupportTopicCommunity", `{"Type":"Community","Name":"TestCommunityGroup","SupportTopic":1}`),
			ok("NullOptionals", pub(`"Owner_Account":null,"MemberList":null,"AppDefinedData":null`)),
			ok("UnknownFields", pub(`"HugeGroupFlag":0,"Whatever":{"a":[1]}`)),
			bad("ErrBodyArray", 10004, `[]`),
		}
		runGroupCases(t, h, cases)

		// Only the successful calls created groups.
		want := 0
		for _, tc := range cases {
			if tc.code == 0 {
				want++
			}
		}
		if n := h.groupCount(); n != want {
			t.Fatalf("TotalCount %d, want %d", n, want)
		}
		if n := len(h.eventsOf(ev)); n != want {
			t.Fatalf("%d create events, want %d", n, want)
		}
	})
}
