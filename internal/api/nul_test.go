package api_test

import (
	"context"
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// Ensure multiaccount_import lists an account whose Nick or FaceUrl holds a
// NUL character in FailAccounts and imports the others, and account_import
// refuses one with 70402, on both databases alike (PostgreSQL cannot store
// the character; SQLite could, and must not differ).
func TestAccount_NULProfile(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		r := h.MustCall(0, login, "multiaccount_import", `{"AccountList":[`+
			`{"UserID":"ok1","Nick":"fine"},{"UserID":"badnick","Nick":"a\u0000b"},`+
			`{"UserID":"badface","FaceUrl":"http://x/\u0000"},{"UserID":"ok2","FaceUrl":"http://x/y"}]}`)
		if !contains(r.Raw, `"FailAccounts":["badnick","badface"]`) {
			t.Fatalf("FailAccounts: %s", r.Raw)
		}
		r = h.MustCall(0, login, "account_check", `{"CheckItem":[{"UserID":"ok1"},{"UserID":"badnick"},{"UserID":"badface"},{"UserID":"ok2"}]}`)
		for _, want := range []string{`"UserID":"ok1","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`,
			`"UserID":"badnick","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"`,
			`"UserID":"badface","ResultCode":0,"ResultInfo":"","AccountStatus":"NotImported"`,
			`"UserID":"ok2","ResultCode":0,"ResultInfo":"","AccountStatus":"Imported"`} {
			if !contains(r.Raw, want) {
				t.Fatalf("account_check lacks %s: %s", want, r.Raw)
			}
		}

		h.MustCall(70402, login, "account_import", `{"UserID":"new","Nick":"\u0000"}`)
		h.MustCall(70402, login, "account_import", `{"UserID":"ok1","FaceUrl":"a\u0000"}`)
		h.MustCall(70402, login, "account_import", `{"Identifier":"ok1","Nick":"x\u0000y","FaceUrl":"f"}`)
		r = h.MustCall(0, login, "account_check", `{"CheckItem":[{"UserID":"new"}]}`)
		if !contains(r.Raw, `"AccountStatus":"NotImported"`) {
			t.Fatalf("refused import created the account: %s", r.Raw)
		}
		a, err := h.Store.FindAccount(context.Background(), TestAppID, "ok1")
		if err != nil || a.Nick != "fine" || a.FaceURL != "" {
			t.Fatalf("ok1 after refused updates: %+v %v", a, err)
		}
	})
}

// Ensure a NUL character in any text field that would be stored answers a
// clear Tencent code and changes nothing, on both databases alike; never
// the internal codes that a PostgreSQL refusal would become.
func TestNUL_TextFields(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol")
		h.create(`{"Type":"Public","GroupId":"G","Name":"g","Owner_Account":"alice","MemberList":[{"Member_Account":"bob"}]}`)
		h.allowAny("bob")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","AddSource":"AddSource_Type_T","GroupName":"f"}]}`)
		h.MustCall(0, rc, "create_contact_group", createBody("alice", "cg", c2c("bob")))

		before := nulState(h)
		events := len(h.events())

		for _, c := range nulCases() {
			t.Run(c.name, func(t *testing.T) {
				r := h.Call(c.service, c.command, c.body)
				if got := r.Code(t); got != c.code {
					t.Errorf("ErrorCode %d, want %d: %s", got, c.code, r.Raw)
				}
				if c.item != "" && !contains(r.Raw, c.item) {
					t.Errorf("reply lacks %s: %s", c.item, r.Raw)
				}
				if after := nulState(h); after != before {
					t.Fatalf("the call changed something:\nbefore %s\nafter  %s", before, after)
				}
				if n := len(h.events()); n != events {
					t.Fatalf("the call recorded %d events", n-events)
				}
			})
		}

		// Custom values are stored encoded, so they keep a NUL (Tencent's
		// own sample fills them with binary data).
		h.create(`{"Type":"Public","GroupId":"C","Name":"c","Owner_Account":"alice",` +
			`"MemberList":[{"Member_Account":"bob","AppMemberDefinedData":[{"Key":"k","Value":"m\u0000"}]}]}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol",`+
			`"AddSource":"AddSource_Type_T","CustomItem":[{"Tag":"Tag_SNS_Custom_k","Value":"v\u0000"}]}]}`)
		if r := h.MustCall(0, sns, "friend_get", `{"From_Account":"alice","StartIndex":0}`); !contains(r.Raw, `"Value":"v\u0000"`) {
			t.Fatalf("custom friend value lost its NUL: %s", r.Raw)
		}
	})
}

// nulCase is a call with a NUL in a text field and the answer it gets.
type nulCase struct {
	name, service, command, body string
	code                         int
	item                         string // a per-item result the reply must hold
}

// nulState reads everything the calls of nulCases could change.
func nulState(h *Harness) string {
	var b strings.Builder
	for _, c := range [][3]string{
		{login, "account_check", `{"CheckItem":[{"UserID":"alice"},{"UserID":"bob"},{"UserID":"carol"},{"UserID":"dave"}]}`},
		{grp, "get_appid_group_list", `{}`},
		{grp, "get_group_info", `{"GroupIdList":["G"]}`},
		{sns, "friend_get", `{"From_Account":"alice","StartIndex":0}`},
		{sns, "friend_get", `{"From_Account":"bob","StartIndex":0}`},
		{sns, "group_get", `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`},
		{rc, "get_contact_group", getBody("alice", 0)},
		{rc, "search_contact_group", `{"From_Account":"alice","ContactItem":[` + c2c("bob") + `,` + c2c("carol") + `]}`},
	} {
		b.WriteString(h.MustCall(0, c[0], c[1], c[2]).Raw + "\n")
	}
	return b.String()
}

// nulCases are TestNUL_TextFields's calls.
func nulCases() []nulCase {
	return []nulCase{
		// Groups: the text fields, the accounts a call names.
		{"GroupName", grp, "create_group", `{"Type":"Public","Name":"a\u0000"}`, 10004, ""},
		{"GroupIntroduction", grp, "create_group", `{"Type":"Public","Name":"n","Introduction":"\u0000"}`, 10004, ""},
		{"GroupNotification", grp, "create_group", `{"Type":"Public","Name":"n","Notification":"\u0000"}`, 10004, ""},
		{"GroupFaceUrl", grp, "create_group", `{"Type":"Public","Name":"n","FaceUrl":"\u0000"}`, 10004, ""},
		{"GroupOwner", grp, "create_group", `{"Type":"Public","Name":"n","Owner_Account":"al\u0000ice"}`, 10019, ""},
		{"GroupMember", grp, "create_group", `{"Type":"Public","Name":"n","MemberList":[{"Member_Account":"b\u0000"}]}`, 10019, ""},
		{"GroupId", grp, "create_group", `{"Type":"Public","Name":"n","GroupId":"X\u0000"}`, 10004, ""},
		{"ModifyName", grp, "modify_group_base_info", `{"GroupId":"G","Name":"\u0000"}`, 10004, ""},
		{"ModifyIntroduction", grp, "modify_group_base_info", `{"GroupId":"G","Introduction":"\u0000"}`, 10004, ""},
		{"ModifyNotification", grp, "modify_group_base_info", `{"GroupId":"G","Notification":"\u0000"}`, 10004, ""},
		{"ModifyFaceUrl", grp, "modify_group_base_info", `{"GroupId":"G","FaceUrl":"\u0000"}`, 10004, ""},
		{"AddMember", grp, "add_group_member", `{"GroupId":"G","MemberList":[{"Member_Account":"carol\u0000"}]}`, 10019, ""},
		{"NewOwner", grp, "change_group_owner", `{"GroupId":"G","NewOwner_Account":"bob\u0000"}`, 10019, ""},
		{"JoinedOf", grp, "get_joined_group_list", `{"Member_Account":"bob\u0000"}`, 10019, ""},

		// Friends and friend lists.
		{"FriendFrom", sns, "friend_add", `{"From_Account":"alice\u0000","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T"}]}`, 30003, ""},
		{"FriendTo", sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol\u0000","AddSource":"AddSource_Type_T"}]}`, 0, `"ResultCode":30003`},
		{"FriendRemark", sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","Remark":"\u0000"}]}`, 30001, ""},
		{"FriendWording", sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","AddWording":"\u0000"}]}`, 30001, ""},
		{"FriendSource", sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_\u0000"}]}`, 30001, ""},
		{"FriendList", sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","GroupName":"l\u0000"}]}`, 30001, ""},
		{"ImportRemark", sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","Remark":"\u0000"}]}`, 30001, ""},
		{"ImportWording", sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","AddWording":"\u0000"}]}`, 30001, ""},
		{"ImportList", sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","GroupName":["l\u0000"]}]}`, 30001, ""},
		{"ImportTag", sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","AddSource":"AddSource_Type_T","CustomItem":[{"Tag":"Tag_SNS_Custom_\u0000","Value":"v"}]}]}`, 30001, ""},
		{"ListAdd", sns, "group_add", `{"From_Account":"alice","GroupName":["\u0000"]}`, 30001, ""},
		{"ListDelete", sns, "group_delete", `{"From_Account":"alice","GroupName":["f\u0000"]}`, 30001, ""},
		{"ListGet", sns, "group_get", `{"From_Account":"alice","GroupName":["f\u0000"]}`, 30001, ""},
		{"FriendDelete", sns, "friend_delete", `{"From_Account":"alice","To_Account":["bob\u0000"]}`, 0, `"ResultCode":31704`},

		// Conversation groups and marks.
		{"ContactFrom", rc, "create_contact_group", createBody("alice\u0000", "x"), 50001, ""},
		{"ContactName", rc, "create_contact_group", createBody("alice", "x\u0000"), 50002, ""},
		{"ContactPeer", rc, "update_contact_group", updateBody("alice", "cg", 1, c2c("carol\u0000")), 0, `"ResultCode":50001`},
		{"ContactGroupPeer", rc, "update_contact_group", updateBody("alice", "cg", 1, grpItem("G\u0000")), 0, `"ResultCode":51007`},
		{"ContactRename", rc, "update_contact_group", renameBody("alice", "cg", "n\u0000"), 50002, ""},
		{"ContactOldName", rc, "update_contact_group", renameBody("alice", "cg\u0000", "n"), 50002, ""},
		{"ContactDelete", rc, "del_contact_group", delBody("alice", "cg\u0000"), 50002, ""},
		{"MarkCustom", rc, "mark_contact", markBody("alice", markItem(2, c2c("bob"), `"CustomMark":"\u0000"`)), 50002, ""},
		{"MarkPeer", rc, "mark_contact", markBody("alice", markItem(1, c2c("bob\u0000"), `"SetMark":[1]`)), 0, `"ResultCode":50001`},
	}
}
