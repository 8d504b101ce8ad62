package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// namedCommands are the commands that name one existing group, each with a
// body that is valid but for its GroupId member (f).
var namedCommands = []struct {
	command string
	body    func(f string) string
}{
	{"destroy_group", func(f string) string { return `{` + f + `}` }},
	{"add_group_member", func(f string) string { return `{` + f + `,"MemberList":[{"Member_Account":"carol"}]}` }},
	{"delete_group_member", func(f string) string { return `{` + f + `,"MemberToDel_Account":["bob"]}` }},
	{"get_group_member_info", func(f string) string { return `{` + f + `,"Limit":10}` }},
	{"change_group_owner", func(f string) string { return `{` + f + `,"NewOwner_Account":"bob"}` }},
	{"modify_group_base_info", func(f string) string { return `{` + f + `,"Name":"renamed"}` }},
	{"modify_group_attr", func(f string) string { return `{` + f + `,"GroupAttr":[{"key":"k","value":"v"}]}` }},
	{"set_group_attr", func(f string) string { return `{` + f + `,"GroupAttr":[{"key":"k","value":"v"}]}` }},
	{"delete_group_attr", func(f string) string { return `{` + f + `,"GroupAttr":[{"key":"k"}]}` }},
	{"clear_group_attr", func(f string) string { return `{` + f + `}` }},
}

// badGroupIDs are GroupId members that fail every command naming a group, as
// docs/decisions.md §3.4 says: missing or not a string 10004, never a GroupId
// 10015, well formed but unknown or dismissed 10010.
var badGroupIDs = []struct {
	name  string
	field string
	code  int
}{
	{"Missing", `"Other":"G"`, 10004},
	{"Null", `"GroupId":null`, 10004},
	{"Number", `"GroupId":7`, 10004},
	{"Array", `"GroupId":["G"]`, 10004},
	{"Object", `"GroupId":{"GroupId":"G"}`, 10004},
	{"Empty", `"GroupId":""`, 10015},
	{"49Bytes", `"GroupId":"` + strings.Repeat("G", 49) + `"`, 10015},
	{"ControlChar", `"GroupId":"G\u0001"`, 10015},
	{"NUL", `"GroupId":"G\u0000"`, 10015},
	{"Newline", `"GroupId":"G\n"`, 10015},
	{"DEL", `"GroupId":"G\u007f"`, 10015},
	{"NonASCII", `"GroupId":"群"`, 10015},
	{"Unknown", `"GroupId":"nosuch"`, 10010},
	{"Unknown48Bytes", `"GroupId":"` + strings.Repeat("G", 48) + `"`, 10010},
	{"UnknownWithSpace", `"GroupId":"G "`, 10010},
	{"SeedSample", `"GroupId":"@TGS#2J4SZEAEL"`, 10010},
	{"Dismissed", `"GroupId":"Gone"`, 10010},
	{"OtherAppsGroup", `"GroupId":"Elsewhere"`, 10010},
	{"CaseDiffers", `"GroupId":"g"`, 10010},
}

// Ensure every command that names a group answers 10004, 10015 and 10010 as
// docs/decisions.md §3.4 says, changes nothing and records nothing.
func TestGroup_NamedGroupErrors(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.create(`{"Type":"Public","GroupId":"G","Name":"live","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"}]}`)
		h.create(`{"Type":"Public","GroupId":"Gone","Name":"gone","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"}]}`)
		h.MustCall(0, grp, "destroy_group", `{"GroupId":"Gone"}`)
		other := "sdkappid=1400000002&identifier=administrator&usersig=" + Sig(t, OtherAppID, OtherKey, Admin, 86400)
		if r := h.Do("POST", "/v4/"+grp+"/create_group", other, `{"Type":"Public","GroupId":"Elsewhere","Name":"n"}`); r.Code(t) != 0 {
			t.Fatal(r)
		}
		before := len(h.events())

		var cases []groupCase
		for _, c := range namedCommands {
			for _, id := range badGroupIDs {
				cases = append(cases, groupCase{name: c.command + "/" + id.name, command: c.command, body: c.body(id.field), code: id.code})
			}
		}
		runGroupCases(t, h, cases)

		// get_group_info answers per group; its own code stays 0.
		r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":["", "`+strings.Repeat("G", 49)+`", "G\u0001", "群", "nosuch", "Gone", "G", "@TGS#2J4SZEAEL", "Elsewhere"],`+
			`"ResponseFilter":{"GroupBaseInfoFilter":["Name","MemberNum"]}}`)
		var got []string
		for _, gi := range r.M["GroupInfo"].([]any) {
			m := gi.(map[string]any)
			got = append(got, m["GroupId"].(string)+"="+m["ErrorCode"].(json.Number).String())
		}
		want := []string{"=10015", strings.Repeat("G", 49) + "=10015", "G\x01=10015", "群=10015", "nosuch=10010", "Gone=10010", "G=0", "@TGS#2J4SZEAEL=10010", "Elsewhere=10010"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("per-group codes %q, want %q", got, want)
		}
		if !strings.Contains(r.Raw, `{"GroupId":"G","ErrorCode":0,"ErrorInfo":"","Name":"live","MemberNum":2}`) {
			t.Fatalf("G changed: %s", r.Raw)
		}
		if !strings.Contains(r.Raw, `{"GroupId":"nosuch","ErrorCode":10010,"ErrorInfo":"group does not exist or has been dismissed"}`) {
			t.Fatalf("unknown group item: %s", r.Raw)
		}

		for _, tc := range []struct{ name, body string }{
			{"NoList", `{}`},
			{"EmptyList", `{"GroupIdList":[]}`},
			{"NotArray", `{"GroupIdList":"G"}`},
			{"ItemNotString", `{"GroupIdList":["G",1]}`},
			{"51Groups", `{"GroupIdList":` + jstr(users("g", 51)) + `}`},
			{"FilterNotObject", `{"GroupIdList":["G"],"ResponseFilter":["Name"]}`},
		} {
			if r := h.Call(grp, "get_group_info", tc.body); r.Code(t) != 10004 {
				t.Errorf("get_group_info %s: %s", tc.name, r.Raw)
			}
		}
		if r := h.MustCall(0, grp, "get_group_info", `{"GroupIdList":`+jstr(users("g", 50))+`}`); len(r.M["GroupInfo"].([]any)) != 50 {
			t.Fatalf("50 groups: %s", r.Raw)
		}

		// Nothing changed: G still has its two members, no event was recorded.
		r = h.MustCall(0, grp, "get_group_member_info", `{"GroupId":"G","MemberInfoFilter":["Role"],"AppDefinedDataFilter_GroupMember":[]}`)
		if !strings.Contains(r.Raw, `"MemberNum":2,"MemberList":[{"Member_Account":"alice","Role":"Owner"},{"Member_Account":"bob","Role":"Member"}]`) {
			t.Fatalf("G's members changed: %s", r.Raw)
		}
		if n := len(h.events()); n != before {
			t.Fatalf("%d events recorded by failed calls", n-before)
		}
	})
}

// Ensure the REST layer's checks come before the group code: a non-admin
// identifier is 60010 whatever the command or body, an unknown command
// under group_open_http_svc is 10003, a body that is not JSON 60003.
func TestGroup_RESTLayer(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob")
		h.create(`{"Type":"Public","GroupId":"G","Name":"n","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"}]}`)
		before := len(h.events())

		user := "sdkappid=1400000001&identifier=alice&usersig=" + Sig(t, TestAppID, TestKey, "alice", 86400) + "&random=1&contenttype=json"
		for _, tc := range []struct{ command, body string }{
			{"destroy_group", `{"GroupId":"G"}`},
			{"destroy_group", `{"GroupId":""}`},
			{"destroy_group", `{"GroupId":`},
			{"create_group", `{"Type":"Public","Name":"n"}`},
			{"delete_group_member", `{"GroupId":"G","MemberToDel_Account":["bob"]}`},
			{"get_appid_group_list", `{}`},
			{"no_such_command", `{}`},
		} {
			if r := h.Do("POST", "/v4/"+grp+"/"+tc.command, user, tc.body); r.Code(t) != 60010 {
				t.Errorf("non-admin %s %s: %s", tc.command, tc.body, r.Raw)
			}
		}

		for _, command := range []string{"no_such_command", "Destroy_Group", "destroy_group/", "get_group_list", ""} {
			if r := h.Call(grp, command, `{"GroupId":"G"}`); r.Code(t) != 10003 {
				t.Errorf("command %q: %s", command, r.Raw)
			}
		}
		if r := h.Call(grp, "destroy_group", `{"GroupId":`); r.Code(t) != 60003 {
			t.Errorf("truncated JSON: %s", r.Raw)
		}
		if r := h.Call(grp, "destroy_group", ``); r.Code(t) != 10004 {
			t.Errorf("empty body: %s", r.Raw)
		}

		if n := h.groupCount(); n != 1 {
			t.Fatalf("TotalCount %d, want 1", n)
		}
		if n := len(h.events()); n != before {
			t.Fatalf("%d events recorded by refused calls", n-before)
		}
		h.MustCall(0, grp, "get_group_member_info", `{"GroupId":"G"}`)
	})
}
