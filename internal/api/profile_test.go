package api_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

const prof = "profile"

// setBody is a portrait_set of one item for alice.
func setBody(tag, value string) string {
	return `{"From_Account":"alice","ProfileItem":[{"Tag":"` + tag + `","Value":` + value + `}]}`
}

// everyTag lists every standard tag and TestApp's custom ones.
const everyTag = `["Tag_Profile_IM_Nick","Tag_Profile_IM_Gender","Tag_Profile_IM_BirthDay","Tag_Profile_IM_Location",` +
	`"Tag_Profile_IM_SelfSignature","Tag_Profile_IM_AllowType","Tag_Profile_IM_Language","Tag_Profile_IM_Image",` +
	`"Tag_Profile_IM_MsgSettings","Tag_Profile_IM_AdminForbidType","Tag_Profile_IM_Level","Tag_Profile_IM_Role",` +
	`"Tag_Profile_Custom_Test","Tag_Profile_Custom_Short","Tag_Profile_Custom_Score"]`

// aliceProfile is portrait_get of alice's every field.
func aliceProfile(h *Harness) string {
	return h.MustCall(0, prof, "portrait_get", `{"To_Account":["alice"],"TagList":`+everyTag+`}`).Raw
}

// Ensure portrait_set accepts, for each standard field, the values
// 1047/33520 lists and answers the codes of 1047/34916 for the others:
// 40610 for a value of the wrong JSON type, 40605 for one the field does
// not allow, 40601 past a length limit, 40009 for an unknown or undeclared
// tag; that custom fields take their declared type and length; and that a
// refused call changes nothing (the whole profile reads the same after).
func TestProfile_SetValues(t *testing.T) {
	long := func(n int) string { return `"` + strings.Repeat("x", n) + `"` }
	cases := []struct {
		name, tag, value string
		code             int
	}{
		{"Nick500", "Tag_Profile_IM_Nick", long(500), 0},
		{"ErrNick501", "Tag_Profile_IM_Nick", long(501), 40601},
		{"ErrNickNumber", "Tag_Profile_IM_Nick", `1`, 40610},
		{"ErrNickNUL", "Tag_Profile_IM_Nick", `"a\u0000b"`, 40001},
		{"GenderMale", "Tag_Profile_IM_Gender", `"Gender_Type_Male"`, 0},
		{"ErrGenderOther", "Tag_Profile_IM_Gender", `"Gender_Type_Other"`, 40605},
		{"ErrGenderEmpty", "Tag_Profile_IM_Gender", `""`, 40605},
		{"BirthDay", "Tag_Profile_IM_BirthDay", `20190419`, 0},
		{"ErrBirthDayString", "Tag_Profile_IM_BirthDay", `"20190419"`, 40610},
		{"ErrBirthDayNegative", "Tag_Profile_IM_BirthDay", `-1`, 40605},
		{"ErrBirthDayFraction", "Tag_Profile_IM_BirthDay", `1.5`, 40605},
		{"ErrBirthDayOverUint32", "Tag_Profile_IM_BirthDay", `4294967296`, 40605},
		{"Location16", "Tag_Profile_IM_Location", long(16), 0},
		{"ErrLocation17", "Tag_Profile_IM_Location", long(17), 40601},
		{"SelfSignature500", "Tag_Profile_IM_SelfSignature", long(500), 0},
		{"ErrSelfSignature501", "Tag_Profile_IM_SelfSignature", long(501), 40601},
		{"AllowTypeDenyAny", "Tag_Profile_IM_AllowType", `"AllowType_Type_DenyAny"`, 0},
		{"ErrAllowTypeOther", "Tag_Profile_IM_AllowType", `"AllowType_Type_Other"`, 40605},
		{"ErrAllowTypeNumber", "Tag_Profile_IM_AllowType", `2`, 40610},
		{"Language", "Tag_Profile_IM_Language", `2052`, 0},
		{"ErrLanguageString", "Tag_Profile_IM_Language", `"zh"`, 40610},
		{"Image500", "Tag_Profile_IM_Image", long(500), 0},
		{"ErrImage501", "Tag_Profile_IM_Image", long(501), 40601},
		{"MsgSettings", "Tag_Profile_IM_MsgSettings", `1`, 0},
		{"ErrMsgSettingsBool", "Tag_Profile_IM_MsgSettings", `true`, 40610},
		{"AdminForbidSendOut", "Tag_Profile_IM_AdminForbidType", `"AdminForbid_Type_SendOut"`, 0},
		{"ErrAdminForbidOther", "Tag_Profile_IM_AdminForbidType", `"AdminForbid_Type_All"`, 40605},
		{"LevelMax", "Tag_Profile_IM_Level", `4294967295`, 0},
		{"ErrLevelObject", "Tag_Profile_IM_Level", `{}`, 40610},
		{"Role", "Tag_Profile_IM_Role", `0`, 0},
		{"ErrRoleNull", "Tag_Profile_IM_Role", `null`, 40610},
		{"CustomString500", "Tag_Profile_Custom_Test", long(500), 0},
		{"CustomStringNUL", "Tag_Profile_Custom_Test", `"a\u0000b"`, 0},
		{"ErrCustomString501", "Tag_Profile_Custom_Test", long(501), 40601},
		{"ErrCustomStringNumber", "Tag_Profile_Custom_Test", `1`, 40001},
		{"CustomShort8", "Tag_Profile_Custom_Short", long(8), 0},
		{"ErrCustomShort9", "Tag_Profile_Custom_Short", long(9), 40601},
		{"CustomInteger", "Tag_Profile_Custom_Score", `-9223372036854775808`, 0},
		{"ErrCustomIntegerString", "Tag_Profile_Custom_Score", `"1"`, 40001},
		{"ErrCustomIntegerFraction", "Tag_Profile_Custom_Score", `0.5`, 40001},
		{"ErrCustomUndeclared", "Tag_Profile_Custom_Other", `"x"`, 40009},
		{"ErrUnknownStandard", "Tag_Profile_IM_Other", `"x"`, 40009},
		{"ErrSNSTag", "Tag_SNS_IM_Remark", `"x"`, 40009},
	}
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice")
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := aliceProfile(h)
				r := h.Call(prof, "portrait_set", setBody(c.tag, c.value))
				if got := r.Code(t); got != c.code {
					t.Fatalf("ErrorCode %d, want %d: %s", got, c.code, r)
				}
				if after := aliceProfile(h); c.code != 0 && after != before {
					t.Errorf("a refused call changed the profile:\n%s\n%s", before, after)
				}
			})
		}
	})
}

// Ensure a portrait_set with several items sets all of them or, when one is
// refused, none: the items before the bad one are not written either; that
// a tag given twice takes its last value; and that the request-level
// checks answer 40001 (From_Account, ProfileItem, Tag, Value missing) and
// 40003 (From_Account not imported).
func TestProfile_SetRequest(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice")
		h.MustCall(0, prof, "portrait_set", `{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"a"},{"Tag":"Tag_Profile_IM_Level","Value":1},{"Tag":"Tag_Profile_IM_Nick","Value":"b"}]}`)
		before := aliceProfile(h)
		if !strings.Contains(before, `{"Tag":"Tag_Profile_IM_Nick","Value":"b"}`) || !strings.Contains(before, `{"Tag":"Tag_Profile_IM_Level","Value":1}`) {
			t.Fatalf("after set: %s", before)
		}
		for _, c := range []struct {
			body string
			code int
		}{
			{`{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"c"},{"Tag":"Tag_Profile_IM_Level","Value":"2"}]}`, 40610},
			{`{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Level","Value":2},{"Tag":"Tag_Profile_IM_Bad","Value":1}]}`, 40009},
			{`{"ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"c"}]}`, 40001},
			{`{"From_Account":"alice"}`, 40001},
			{`{"From_Account":"alice","ProfileItem":[]}`, 40001},
			{`{"From_Account":"alice","ProfileItem":[{"Value":"c"}]}`, 40001},
			{`{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick"}]}`, 40001},
			{`{"From_Account":"alice","ProfileItem":{"Tag":"Tag_Profile_IM_Nick","Value":"c"}}`, 40001},
			{`{"From_Account":1,"ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"c"}]}`, 40001},
			{`{"From_Account":"nobody","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"c"}]}`, 40003},
			{`{"From_Account":"","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"c"}]}`, 40003},
		} {
			h.MustCall(c.code, prof, "portrait_set", c.body)
		}
		if after := aliceProfile(h); after != before {
			t.Errorf("refused calls changed the profile:\n%s\n%s", before, after)
		}
	})
}

// Ensure Nick and Image are the Nick and FaceUrl of account_import: a
// value set by one is read by the other's reader, and an account_import
// without them keeps what portrait_set set.
func TestProfile_SharedWithAccountImport(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"alice","Nick":"imported","FaceUrl":"http://x/i.png"}`)
		get := `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Image"]}`
		want := `"ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"imported"},{"Tag":"Tag_Profile_IM_Image","Value":"http://x/i.png"}]`
		if r := h.MustCall(0, prof, "portrait_get", get); !strings.Contains(r.Raw, want) {
			t.Fatalf("portrait_get after account_import: %s", r)
		}
		h.MustCall(0, prof, "portrait_set", `{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"set"},{"Tag":"Tag_Profile_IM_Image","Value":"http://x/s.png"}]}`)
		h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"alice"}`)
		a, err := h.Store.FindAccount(t.Context(), TestAppID, "alice")
		if err != nil || a.Nick != "set" || a.FaceURL != "http://x/s.png" {
			t.Fatalf("account = %+v, %v", a, err)
		}
		h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"alice","Nick":"again"}`)
		want = `"ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"again"},{"Tag":"Tag_Profile_IM_Image","Value":"http://x/s.png"}]`
		if r := h.MustCall(0, prof, "portrait_get", get); !strings.Contains(r.Raw, want) {
			t.Errorf("portrait_get after a second account_import: %s", r)
		}
	})
}

// Ensure portrait_get checks its request as 1047/34917 says: To_Account
// missing, empty or not an array of strings is 40002; over 100 accounts,
// a TagList missing or empty, is 40001; an unknown or undeclared tag is
// 40009; 100 accounts, repeated ones among them, are answered one item
// each, in order.
func TestProfile_GetRequest(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice")
		ids := make([]string, 100)
		for i := range ids {
			ids[i] = `"alice"`
		}
		ids[99] = `"ghost"`
		hundred := "[" + strings.Join(ids, ",") + "]"
		for _, c := range []struct {
			body string
			code int
		}{
			{`{"TagList":["Tag_Profile_IM_Nick"]}`, 40002},
			{`{"To_Account":[],"TagList":["Tag_Profile_IM_Nick"]}`, 40002},
			{`{"To_Account":"alice","TagList":["Tag_Profile_IM_Nick"]}`, 40002},
			{`{"To_Account":[1],"TagList":["Tag_Profile_IM_Nick"]}`, 40002},
			{`{"To_Account":["alice"]}`, 40001},
			{`{"To_Account":["alice"],"TagList":[]}`, 40001},
			{`{"To_Account":["alice"],"TagList":"Tag_Profile_IM_Nick"}`, 40001},
			{`{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Other"]}`, 40009},
			{`{"To_Account":["alice"],"TagList":["Tag_Profile_Custom_Other"]}`, 40009},
			{`{"To_Account":` + strings.Replace(hundred, "[", `["alice",`, 1) + `,"TagList":["Tag_Profile_IM_Nick"]}`, 40001},
		} {
			h.MustCall(c.code, prof, "portrait_get", c.body)
		}
		r := h.MustCall(0, prof, "portrait_get", `{"To_Account":`+hundred+`,"TagList":["Tag_Profile_IM_Level"]}`)
		items, _ := r.M["UserProfileItem"].([]any)
		fail, _ := r.M["Fail_Account"].([]any)
		if len(items) != 100 || len(fail) != 1 || fail[0] != "ghost" {
			t.Fatalf("%d items, Fail_Account %v", len(items), fail)
		}
		if got := fmt.Sprint(items[99]); got != "map[ResultCode:40003 ResultInfo:Err_Profile_Account_Not_Exist To_Account:ghost]" {
			t.Errorf("ghost's item: %s", got)
		}
		if r := h.MustCall(0, prof, "portrait_get", `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Level"]}`); strings.Contains(r.Raw, "Fail_Account") {
			t.Errorf("Fail_Account sent with no failed account: %s", r)
		}
	})
}

// Ensure account_delete removes the profile: an account imported again
// under the same id reads every field at its default.
func TestProfile_AccountDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice")
		fresh := aliceProfile(h)
		h.MustCall(0, prof, "portrait_set", `{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"a"},{"Tag":"Tag_Profile_IM_AllowType","Value":"AllowType_Type_DenyAny"},{"Tag":"Tag_Profile_Custom_Score","Value":5}]}`)
		h.MustCall(0, "im_open_login_svc", "account_delete", `{"DeleteItem":[{"UserID":"alice"}]}`)
		h.MustCall(0, prof, "portrait_get", `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick"]}`)
		h.importUsers("alice")
		if after := aliceProfile(h); after != fresh {
			t.Errorf("profile after delete and import:\n%s\nwant\n%s", after, fresh)
		}
	})
}

// Ensure portrait_set records Profile.CallbackPortraitSet in its
// transaction, with the keys of Tencent's sample (1047/48733) in its
// order: Operator_Account the admin who called, From_Account, EventTime,
// ProfileItem the fields set, in the request's order, each once with its
// last value; and that a refused call records nothing.
func TestProfile_Callback(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &testClock{t: openimEpoch}
		h := openIM(t, dsn, clk, []string{"alice"})
		h.MustCall(40610, prof, "portrait_set", setBody("Tag_Profile_IM_Level", `"1"`))
		h.MustCall(40003, prof, "portrait_set", `{"From_Account":"nobody","ProfileItem":[{"Tag":"Tag_Profile_IM_Level","Value":1}]}`)
		h.MustCall(0, prof, "portrait_set", `{"From_Account":"alice","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"nick1"},`+
			`{"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Male"},{"Tag":"Tag_Profile_IM_BirthDay","Value":20190419},{"Tag":"Tag_Profile_IM_Nick","Value":"nick2"}]}`)
		evs := h.events()
		if len(evs) != 1 {
			t.Fatalf("%d events, want 1: %v", len(evs), evs)
		}
		want := `{"CallbackCommand":"Profile.CallbackPortraitSet","Operator_Account":"administrator","From_Account":"alice",` +
			fmt.Sprintf(`"EventTime":%d,`, openimEpoch.UnixMilli()) +
			`"ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"nick2"},{"Tag":"Tag_Profile_IM_Gender","Value":"Gender_Type_Male"},{"Tag":"Tag_Profile_IM_BirthDay","Value":20190419}]}`
		if evs[0].Raw != want || evs[0].Key != "alice" {
			t.Errorf("event %s\n got %s\nwant %s", evs[0].Key, evs[0].Raw, want)
		}
	})
}

// Ensure portrait_set calls racing on one account each apply whole, so the
// account ends with every field set, and that one racing account_delete
// either comes after a set (which it then erases) or before it (which then
// answers 40003): no profile row outlives its account; on both databases.
func TestProfile_ConcurrentSetsAndDelete(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		h.importUsers("alice", "bob")
		items := []string{`"Tag_Profile_IM_Nick","Value":"n"`, `"Tag_Profile_IM_Gender","Value":"Gender_Type_Male"`,
			`"Tag_Profile_IM_BirthDay","Value":20190419`, `"Tag_Profile_IM_Level","Value":2`,
			`"Tag_Profile_IM_AllowType","Value":"AllowType_Type_DenyAny"`, `"Tag_Profile_IM_Image","Value":"http://x/i.png"`}
		var wg sync.WaitGroup
		for _, it := range items {
			wg.Go(func() {
				h.MustCall(0, "profile", "portrait_set", `{"From_Account":"alice","ProfileItem":[{"Tag":`+it+`}]}`)
			})
		}
		wg.Wait()
		r := h.MustCall(0, "profile", "portrait_get", `{"To_Account":["alice"],"TagList":["Tag_Profile_IM_Nick","Tag_Profile_IM_Gender",`+
			`"Tag_Profile_IM_BirthDay","Tag_Profile_IM_Level","Tag_Profile_IM_AllowType","Tag_Profile_IM_Image"]}`)
		for _, it := range items {
			if !strings.Contains(r.Raw, `{"Tag":`+it+`}`) {
				t.Errorf("after racing sets, alice lacks %s: %s", it, r)
			}
		}

		for round := range 10 {
			var code atomic.Int64
			wg.Go(func() {
				code.Store(int64(h.Call("profile", "portrait_set", `{"From_Account":"bob","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"b"}]}`).Code(t)))
			})
			wg.Go(func() { h.MustCall(0, login, "account_delete", `{"DeleteItem":[{"UserID":"bob"}]}`) })
			wg.Wait()
			if c := code.Load(); c != 0 && c != 40003 {
				t.Fatalf("round %d: portrait_set racing account_delete answered %d", round, c)
			}
			doc := h.MustCall(0, "timd_control", "export", `{}`).Raw
			profiles := doc[strings.Index(doc, `"Profiles"`):strings.Index(doc, `"OnlineStates"`)]
			if strings.Contains(profiles, `"user_id":"bob"`) {
				t.Fatalf("round %d: a profile row of deleted bob: %s", round, profiles)
			}
			h.importUsers("bob")
		}
	})
}
