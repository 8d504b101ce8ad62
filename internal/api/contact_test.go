package api_test

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const rc = "recentcontact"

// openContacts starts a server with alice, bob and carol imported and two
// groups, G1 and G2, that conversations can name.
func openContacts(t *testing.T, dsn string) *Harness {
	t.Helper()
	h := MustOpenHarness(t, dsn)
	h.importUsers("alice", "bob", "carol")
	h.create(`{"Type":"Public","GroupId":"G1","Name":"one","Owner_Account":"alice"}`)
	h.create(`{"Type":"Private","GroupId":"G2","Name":"two","Owner_Account":"alice"}`)
	return h
}

// c2c and grpItem render ContactItems.
func c2c(id string) string     { return `{"Type":1,"To_Account":` + jstr(id) + `}` }
func grpItem(id string) string { return `{"Type":2,"ToGroupId":` + jstr(id) + `}` }

// createBody is a create_contact_group request for one group.
func createBody(from, name string, items ...string) string {
	return `{"From_Account":` + jstr(from) + `,"GroupContactItem":[{"GroupName":` + jstr(name) +
		`,"ContactItem":[` + strings.Join(items, ",") + `]}]}`
}

// updateBody is an update_contact_group request adding (opt 1) or
// removing (opt 2) conversations.
func updateBody(from, name string, opt int, items ...string) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = fmt.Sprintf(`{"ContactOptType":%d,"ContactItem":%s}`, opt, it)
	}
	return `{"From_Account":` + jstr(from) + `,"UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":` +
		jstr(name) + `,"ContactUpdateItem":[` + strings.Join(parts, ",") + `]}}`
}

// renameBody is an update_contact_group request renaming a group.
func renameBody(from, oldName, newName string) string {
	return `{"From_Account":` + jstr(from) + `,"UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":` +
		jstr(oldName) + `,"NewGroupName":` + jstr(newName) + `}}`
}

// markItem is one MarkItem; extra is spliced in ("" for none).
func markItem(opt int, item, extra string) string {
	if extra != "" {
		extra = "," + extra
	}
	return fmt.Sprintf(`{"OptType":%d,"ContactItem":%s%s}`, opt, item, extra)
}

func markBody(from string, items ...string) string {
	return `{"From_Account":` + jstr(from) + `,"MarkItem":[` + strings.Join(items, ",") + `]}`
}

func delBody(from string, names ...string) string {
	return `{"From_Account":` + jstr(from) + `,"GroupName":` + jstr(names) + `}`
}

func getBody(from string, start int) string {
	return fmt.Sprintf(`{"From_Account":%s,"StartIndex":%d}`, jstr(from), start)
}

func searchBody(from string, items ...string) string {
	return `{"From_Account":` + jstr(from) + `,"ContactItem":[` + strings.Join(items, ",") + `]}`
}

// result renders a per-item result of create_contact_group.
func result(item string, code int) string {
	return fmt.Sprintf(`{"ContactItem":%s,"ResultCode":%d,"ResultInfo":`, item, code)
}

// contactCase is one call of a scenario: its code, and what the reply must
// and must not contain (compact JSON).
type contactCase struct {
	name    string
	command string
	body    string
	code    int
	want    []string
	absent  []string
}

// runContactCases runs cases in order on one server.
func runContactCases(t *testing.T, h *Harness, cases []contactCase) {
	t.Helper()
	for _, tc := range cases {
		r := h.Call(rc, tc.command, tc.body)
		if got := r.Code(t); got != tc.code {
			t.Errorf("%s: ErrorCode %d, want %d: %s", tc.name, got, tc.code, r.Raw)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.Raw, w) {
				t.Errorf("%s: reply %s\nlacks %s", tc.name, r.Raw, w)
			}
		}
		for _, a := range tc.absent {
			if strings.Contains(r.Raw, a) {
				t.Errorf("%s: reply %s\nhas %s", tc.name, r.Raw, a)
			}
		}
	}
}

// fromCases are the From_Account errors every command answers, for a body
// made by body from the From_Account's JSON.
func fromCases(command string, body func(from string) string) []contactCase {
	return []contactCase{
		{command + "/ErrFromMissing", command, body(""), 50002, nil, nil},
		{command + "/ErrFromNotString", command, body(`"From_Account":1,`), 50002, nil, nil},
		{command + "/ErrFromNotImported", command, body(`"From_Account":"zed",`), 50001, nil, nil},
		{command + "/ErrFromNeverValid", command, body(`"From_Account":"` + strings.Repeat("x", 33) + `",`), 50001, nil, nil},
		{command + "/ErrBodyNotObject", command, `[]`, 50002, nil, nil},
	}
}

// Ensure every recentcontact command answers its documented codes and
// fields, with per-item ResultCode where Tencent shows one.
func TestContact_Scenarios(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openContacts(t, dsn)
		long := strings.Repeat("n", 33)
		// The cases run in this order, each on what the earlier ones left.
		var cases []contactCase
		for _, part := range [][]contactCase{
			contactCreateCases(long),
			contactUpdateCases(long),
			contactMarkCases(),
			contactSearchCases(long),
			contactGetCases(),
			contactDelCases(long),
		} {
			cases = append(cases, part...)
		}
		for _, cmd := range []struct{ command, rest string }{
			{"create_contact_group", `"GroupContactItem":[{"GroupName":"z","ContactItem":[]}]`},
			{"update_contact_group", `"UpdateType":1,"UpdateGroup":{"UpdateGroupType":1,"OldGroupName":"g1","NewGroupName":"z"}`},
			{"get_contact_group", `"StartIndex":0`},
			{"search_contact_group", `"ContactItem":[{"Type":1,"To_Account":"bob"}]`},
			{"mark_contact", `"MarkItem":[{"OptType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"SetMark":[1]}]`},
			{"del_contact_group", `"GroupName":["g1"]`},
		} {
			cases = append(cases, fromCases(cmd.command, func(from string) string { return "{" + from + cmd.rest + "}" })...)
		}
		runContactCases(t, h, cases)
	})
}

// contactCreateCases are the create_contact_group cases: alice's groups
// g1 to g4.
func contactCreateCases(long string) []contactCase {
	return []contactCase{
		{"Create/OK", "create_contact_group", createBody("alice", "g1", c2c("bob"), grpItem("G1")), 0,
			[]string{`"GroupResultItem":[{"GroupItem":{"GroupName":"g1","GroupId":1},"ResultItem":[` +
				`{"ContactItem":{"Type":1,"To_Account":"bob"},"ResultCode":0,"ResultInfo":""},` +
				`{"ContactItem":{"Type":2,"ToGroupId":"G1"},"ResultCode":0,"ResultInfo":""}]}]`}, nil},
		{"Create/PerItemCodes", "create_contact_group",
			createBody("alice", "g2", c2c("nobody"), grpItem("NOPE"), c2c("carol"), grpItem(""), c2c("bob"), c2c("bob")), 0,
			[]string{`"GroupItem":{"GroupName":"g2","GroupId":2}`, result(c2c("nobody"), 50001), result(grpItem("NOPE"), 51007),
				result(c2c("carol"), 0), result(grpItem(""), 51007), result(c2c("bob"), 0)}, nil},
		{"Create/EmptyGroup", "create_contact_group", createBody("alice", "g3"), 0,
			[]string{`"GroupItem":{"GroupName":"g3","GroupId":3},"ResultItem":[]`}, nil},
		{"Create/Name32Bytes", "create_contact_group", createBody("alice", long[:32]), 0, []string{`"GroupId":4`}, nil},
		{"Create/ErrNameTaken", "create_contact_group", createBody("alice", "g1"), 50002, nil, nil},
		{"Create/ErrName33Bytes", "create_contact_group", createBody("alice", long), 51011, nil, nil},
		{"Create/ErrNameEmpty", "create_contact_group", createBody("alice", ""), 50002, nil, nil},
		{"Create/ErrNameNUL", "create_contact_group", createBody("alice", "a\x00b"), 50002, nil, nil},
		{"Create/ErrNameMissing", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"ContactItem":[]}]}`, 50002, nil, nil},
		{"Create/ErrNoGroup", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[]}`, 50002, nil, nil},
		{"Create/ErrTwoGroups", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[` +
			`{"GroupName":"x","ContactItem":[]},{"GroupName":"y","ContactItem":[]}]}`, 50002, nil, nil},
		{"Create/ErrNoContactItem", "create_contact_group", `{"From_Account":"alice","GroupContactItem":[{"GroupName":"x"}]}`, 50002, nil, nil},
		{"Create/ErrType3", "create_contact_group", createBody("alice", "x", `{"Type":3,"To_Account":"bob"}`), 50002, nil, nil},
		{"Create/ErrTypeMissing", "create_contact_group", createBody("alice", "x", `{"To_Account":"bob"}`), 50002, nil, nil},
		{"Create/ErrC2CWithoutAccount", "create_contact_group", createBody("alice", "x", `{"Type":1,"ToGroupId":"G1"}`), 50002, nil, nil},
		{"Create/ErrGroupWithoutId", "create_contact_group", createBody("alice", "x", `{"Type":2,"To_Account":"bob"}`), 50002, nil, nil},
		{"Create/Err1001Items", "create_contact_group", createBody("alice", "x", strings.Repeat(c2c("bob")+",", 1000)+c2c("bob")), 50002, nil, nil},
	}
}

// contactUpdateCases are the update_contact_group cases: g3 changed and
// renamed g3x.
func contactUpdateCases(long string) []contactCase {
	return []contactCase{
		{"Update/Add", "update_contact_group", updateBody("alice", "g3", 1, c2c("carol"), grpItem("G2"), c2c("nobody"), grpItem("NOPE")), 0,
			[]string{`"UpdateType":1,"UpdateGroupResult":{"UpdateGroupType":2,"GroupName":"g3","GroupId":3,"OldGroupName":"g3","ContactResultItem":[` +
				`{"ContactOptType":1,"ContactItem":{"Type":1,"To_Account":"carol"},"ResultCode":0,"ResultInfo":""},` +
				`{"ContactOptType":1,"ContactItem":{"Type":2,"ToGroupId":"G2"},"ResultCode":0,"ResultInfo":""},` +
				`{"ContactOptType":1,"ContactItem":{"Type":1,"To_Account":"nobody"},"ResultCode":50001,`,
				`{"ContactOptType":1,"ContactItem":{"Type":2,"ToGroupId":"NOPE"},"ResultCode":51007,`}, nil},
		{"Update/AddAgain", "update_contact_group", updateBody("alice", "g3", 1, c2c("carol")), 0, []string{`"ResultCode":0`}, nil},
		{"Update/Remove", "update_contact_group", updateBody("alice", "g3", 2, c2c("carol"), c2c("nobody"), grpItem("a\x00")), 0,
			[]string{`{"ContactOptType":2,"ContactItem":{"Type":1,"To_Account":"carol"},"ResultCode":0,"ResultInfo":""},` +
				`{"ContactOptType":2,"ContactItem":{"Type":1,"To_Account":"nobody"},"ResultCode":0,"ResultInfo":""}`}, nil},
		{"Update/Rename", "update_contact_group", renameBody("alice", "g3", "g3x"), 0,
			[]string{`"UpdateType":1,"UpdateGroupResult":{"UpdateGroupType":1,"GroupName":"g3x","GroupId":3,"OldGroupName":"g3","ContactResultItem":[]}`}, nil},
		{"Update/RenameToItself", "update_contact_group", renameBody("alice", "g3x", "g3x"), 0, []string{`"GroupName":"g3x","GroupId":3`}, nil},
		{"Update/ErrOldNameGone", "update_contact_group", updateBody("alice", "g3", 1, c2c("bob")), 51009, nil, nil},
		{"Update/ErrRenameUnknown", "update_contact_group", renameBody("alice", "nope", "y"), 51009, nil, nil},
		{"Update/ErrRenameTaken", "update_contact_group", renameBody("alice", "g3x", "g1"), 50002, nil, nil},
		{"Update/ErrRename33Bytes", "update_contact_group", renameBody("alice", "g3x", long), 51011, nil, nil},
		{"Update/ErrRenameEmpty", "update_contact_group", renameBody("alice", "g3x", ""), 50002, nil, nil},
		{"Update/ErrOldName33Bytes", "update_contact_group", updateBody("alice", long, 1, c2c("bob")), 51011, nil, nil},
		{"Update/ErrUpdateType2", "update_contact_group", strings.Replace(updateBody("alice", "g1", 1), `"UpdateType":1`, `"UpdateType":2`, 1), 50002, nil, nil},
		{"Update/ErrUpdateGroupType3", "update_contact_group", strings.Replace(updateBody("alice", "g1", 1), `"UpdateGroupType":2`, `"UpdateGroupType":3`, 1), 50002, nil, nil},
		{"Update/ErrNoUpdateGroup", "update_contact_group", `{"From_Account":"alice","UpdateType":1}`, 50002, nil, nil},
		{"Update/ErrNoItems", "update_contact_group", `{"From_Account":"alice","UpdateType":1,"UpdateGroup":{"UpdateGroupType":2,"OldGroupName":"g1"}}`, 50002, nil, nil},
		{"Update/ErrOptType3", "update_contact_group", updateBody("alice", "g1", 3, c2c("bob")), 50002, nil, nil},
		{"Update/1000Items", "update_contact_group", updateBody("alice", "g1", 1, slices.Repeat([]string{c2c("bob")}, 1000)...), 0, nil, nil},
		{"Update/Err1001Items", "update_contact_group", updateBody("alice", "g1", 1, slices.Repeat([]string{c2c("bob")}, 1001)...), 50002, nil, nil},
	}
}

// contactMarkCases are the mark_contact cases.
func contactMarkCases() []contactCase {
	return []contactCase{
		{"Mark/Standard", "mark_contact", markBody("alice", markItem(1, c2c("bob"), `"SetMark":[0,3,4,5],"CustomMark":"ignored"`)), 0,
			[]string{`"ResultItem":[{"OptType":1,"ContactItem":{"Type":1,"To_Account":"bob"},"ResultCode":0,"ResultInfo":""}]`}, nil},
		{"Mark/Both", "mark_contact", markBody("alice", markItem(3, grpItem("G1"), `"SetMark":[1,2,3],"CustomMark":"abcd"`)), 0,
			[]string{`{"OptType":3,"ContactItem":{"Type":2,"ToGroupId":"G1"},"ResultCode":0,"ResultInfo":""}`}, nil},
		{"Mark/ClearThenSet", "mark_contact", markBody("alice", markItem(1, grpItem("G1"), `"ClearMark":[1,2],"SetMark":[2]`)), 0, nil, nil},
		{"Mark/CustomOnly", "mark_contact", markBody("alice", markItem(2, c2c("bob"), `"SetMark":[9],"CustomMark":"`+strings.Repeat("c", 256)+`"`)), 0, nil, nil},
		{"Mark/Bit63", "mark_contact", markBody("alice", markItem(1, c2c("carol"), `"SetMark":[63]`)), 0, nil, nil},
		{"Mark/PerItemCodes", "mark_contact", markBody("alice", markItem(1, c2c("nobody"), `"SetMark":[1]`),
			markItem(1, grpItem("NOPE"), `"SetMark":[1]`), markItem(2, c2c("carol"), `"CustomMark":"c"`)), 0,
			[]string{`{"OptType":1,"ContactItem":{"Type":1,"To_Account":"nobody"},"ResultCode":50001,`,
				`{"OptType":1,"ContactItem":{"Type":2,"ToGroupId":"NOPE"},"ResultCode":51007,`,
				`{"OptType":2,"ContactItem":{"Type":1,"To_Account":"carol"},"ResultCode":0,"ResultInfo":""}`}, nil},
		{"Mark/100Items", "mark_contact", markBody("alice", strings.Split(strings.Repeat(markItem(1, c2c("carol"), `"SetMark":[7]`)+"\n", 100), "\n")[:100]...), 0, nil, nil},
		{"Mark/Err101Items", "mark_contact", markBody("alice", strings.Split(strings.Repeat(markItem(1, c2c("carol"), "")+"\n", 101), "\n")[:101]...), 51006, nil, nil},
		{"Mark/ErrEmpty", "mark_contact", markBody("alice"), 51006, nil, nil},
		{"Mark/ErrMissing", "mark_contact", `{"From_Account":"alice"}`, 51006, nil, nil},
		{"Mark/ErrBit64", "mark_contact", markBody("alice", markItem(1, c2c("bob"), `"SetMark":[64]`)), 50002, nil, nil},
		{"Mark/ErrBitNegative", "mark_contact", markBody("alice", markItem(1, c2c("bob"), `"ClearMark":[-1]`)), 50002, nil, nil},
		{"Mark/ErrBitNotInteger", "mark_contact", markBody("alice", markItem(1, c2c("bob"), `"SetMark":[1.5]`)), 50002, nil, nil},
		{"Mark/ErrCustom257Bytes", "mark_contact", markBody("alice", markItem(2, c2c("bob"), `"CustomMark":"`+strings.Repeat("c", 257)+`"`)), 50002, nil, nil},
		{"Mark/ErrOptType0", "mark_contact", markBody("alice", markItem(0, c2c("bob"), "")), 50002, nil, nil},
		{"Mark/ErrOptType4", "mark_contact", markBody("alice", markItem(4, c2c("bob"), "")), 50002, nil, nil},
		{"Mark/ErrNoContactItem", "mark_contact", markBody("alice", `{"OptType":1,"SetMark":[1]}`), 50002, nil, nil},
	}
}

// contactSearchCases are the search_contact_group cases.
func contactSearchCases(long string) []contactCase {
	return []contactCase{
		{"Search/OK", "search_contact_group", searchBody("alice", c2c("bob"), c2c("nobody"), grpItem("G1"), c2c("bob")), 0,
			[]string{`"ContactResultItem":[{"Type":1,"To_Account":"bob","StandardMark":"111001","CustomMark":"` + strings.Repeat("c", 256) +
				`","ContactGroupId":[1,2],"Timestamp":`, `{"Type":2,"ToGroupId":"G1","StandardMark":"1100","CustomMark":"abcd","ContactGroupId":[1],"Timestamp":`,
				`"GroupItem":[{"GroupName":"g1","GroupId":1},{"GroupName":"g2","GroupId":2},{"GroupName":"g3x","GroupId":3},{"GroupName":"` + long[:32] + `","GroupId":4}]`},
			[]string{`"nobody"`}},
		{"Search/Bit63", "search_contact_group", searchBody("alice", c2c("carol")), 0,
			[]string{`"StandardMark":"1` + strings.Repeat("0", 55) + `10000000","CustomMark":"c","ContactGroupId":[2],`}, nil},
		{"Search/NothingFound", "search_contact_group", searchBody("bob", c2c("alice")), 0, []string{`"ContactResultItem":[],"GroupItem":[]`}, nil},
		{"Search/ErrEmpty", "search_contact_group", searchBody("alice"), 50002, nil, nil},
		{"Search/Err301Items", "search_contact_group", searchBody("alice", strings.Split(strings.Repeat(c2c("bob")+"\n", 301), "\n")[:301]...), 50002, nil, nil},
	}
}

// contactGetCases are the get_contact_group cases.
func contactGetCases() []contactCase {
	return []contactCase{
		{"Get/OK", "get_contact_group", getBody("alice", 0), 0, []string{`"CompleteFlag":1,"NextStartIndex":0`,
			`{"Type":1,"To_Account":"bob","StandardMark":"111001",`, `{"Type":2,"ToGroupId":"G2","ContactGroupId":[3],"Timestamp":`}, nil},
		{"Get/NothingYet", "get_contact_group", getBody("bob", 0), 0, []string{`"ContactItem":[],"GroupItem":[],"CompleteFlag":1,"NextStartIndex":0`}, nil},
		{"Get/Beyond", "get_contact_group", getBody("alice", 500), 0, []string{`"ContactItem":[],"GroupItem":[{`, `"CompleteFlag":1,"NextStartIndex":0`}, nil},
		{"Get/ErrNoStartIndex", "get_contact_group", `{"From_Account":"alice"}`, 50002, nil, nil},
		{"Get/ErrNegativeStartIndex", "get_contact_group", getBody("alice", -1), 50002, nil, nil},
		{"Get/ErrStartIndexString", "get_contact_group", `{"From_Account":"alice","StartIndex":"0"}`, 50002, nil, nil},
	}
}

// contactDelCases are the del_contact_group cases, then creates once g2
// is deleted.
func contactDelCases(long string) []contactCase {
	return []contactCase{
		{"Del/OK", "del_contact_group", delBody("alice", "g2"), 0, []string{`"GroupItem":[{"GroupName":"g2","GroupId":2}]`}, nil},
		{"Del/ErrAgain", "del_contact_group", delBody("alice", "g2"), 51009, nil, nil},
		{"Del/ErrUnknown", "del_contact_group", delBody("alice", "nope"), 51009, nil, nil},
		{"Del/ErrNoName", "del_contact_group", delBody("alice"), 50002, nil, nil},
		{"Del/ErrNameMissing", "del_contact_group", `{"From_Account":"alice"}`, 50002, nil, nil},
		{"Del/ErrTwoNames", "del_contact_group", delBody("alice", "g1", "g3x"), 50002, nil, nil},
		{"Del/ErrEmptyName", "del_contact_group", delBody("alice", ""), 50002, nil, nil},
		{"Del/ErrName33Bytes", "del_contact_group", delBody("alice", long), 51011, nil, nil},
		{"Del/ErrNameNotString", "del_contact_group", `{"From_Account":"alice","GroupName":[1]}`, 50002, nil, nil},
		{"Del/ErrNamesNotArray", "del_contact_group", `{"From_Account":"alice","GroupName":"g1"}`, 50002, nil, nil},
		{"Create/IdNotReused", "create_contact_group", createBody("alice", "g2"), 0, []string{`"GroupItem":{"GroupName":"g2","GroupId":5}`}, nil},
		{"Create/OtherUserStartsAt1", "create_contact_group", createBody("bob", "g1", c2c("alice")), 0, []string{`"GroupItem":{"GroupName":"g1","GroupId":1}`}, nil},
	}
}

// Ensure renaming a conversation group leaves its conversations'
// Timestamp alone, while a change to a conversation itself moves it: on an
// app clock moved 100 s between them.
func TestContact_RenameKeepsTimestamp(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Clocks = &im.Clocks{} })
	h.importUsers("alice", "bob")
	h.MustCall(0, rc, "create_contact_group", createBody("alice", "g1", c2c("bob")))
	stamp := func() int64 {
		t.Helper()
		r := h.MustCall(0, rc, "search_contact_group", searchBody("alice", c2c("bob")))
		m := regexp.MustCompile(`"Timestamp":(\d+)`).FindStringSubmatch(r.Raw)
		if m == nil {
			t.Fatalf("no Timestamp: %s", r)
		}
		ts, _ := strconv.ParseInt(m[1], 10, 64)
		return ts
	}
	first := stamp()
	h.MustCall(0, "timd_clock", "advance", `{"Seconds":100}`)
	h.MustCall(0, rc, "update_contact_group", renameBody("alice", "g1", "renamed"))
	if ts := stamp(); ts != first {
		t.Fatalf("Timestamp %d after the rename, want %d as before", ts, first)
	}
	h.MustCall(0, rc, "mark_contact", `{"From_Account":"alice","MarkItem":[`+markItem(1, c2c("bob"), `"SetMark":[1]`)+`]}`)
	if ts := stamp(); ts < first+100 {
		t.Fatalf("Timestamp %d after a mark 100 s on, want at least %d", ts, first+100)
	}
}
