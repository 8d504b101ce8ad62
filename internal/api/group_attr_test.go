package api_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const attrSvc = "group_open_attr_http_svc"

// attrList renders n GroupAttr entries prefix0..prefix(n-1) with values of
// size bytes.
func attrList(prefix string, n, size int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"key":"%s%d","value":"%s"}`, prefix, i, strings.Repeat("v", size))
	}
	return "[" + strings.Join(parts, ",") + "]"
}

// getAttr is a get_group_attr row expecting GroupAttrAry to be want.
func getAttr(name, group, want string) groupCase {
	return groupCase{name: name, service: attrSvc, command: "get_group_attr", body: `{"GroupId":"` + group + `"}`,
		want: []string{`"GroupAttrAry":` + want + `}`}}
}

// Ensure modify_group_attr, set_group_attr, delete_group_attr and
// clear_group_attr change what get_group_attr shows, keys staying where
// they were first set, each recording Group.CallbackAfterGroupAttrChanged
// with what it wrote or removed.
func TestGroupAttr_Writes(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		changed := "Group.CallbackAfterGroupAttrChanged"
		live := `"GroupId":"Live","Operator_Account":"administrator","OptionType":`
		runGroupCases(t, h, []groupCase{
			getAttr("Empty", "Live", `[]`),
			{name: "Modify", command: "modify_group_attr", event: changed,
				body:   `{"GroupId":"Live","GroupAttr":[{"key":"attr_key","value":"attr_val"},{"key":"attr_key1","value":"attr_val1"}]}`,
				evWant: []string{`"GroupAttr":[{"key":"attr_key","value":"attr_val"},{"key":"attr_key1","value":"attr_val1"}],` + live + `"modify","Type":"AVChatRoom"}`}},
			getAttr("Shows", "Live", `[{"key":"attr_key","value":"attr_val"},{"key":"attr_key1","value":"attr_val1"}]`),
			{name: "ModifyInPlace", command: "modify_group_attr", event: changed,
				body:   `{"GroupId":"Live","GroupAttr":[{"key":"seat","value":""},{"key":"attr_key","value":"x"},{"key":"attr_key","value":"y"}]}`,
				evWant: []string{`"GroupAttr":[{"key":"seat","value":""},{"key":"attr_key","value":"y"}],` + live + `"modify"`}},
			getAttr("InPlace", "Live", `[{"key":"attr_key","value":"y"},{"key":"attr_key1","value":"attr_val1"},{"key":"seat","value":""}]`),
			{name: "Set", command: "set_group_attr", event: changed,
				body:   `{"GroupId":"Live","GroupAttr":[{"key":"seat1","value":"alice"},{"key":"seat2","value":"bob"},{"key":"attr_key","value":"z"}]}`,
				evWant: []string{`"GroupAttr":[{"key":"seat1","value":"alice"},{"key":"seat2","value":"bob"},{"key":"attr_key","value":"z"}],` + live + `"set"`}},
			getAttr("Replaced", "Live", `[{"key":"seat1","value":"alice"},{"key":"seat2","value":"bob"},{"key":"attr_key","value":"z"}]`),
			{name: "Delete", command: "delete_group_attr", event: changed, body: `{"GroupId":"Live","GroupAttr":[{"key":"seat2"},{"key":"seat1","value":"ignored"}]}`,
				evWant: []string{`"GroupAttr":[{"key":"seat1","value":"alice"},{"key":"seat2","value":"bob"}],` + live + `"delete"`}},
			getAttr("Deleted", "Live", `[{"key":"attr_key","value":"z"}]`),
			{name: "Clear", command: "clear_group_attr", body: `{"GroupId":"Live"}`, event: changed,
				evWant: []string{`"GroupAttr":[{"key":"attr_key","value":"z"}],` + live + `"clear"`}},
			getAttr("Cleared", "Live", `[]`),
			{name: "ClearNone", command: "clear_group_attr", body: `{"GroupId":"Live"}`, event: changed, evWant: []string{`"GroupAttr":[],` + live + `"clear"`}},
			{name: "NUL", command: "modify_group_attr", body: `{"GroupId":"Live","GroupAttr":[{"key":"b","value":"a\u0000b"}]}`, event: changed},
			getAttr("NULKept", "Live", `[{"key":"b","value":"a\u0000b"}]`),
		})
	})
}

// Ensure the attribute commands refuse what Tencent documents with its
// codes (10004, 10045, 10046, 10047, 10048, 10050; 10007 for a clear of a
// Community) and that a refused call changes nothing and records nothing;
// that every group type has attributes; and that the limits themselves
// pass.
func TestGroupAttr_Limits(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		h.create(`{"Owner_Account":"alice","Type":"Community","GroupId":"@TGS#_C","Name":"c"}`)
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g"}`)
		h.create(`{"Owner_Account":"alice","Type":"Work","GroupId":"W","Name":"w"}`)
		h.create(`{"Owner_Account":"alice","Type":"Meeting","GroupId":"M","Name":"m"}`)
		changed := "Group.CallbackAfterGroupAttrChanged"
		mod := func(name string, code int, list string) groupCase {
			c := groupCase{name: name, command: "modify_group_attr", body: `{"GroupId":"Live","GroupAttr":` + list + `}`, code: code}
			if code == 0 {
				c.event = changed
			}
			return c
		}
		fifteen := attrList("k", 15, 1)
		runGroupCases(t, h, []groupCase{
			mod("Key32", 0, `[{"key":"`+strings.Repeat("k", 32)+`","value":"`+strings.Repeat("v", 4000)+`"}]`),
			mod("Fifteen", 0, fifteen),
			mod("ErrKey33", 10045, `[{"key":"`+strings.Repeat("k", 33)+`","value":"v"}]`),
			mod("ErrValue4001", 10046, `[{"key":"k","value":"`+strings.Repeat("v", 4001)+`"}]`),
			mod("ErrSeventeen", 10047, `[{"key":"x","value":"1"},{"key":"y","value":"2"}]`),
			mod("ErrTooLarge", 10048, `[{"key":"k0","value":"`+strings.Repeat("v", 4000)+`"},{"key":"k1","value":"`+strings.Repeat("v", 4000)+`"},`+
				`{"key":"k2","value":"`+strings.Repeat("v", 4000)+`"},{"key":"k3","value":"`+strings.Repeat("v", 400)+`"}]`),
			mod("ErrNoKey", 10004, `[{"value":"v"}]`),
			mod("ErrEmptyKey", 10004, `[{"key":"","value":"v"}]`),
			mod("ErrNULKey", 10004, `[{"key":"a\u0000","value":"v"}]`),
			mod("ErrNoValue", 10004, `[{"key":"k"}]`),
			mod("ErrValueType", 10004, `[{"key":"k","value":1}]`),
			mod("ErrEmpty", 10004, `[]`),
			mod("ErrOneBadAmongGood", 10045, `[{"key":"k0","value":"changed"},{"key":"`+strings.Repeat("k", 33)+`","value":"v"}]`),
			{name: "ErrNoList", command: "modify_group_attr", body: `{"GroupId":"Live"}`, code: 10004},
			{name: "ErrSetSeventeen", command: "set_group_attr", body: `{"GroupId":"Live","GroupAttr":` + attrList("s", 17, 1) + `}`, code: 10047},
			{name: "ErrSetEmpty", command: "set_group_attr", body: `{"GroupId":"Live","GroupAttr":[]}`, code: 10004},
			{name: "ErrDeleteMissing", command: "delete_group_attr", body: `{"GroupId":"Live","GroupAttr":[{"key":"k0"},{"key":"nosuch"}]}`, code: 10050},
			{name: "ErrDeleteKey33", command: "delete_group_attr", body: `{"GroupId":"Live","GroupAttr":[{"key":"` + strings.Repeat("k", 33) + `"}]}`, code: 10045},
			{name: "ErrDeleteEmpty", command: "delete_group_attr", body: `{"GroupId":"Live","GroupAttr":[]}`, code: 10004},
			getAttr("Unchanged", "Live", `[{"key":"`+strings.Repeat("k", 32)+`","value":"`+strings.Repeat("v", 4000)+`"},`+fifteen[1:]),
			{name: "ErrGetUnknown", service: attrSvc, command: "get_group_attr", body: `{"GroupId":"nosuch"}`, code: 10010},
			{name: "ErrGetMalformed", service: attrSvc, command: "get_group_attr", body: `{"GroupId":""}`, code: 10015},
			{name: "ErrGetMissing", service: attrSvc, command: "get_group_attr", body: `{}`, code: 10004},
			{name: "ErrGetOtherService", command: "get_group_attr", body: `{"GroupId":"Live"}`, code: 10003},

			{name: "Community", command: "modify_group_attr", body: `{"GroupId":"@TGS#_C","GroupAttr":[{"key":"k","value":"v"}]}`, event: changed},
			{name: "ErrClearCommunity", command: "clear_group_attr", body: `{"GroupId":"@TGS#_C"}`, code: 10007},
			{name: "CommunityDelete", command: "delete_group_attr", body: `{"GroupId":"@TGS#_C","GroupAttr":[{"key":"k"}]}`, event: changed},
			{name: "Public", command: "set_group_attr", body: `{"GroupId":"G","GroupAttr":[{"key":"k","value":"v"}]}`, event: changed,
				evWant: []string{`"Type":"Public"`}},
			{name: "Work", command: "modify_group_attr", body: `{"GroupId":"W","GroupAttr":[{"key":"k","value":"v"}]}`, event: changed,
				evWant: []string{`"Type":"Private"`}},
			{name: "Meeting", command: "modify_group_attr", body: `{"GroupId":"M","GroupAttr":[{"key":"k","value":"v"}]}`, event: changed,
				evWant: []string{`"Type":"ChatRoom"`}},
			{name: "WorkClear", command: "clear_group_attr", body: `{"GroupId":"W"}`, event: changed},
			getAttr("OthersApart", "G", `[{"key":"k","value":"v"}]`),
		})
	})
}

// Ensure a group's attributes go with it: a group created again under the
// dismissed one's GroupId has none.
func TestGroupAttr_Dismissal(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice")
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
		runGroupCases(t, h, []groupCase{
			{name: "Set", command: "set_group_attr", body: `{"GroupId":"Live","GroupAttr":[{"key":"k","value":"v"}]}`, event: "Group.CallbackAfterGroupAttrChanged"},
			{name: "Destroy", command: "destroy_group", body: `{"GroupId":"Live"}`, event: "Group.CallbackAfterGroupDestroyed"},
			{name: "ErrGone", service: attrSvc, command: "get_group_attr", body: `{"GroupId":"Live"}`, code: 10010},
			{name: "ErrModifyGone", command: "modify_group_attr", body: `{"GroupId":"Live","GroupAttr":[{"key":"k","value":"v"}]}`, code: 10010},
		})
		h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"again"}`)
		runGroupCases(t, h, []groupCase{getAttr("None", "Live", `[]`)})
	})
}

// Ensure a group takes five writes of its attributes a second, the four
// commands together, and answers 10049 past them without changing
// anything; other groups keep their own five, a malformed write is refused
// for what it is, the writes come back as the second passes, and with rate
// limits off there is no such limit.
func TestGroupAttr_WriteRate(t *testing.T) {
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) {
		o.RateLimit = api.RateTencent
		o.Now = func() time.Time { return time.Unix(0, now.Load()) }
	})
	h.importUsers("alice")
	h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
	h.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Other","Name":"other"}`)
	write := func(code int, command, group, attrs string) {
		t.Helper()
		body := `{"GroupId":"` + group + `"`
		if attrs != "" {
			body += `,"GroupAttr":` + attrs
		}
		h.MustCall(code, grp, command, body+"}")
	}
	seat := func(v string) string { return `[{"key":"seat","value":"` + v + `"}]` }
	write(0, "modify_group_attr", "Live", seat("1"))
	write(0, "set_group_attr", "Live", seat("2"))
	write(0, "modify_group_attr", "Live", `[{"key":"mic","value":"on"}]`)
	write(0, "delete_group_attr", "Live", `[{"key":"mic"}]`)
	write(0, "clear_group_attr", "Live", "")
	write(10049, "modify_group_attr", "Live", seat("6"))
	write(10049, "clear_group_attr", "Live", "")
	write(10004, "set_group_attr", "Live", "")
	if r := h.MustCall(0, attrSvc, "get_group_attr", `{"GroupId":"Live"}`); !strings.Contains(r.Raw, `"GroupAttrAry":[]`) {
		t.Fatalf("a refused write changed the attributes: %s", r.Raw)
	}
	write(0, "modify_group_attr", "Other", seat("1"))

	now.Add(int64(200 * time.Millisecond)) // one write's worth
	write(0, "modify_group_attr", "Live", seat("7"))
	write(10049, "modify_group_attr", "Live", seat("8"))
	now.Add(int64(time.Second))
	for i := range 5 {
		write(0, "modify_group_attr", "Live", seat(fmt.Sprint(i)))
	}
	write(10049, "modify_group_attr", "Live", seat("x"))

	off := openGroups(t, dbtest.SQLiteDSN(t), "alice") // rate limits off
	off.create(`{"Owner_Account":"alice","Type":"AVChatRoom","GroupId":"Live","Name":"live"}`)
	for i := range 3 * im.GroupAttrWritesPerSec {
		off.MustCall(0, grp, "modify_group_attr", `{"GroupId":"Live","GroupAttr":`+seat(fmt.Sprint(i))+`}`)
	}
}
