package api_test

import (
	"strings"
	"testing"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// updBody renders a friend_update body from alice with one item.
func updBody(to, items string) string {
	return `{"From_Account":"alice","UpdateItem":[{"To_Account":"` + to + `","SnsItem":[` + items + `]}]}`
}

// Ensure friend_update changes only remarks, lists and custom fields,
// answers per item (30001 for a non-friend, 30011 past 32 lists), refuses
// any other tag with 30001 changing nothing, and records no event.
func TestSNS_FriendUpdate(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob", "carol")+`,"ForceAddFlags":1}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["old"],"To_Account":["bob"]}`)
		many := make([]string, 32)
		for i := range many {
			many[i] = jstr("L" + itoa(i))
		}
		runSNSCases(t, h, []snsCase{
			{name: "ErrNoFrom", command: "friend_update", body: `{"UpdateItem":[{"To_Account":"bob","SnsItem":[{"Tag":"Tag_SNS_IM_Remark","Value":"r"}]}]}`, code: 30001},
			{name: "ErrUnknownFrom", command: "friend_update", body: strings.Replace(updBody("bob", `{"Tag":"Tag_SNS_IM_Remark","Value":"r"}`), "alice", "nobody", 1), code: 30003},
			{name: "ErrNoItems", command: "friend_update", body: `{"From_Account":"alice","UpdateItem":[]}`, code: 30001},
			{name: "ErrNoSnsItem", command: "friend_update", body: updBody("bob", ``), code: 30001},
			{name: "ErrAddSource", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_X"}`), code: 30001},
			{name: "ErrAddWording", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_AddWording","Value":"x"}`), code: 30001},
			{name: "ErrProfileTag", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_Profile_IM_Nick","Value":"x"}`), code: 30001},
			{name: "ErrRemark97", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_Remark","Value":"`+xs(97)+`"}`), code: 30001},
			{name: "ErrRemarkNumber", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_Remark","Value":7}`), code: 30001},
			{name: "ErrGroupString", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_Group","Value":"g"}`), code: 30001},
			{name: "ErrGroupName31", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_Group","Value":["`+xs(31)+`"]}`), code: 30001},
			{name: "ErrCustomFloat", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_Custom_Test","Value":1.5}`), code: 30001},
			{name: "Update", command: "friend_update",
				body: `{"From_Account":"alice","UpdateItem":[{"To_Account":"bob","SnsItem":[{"Tag":"Tag_SNS_IM_Remark","Value":"remark1"},` +
					`{"Tag":"Tag_SNS_IM_Group","Value":["group1","group2"]},{"Tag":"Tag_SNS_Custom_Test","Value":"test"}]},` +
					`{"To_Account":"dave","SnsItem":[{"Tag":"Tag_SNS_IM_Remark","Value":"x"}]},` +
					`{"To_Account":"carol","SnsItem":[{"Tag":"Tag_SNS_IM_Group","Value":[` + strings.Join(many, ",") + `]}]}]}`,
				want: []string{`"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"dave","ResultCode":30001,"ResultInfo":"Err_SNS_FriendUpdate_Friend_Not_Exist"},` +
					`{"To_Account":"carol","ResultCode":30011,"ResultInfo":"Err_SNS_FriendUpdate_Group_Num_Exceed_Threshold"}]`,
					`"Fail_Account":["dave","carol"]`}},
			{name: "Read", command: "friend_get_list",
				body: `{"From_Account":"alice","To_Account":["bob"],"TagList":["Tag_SNS_Custom_Test","Tag_SNS_IM_Remark","Tag_SNS_IM_Group"]}`,
				want: []string{`"SnsProfileItem":[{"Tag":"Tag_SNS_IM_Remark","Value":"remark1"},{"Tag":"Tag_SNS_IM_Group","Value":["group1","group2"]},{"Tag":"Tag_SNS_Custom_Test","Value":"test"}]`}},
			{name: "ListsReplaced", command: "group_get", body: `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`,
				want: []string{`{"GroupName":"old","FriendNumber":0,"To_Account":[]}`, `{"GroupName":"group1","FriendNumber":1,"To_Account":["bob"]}`}},
			{name: "ListsCleared", command: "friend_update", body: updBody("bob", `{"Tag":"Tag_SNS_IM_Group","Value":[]}`)},
			{name: "ReadCleared", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":["bob"],"TagList":["Tag_SNS_IM_Group","Tag_SNS_IM_Remark"]}`,
				want: []string{`"SnsProfileItem":[{"Tag":"Tag_SNS_IM_Remark","Value":"remark1"}]`}},
		})
	})
}

// Ensure friend_get_list answers each To_Account in order: a friend's
// fields of TagList in Tencent's order (friend, profile, custom friend,
// custom profile fields; unset ones left out), a non-friend 30001 in
// Fail_Account; and checks TagList and the 100-account cap.
func TestSNS_FriendGetList(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, append(users("u", 101), "alice", "bob")...)
		h.MustCall(0, "im_open_login_svc", "account_import", `{"UserID":"carol","Nick":"nick_3"}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"carol","Remark":"remark_3","GroupName":["group1"],"AddSource":"AddSource_Type_Web","CustomItem":[{"Tag":"Tag_SNS_Custom_Test","Value":"custom_sns_3"}]}]}`)
		const tags = `"TagList":["Tag_Profile_Custom_Test","Tag_Profile_IM_Image","Tag_Profile_IM_Nick","Tag_SNS_Custom_Test","Tag_SNS_IM_Remark","Tag_SNS_IM_Group","Tag_SNS_IM_AddSource"]`
		runSNSCases(t, h, []snsCase{
			{name: "ErrNoTagList", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":["carol"]}`, code: 30001},
			{name: "ErrEmptyTagList", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":["carol"],"TagList":[]}`, code: 30001},
			{name: "ErrUnknownTag", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":["carol"],"TagList":["Tag_SNS_IM_RemarkTime"]}`, code: 30001},
			{name: "ErrNoTo", command: "friend_get_list", body: `{"From_Account":"alice",` + tags + `}`, code: 30001},
			{name: "ErrTo101", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":` + jstr(users("u", 101)) + `,` + tags + `}`, code: 30001},
			{name: "ErrUnknownFrom", command: "friend_get_list", body: `{"From_Account":"nobody","To_Account":["carol"],` + tags + `}`, code: 30003},
			{name: "Get", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":["carol","bob","nobody"],` + tags + `}`,
				want: []string{`"InfoItem":[{"To_Account":"carol","SnsProfileItem":[{"Tag":"Tag_SNS_IM_AddSource","Value":"AddSource_Type_Web"},` +
					`{"Tag":"Tag_SNS_IM_Remark","Value":"remark_3"},{"Tag":"Tag_SNS_IM_Group","Value":["group1"]},` +
					`{"Tag":"Tag_Profile_IM_Nick","Value":"nick_3"},{"Tag":"Tag_SNS_Custom_Test","Value":"custom_sns_3"}],"ResultCode":0,"ResultInfo":""},` +
					`{"To_Account":"bob","ResultCode":30001,"ResultInfo":"Err_SNS_FriendGetList_Friend_Not_Exist"},` +
					`{"To_Account":"nobody","ResultCode":30001,"ResultInfo":"Err_SNS_FriendGetList_Friend_Not_Exist"}]`,
					`"Fail_Account":["bob","nobody"]`}},
			{name: "Get100", command: "friend_get_list", body: `{"From_Account":"alice","To_Account":` + jstr(users("u", 100)) + `,"TagList":["Tag_SNS_IM_Remark"]}`},
		})
	})
}

// Ensure friend_delete_all empties the user's friend list, one way by
// default and both ways with Delete_Type_Both, records one
// Sns.CallbackFriendDelete of the rows removed, keeps the user's lists, and
// records nothing when there was nothing to remove.
func TestSNS_FriendDeleteAll(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openGroups(t, dsn, "alice", "bob", "carol", "dave")
		h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("bob", "carol")+`,"ForceAddFlags":1}`)
		h.MustCall(0, sns, "friend_add", `{"From_Account":"dave","AddFriendItem":`+addItems("alice")+`,"ForceAddFlags":1}`)
		h.MustCall(0, sns, "group_add", `{"From_Account":"alice","GroupName":["L"],"To_Account":["bob"]}`)
		const ev = im.CallbackFriendDelete
		runSNSCases(t, h, []snsCase{
			{name: "ErrNoFrom", command: "friend_delete_all", body: `{}`, code: 30001},
			{name: "ErrUnknownFrom", command: "friend_delete_all", body: `{"From_Account":"nobody"}`, code: 30003},
			{name: "ErrDeleteType", command: "friend_delete_all", body: `{"From_Account":"alice","DeleteType":"Delete_Type_All"}`, code: 30001},
			{name: "Single", command: "friend_delete_all", body: `{"From_Account":"bob"}`, event: ev,
				want:   []string{`"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"ErrorDisplay":""}`},
				evWant: []string{`"PairList":[{"From_Account":"bob","To_Account":"alice"}]`}},
			{name: "Both", command: "friend_delete_all", body: `{"From_Account":"alice","DeleteType":"Delete_Type_Both"}`, event: ev,
				evWant: []string{`"PairList":[{"From_Account":"alice","To_Account":"bob"},{"From_Account":"alice","To_Account":"carol"},` +
					`{"From_Account":"carol","To_Account":"alice"},{"From_Account":"alice","To_Account":"dave"},{"From_Account":"dave","To_Account":"alice"}]`}},
			{name: "Nothing", command: "friend_delete_all", body: `{"From_Account":"alice","DeleteType":"Delete_Type_Both"}`},
			{name: "ListKept", command: "group_get", body: `{"From_Account":"alice","NeedFriend":"Need_Friend_Type_Yes"}`,
				want: []string{`{"GroupName":"L","FriendNumber":0,"To_Account":[]}`}},
		})
		for _, p := range [][2]string{{"alice", "bob"}, {"alice", "carol"}, {"alice", "dave"}} {
			if got := h.relation(p[0], p[1]); got != im.RelationNone {
				t.Errorf("%s and %s: %s", p[0], p[1], got)
			}
		}
	})
}
