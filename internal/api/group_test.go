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
		// The cases run in this order, each on what the earlier ones left.
		var cases []groupCase
		for _, part := range [][]groupCase{createIDCases(), createFieldCases(), createAppDefinedCases(), createMemberCases()} {
			cases = append(cases, part...)
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

// xs is n bytes of x.
func xs(n int) string { return strings.Repeat("x", n) }

// publicGroupBody is create_group's body for a Public group named n, with
// the extra fields.
func publicGroupBody(extra string) string { return `{"Type":"Public","Name":"n",` + extra + `}` }

// createOK is a create_group case that succeeds, its reply holding want,
// and records the create event.
func createOK(name, body string, want ...string) groupCase {
	return groupCase{name: name, command: "create_group", body: body, want: want, event: im.CallbackAfterCreateGroup}
}

// createBad is a create_group case refused with code.
func createBad(name string, code int, body string) groupCase {
	return groupCase{name: name, command: "create_group", body: body, code: code}
}

// createIDCases are the create_group cases of custom GroupIds.
func createIDCases() []groupCase {
	return []groupCase{
		createOK("CustomID", `{"Owner_Account":"alice","Type":"Public","GroupId":"MyFirstGroup","Name":"TestGroup"}`, `"GroupId":"MyFirstGroup"`),
		createBad("ErrIDInUse", 10021, `{"Type":"Private","GroupId":"MyFirstGroup","Name":"again"}`),
		createOK("ID48Bytes", publicGroupBody(`"GroupId":"`+xs(48)+`"`), `"GroupId":"`+xs(48)+`"`),
		createOK("IDPunctuation", publicGroupBody(`"GroupId":"a@b#c!~"`), `"GroupId":"a@b#c!~"`),
		createBad("ErrID49Bytes", 10004, publicGroupBody(`"GroupId":"`+xs(49)+`"`)),
		createBad("ErrIDSpace", 10004, publicGroupBody(`"GroupId":"my group"`)),
		createBad("ErrIDEmpty", 10004, publicGroupBody(`"GroupId":""`)),
		createBad("ErrIDControlChar", 10004, publicGroupBody(`"GroupId":"a\u0001b"`)),
		createBad("ErrIDNonASCII", 10004, publicGroupBody(`"GroupId":"群组"`)),
		createBad("ErrIDNotString", 10004, publicGroupBody(`"GroupId":5`)),
		createBad("ErrIDTGSPublic", 10004, publicGroupBody(`"GroupId":"@TGS#2J4SZEAEL"`)),
		createBad("ErrIDTGSPrivate", 10004, `{"Type":"Private","Name":"n","GroupId":"@TGS#_x"}`),
		createOK("CommunityID", `{"Type":"Community","Name":"n","GroupId":"@TGS#_mine"}`, `"GroupId":"@TGS#_mine"`),
		createBad("ErrCommunityPlainID", 10004, `{"Type":"Community","Name":"n","GroupId":"mine"}`),
		createBad("ErrCommunityTGSID", 10004, `{"Type":"Community","Name":"n","GroupId":"@TGS#mine"}`),
		createBad("ErrCommunityPrefixOnly", 10004, `{"Type":"Community","Name":"n","GroupId":"@TGS#_"}`),
		createBad("ErrCommunityIDSpace", 10004, `{"Type":"Community","Name":"n","GroupId":"@TGS#_a b"}`),
	}
}

// createFieldCases are the create_group cases of Type, Name and the
// group's other fields.
func createFieldCases() []groupCase {
	return []groupCase{
		createBad("ErrNoType", 10004, `{"Name":"n"}`),
		createBad("ErrTypeNotString", 10004, `{"Type":1,"Name":"n"}`),
		createBad("ErrBadType", 10004, `{"Type":"Secret","Name":"n"}`),
		createBad("ErrTypeCase", 10004, `{"Type":"public","Name":"n"}`),
		createBad("ErrBChatRoom", 10004, `{"Type":"BChatRoom","Name":"n"}`),
		createBad("ErrNoName", 10004, `{"Type":"Public"}`),
		createBad("ErrNullName", 10004, `{"Type":"Public","Name":null}`),
		createBad("ErrEmptyName", 10004, `{"Type":"Public","Name":""}`),
		createOK("Name30Bytes", `{"Type":"Public","Name":"`+xs(30)+`"}`),
		createBad("ErrName31Bytes", 10004, `{"Type":"Public","Name":"`+xs(31)+`"}`),
		createOK("Name10CJK", `{"Type":"Public","Name":"`+strings.Repeat("群", 10)+`"}`),
		createBad("ErrName11CJK", 10004, `{"Type":"Public","Name":"`+strings.Repeat("群", 11)+`"}`),
		createOK("Intro240", publicGroupBody(`"Introduction":"`+xs(240)+`"`)),
		createBad("ErrIntro241", 10004, publicGroupBody(`"Introduction":"`+xs(241)+`"`)),
		createOK("Notification300", publicGroupBody(`"Notification":"`+xs(300)+`"`)),
		createBad("ErrNotification301", 10004, publicGroupBody(`"Notification":"`+xs(301)+`"`)),
		createOK("FaceUrl100", publicGroupBody(`"FaceUrl":"`+xs(100)+`"`)),
		createBad("ErrFaceUrl101", 10004, publicGroupBody(`"FaceUrl":"`+xs(101)+`"`)),
		createOK("JoinOptions", publicGroupBody(`"ApplyJoinOption":"FreeAccess","InviteJoinOption":"DisableInvite"`)),
		createBad("ErrApplyJoinOption", 10004, publicGroupBody(`"ApplyJoinOption":"Anyone"`)),
		createBad("ErrInviteJoinOption", 10004, publicGroupBody(`"InviteJoinOption":"DisableApply"`)),
		createOK("MaxMemberCount", publicGroupBody(`"MaxMemberCount":500`)),
		createOK("MaxMemberCountPrivateCap", `{"Type":"Private","Name":"n","MaxMemberCount":200}`),
		createBad("ErrMaxMemberCount0", 10004, publicGroupBody(`"MaxMemberCount":0`)),
		createBad("ErrMaxMemberCountNegative", 10004, publicGroupBody(`"MaxMemberCount":-1`)),
		createBad("ErrMaxMemberCountString", 10004, publicGroupBody(`"MaxMemberCount":"5"`)),
		createBad("ErrMaxMemberCountPrivate", 10004, `{"Type":"Private","Name":"n","MaxMemberCount":201}`),
		createBad("ErrMaxMemberCountPublic", 10004, publicGroupBody(`"MaxMemberCount":2001`)),
		createBad("ErrMaxMemberCountChatRoom", 10004, `{"Type":"ChatRoom","Name":"n","MaxMemberCount":10001}`),
		createBad("ErrMaxMemberCountCommunity", 10004, `{"Type":"Community","Name":"n","MaxMemberCount":100001}`),
	}
}

// createAppDefinedCases are the create_group cases of AppDefinedData.
func createAppDefinedCases() []groupCase {
	return []groupCase{
		{name: "AppDefinedData", command: "create_group", body: publicGroupBody(`"AppDefinedData":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}]`),
			event: im.CallbackAfterCreateGroup, evWant: []string{`"UserDefinedDataList":[{"Key":"GroupTestData1","Value":"xxxxx"},{"Key":"GroupTestData2","Value":"abc\u0000\u0001"}]`}},
		createOK("AppDefinedData20", publicGroupBody(`"AppDefinedData":`+kvs(20))),
		createOK("AppDefinedValue512", publicGroupBody(`"AppDefinedData":[{"Key":"k","Value":"`+xs(512)+`"}]`)),
		createBad("ErrAppDefined21", 10004, publicGroupBody(`"AppDefinedData":`+kvs(21))),
		createBad("ErrAppDefinedValue513", 10004, publicGroupBody(`"AppDefinedData":[{"Key":"k","Value":"`+xs(513)+`"}]`)),
		createBad("ErrAppDefinedKeySpace", 10004, publicGroupBody(`"AppDefinedData":[{"Key":"Group TestData2","Value":"v"}]`)), // spaces around a key are dropped (TestGroup_CustomKeySpaces)
		createBad("ErrAppDefinedKeyDash", 10004, publicGroupBody(`"AppDefinedData":[{"Key":"a-b","Value":"v"}]`)),
		createBad("ErrAppDefinedKey17", 10004, publicGroupBody(`"AppDefinedData":[{"Key":"`+xs(17)+`","Value":"v"}]`)),
		createBad("ErrAppDefinedKeyEmpty", 10004, publicGroupBody(`"AppDefinedData":[{"Key":"","Value":"v"}]`)),
		createBad("ErrAppDefinedNoValue", 10004, publicGroupBody(`"AppDefinedData":[{"Key":"k"}]`)),
		createBad("ErrAppDefinedNotArray", 10004, publicGroupBody(`"AppDefinedData":{"Key":"k","Value":"v"}`)),
	}
}

// createMemberCases are the create_group cases of the owner and the members.
func createMemberCases() []groupCase {
	return []groupCase{
		{name: "Members", command: "create_group", body: publicGroupBody(`"Owner_Account":"alice","MemberList":[{"Member_Account":"bob","Role":"Admin"},{"Member_Account":"carol"}]`),
			event: im.CallbackAfterCreateGroup, evWant: []string{`"GroupId":"@TGS#2`, `"Operator_Account":"administrator"`, `"Owner_Account":"alice"`, `"Type":"Public"`, `"Name":"n"`,
				`{"Member_Account":"bob"},{"Member_Account":"carol"}]`, `"UserDefinedDataList":[]`}},
		{name: "EventWorkAlias", command: "create_group", body: `{"Type":"Work","GroupId":"W","Name":"w"}`,
			event: im.CallbackAfterCreateGroup, evWant: []string{`"GroupId":"W"`, `"Type":"Private"`, `"Owner_Account":""`, `"MemberList":[]`}},
		createOK("Members100", publicGroupBody(`"MemberList":`+memberList(users("u", 100)...))),
		createBad("ErrMembers101", 10005, publicGroupBody(`"MemberList":`+memberList(users("u", 101)...))),
		createBad("ErrMemberNoAccount", 10004, publicGroupBody(`"MemberList":[{"Role":"Admin"}]`)),
		createBad("ErrMemberRoleOwner", 10004, publicGroupBody(`"MemberList":[{"Member_Account":"bob","Role":"Owner"}]`)),
		createBad("ErrMemberRoleUnknown", 10004, publicGroupBody(`"MemberList":[{"Member_Account":"bob","Role":"Boss"}]`)),
		createOK("MemberDefinedData", publicGroupBody(`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"MemberDefined1","Value":"MemberData1"}]}]`)),
		createBad("ErrMemberDefinedKey", 10004, publicGroupBody(`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"a b","Value":"v"}]}]`)),
		createBad("ErrMemberDefinedValue65", 10004, publicGroupBody(`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"k","Value":"`+xs(65)+`"}]}]`)),
		createBad("ErrOwnerNotImported", 10019, publicGroupBody(`"Owner_Account":"leckie"`)),
		createBad("ErrMemberNotImported", 10019, publicGroupBody(`"Owner_Account":"alice","MemberList":[{"Member_Account":"bob"},{"Member_Account":"peter"}]`)),
		createBad("ErrOverMaxMemberCount", 10014, publicGroupBody(`"MaxMemberCount":2,"Owner_Account":"alice","MemberList":`+memberList("bob", "carol"))),
		createOK("AtMaxMemberCount", publicGroupBody(`"MaxMemberCount":2,"Owner_Account":"alice","MemberList":`+memberList("bob", "alice"))),
		createOK("AVChatRoomOwner", `{"Type":"AVChatRoom","Name":"live","Owner_Account":"alice"}`),
		createOK("AVChatRoomEmptyList", `{"Type":"AVChatRoom","Name":"live","MemberList":[]}`),
		createBad("ErrAVChatRoomMembers", 10007, `{"Type":"AVChatRoom","Name":"live","MemberList":[{"Member_Account":"bob"}]}`),
		createBad("ErrSupportTopicPublic", 10004, publicGroupBody(`"SupportTopic":1`)),
		createOK("SupportTopicCommunity", `{"Type":"Community","Name":"TestCommunityGroup","SupportTopic":1}`),
		createOK("NullOptionals", publicGroupBody(`"Owner_Account":null,"MemberList":null,"AppDefinedData":null`)),
		createOK("UnknownFields", publicGroupBody(`"HugeGroupFlag":0,"Whatever":{"a":[1]}`)),
		createBad("ErrBodyArray", 10004, `[]`),
	}
}
