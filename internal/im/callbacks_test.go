package im_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/timd/timd/internal/im"
)

// Ensure each callback body has exactly the bytes of the same fields built
// as a map with CallbackCommand and EventTime added (Go sorts map keys), as
// timd built bodies before they were structs: the same keys in the same
// order, lists empty or absent as before, and the fields alone (no
// CallbackCommand, no EventTime) when a body is marshalled unsent.
func TestCallbackBody_MapBytes(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	type m = map[string]any
	members := []m{{"Member_Account": "bob"}}
	cases := []struct {
		name string
		cb   im.Callback
		want m
	}{
		{"CreateGroup", im.AfterCreateGroupBody{GroupID: "g", Operator: "admin", Owner: "alice", Type: "Public", Name: "n",
			MemberList: []im.MemberAccount{}, AppDefined: []im.KV{{Key: "k", Value: "v"}}},
			m{"GroupId": "g", "Operator_Account": "admin", "Owner_Account": "alice", "Type": "Public", "Name": "n",
				"MemberList": []m{}, "UserDefinedDataList": []im.KV{{Key: "k", Value: "v"}}}},
		{"Destroyed", im.AfterGroupDestroyedBody{GroupID: "g", Type: "Public", Owner: "", Name: "n", Operator: "admin",
			MemberList: im.MemberAccounts([]string{"bob"})},
			m{"GroupId": "g", "Type": "Public", "Owner_Account": "", "Name": "n", "Operator_Account": "admin", "MemberList": members}},
		{"DestroyedEmpty", im.AfterGroupDestroyedBody{GroupID: "g", Type: "Private", Name: "n", Operator: "admin",
			MemberList: im.MemberAccounts(nil)},
			m{"GroupId": "g", "Type": "Private", "Owner_Account": "", "Name": "n", "Operator_Account": "admin", "MemberList": []m{}}},
		{"DestroyedCommunity", im.AfterGroupDestroyedBody{GroupID: "g", Type: im.GroupCommunity, Owner: "alice", Name: "n", Operator: "admin"},
			m{"GroupId": "g", "Type": im.GroupCommunity, "Owner_Account": "alice", "Name": "n", "Operator_Account": "admin"}},
		{"Join", im.AfterNewMemberJoinBody{GroupID: "g", Type: "Public", JoinType: "Invited", Operator: "admin",
			NewMemberList: im.MemberAccounts([]string{"bob"})},
			m{"GroupId": "g", "Type": "Public", "JoinType": "Invited", "Operator_Account": "admin", "NewMemberList": members}},
		{"Exit", im.AfterMemberExitBody{GroupID: "g", Type: "Public", ExitType: "Kicked", Operator: "admin",
			ExitMemberList: []im.MemberAccount{{Account: "bob"}}},
			m{"GroupId": "g", "Type": "Public", "ExitType": "Kicked", "Operator_Account": "admin", "ExitMemberList": members}},
		{"GroupAttrChanged", im.AfterGroupAttrChangedBody{GroupID: "g", Type: "AVChatRoom", Operator: "admin", OptionType: im.GroupAttrSet,
			GroupAttr: []im.GroupAttr{{Key: "k", Value: "v"}}},
			m{"GroupId": "g", "Type": "AVChatRoom", "Operator_Account": "admin", "OptionType": "set", "GroupAttr": []m{{"key": "k", "value": "v"}}}},
		{"FriendAdd", im.FriendAddBody{From: "alice", Admin: "admin", ClientCmd: "friend_add", ForceFlag: 1,
			PairList: []im.FriendAddPair{{From: "alice", To: "bob", Initiator: "alice"}}},
			m{"PairList": []m{{"From_Account": "alice", "To_Account": "bob", "Initiator_Account": "alice"}},
				"ClientCmd": "friend_add", "Admin_Account": "admin", "ForceFlag": 1}},
		{"FriendDelete", im.FriendDeleteBody{From: "alice", PairList: []im.FriendPair{{From: "alice", To: "bob"}, {From: "bob", To: "alice"}}},
			m{"PairList": []m{{"From_Account": "alice", "To_Account": "bob"}, {"From_Account": "bob", "To_Account": "alice"}}}},
		{"BeforeCreateGroup", im.BeforeCreateGroupBody{Operator: "admin", Owner: "alice", Type: "Public", Name: "n",
			CreateGroupNum: 2, MemberList: []im.MemberAccount{}},
			m{"Operator_Account": "admin", "Owner_Account": "alice", "Type": "Public", "Name": "n", "CreateGroupNum": 2, "MemberList": []m{}}},
		{"PrevFriendAdd", im.PrevFriendAddBody{Requester: "alice", From: "alice", AddType: im.AddTypeBoth, ForceAddFlags: 0,
			FriendItem: []im.PrevFriendItem{{To: "bob", Remark: "r", GroupName: "g", AddSource: "AddSource_Type_Web", AddWording: "<hi>"}}},
			m{"Requester_Account": "alice", "From_Account": "alice", "AddType": im.AddTypeBoth, "ForceAddFlags": 0,
				"FriendItem": []m{{"To_Account": "bob", "Remark": "r", "GroupName": "g", "AddSource": "AddSource_Type_Web", "AddWording": "<hi>"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			alone, err := json.Marshal(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := json.Marshal(tc.cb); err != nil || string(got) != string(alone) {
				t.Errorf("fields alone:\n%s (%v)\nwant\n%s", got, err, alone)
			}
			tc.want["CallbackCommand"], tc.want["EventTime"] = tc.cb.CallbackCommand(), at.UnixMilli()
			want, err := json.Marshal(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := im.CallbackBody(tc.cb, at); err != nil || string(got) != string(want) {
				t.Errorf("body:\n%s (%v)\nwant\n%s", got, err, want)
			}
		})
	}
}

// Ensure an event names its command and key after its body, and that
// building it leaves the body given unchanged.
func TestNewEvent_FromBody(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cb := im.FriendDeleteBody{From: "alice", PairList: []im.FriendPair{{From: "alice", To: "bob"}}}
	ev, err := im.NewEvent(7, at, cb)
	if err != nil {
		t.Fatal(err)
	}
	if ev.AppID != 7 || ev.Key != "alice" || ev.Command != im.CallbackFriendDelete || !ev.CreatedAt.Equal(at) || ev.State != im.EventPending {
		t.Errorf("event %+v", ev)
	}
	if cb.Command != "" || cb.EventTime != nil {
		t.Errorf("the body given was stamped: %+v", cb)
	}
}
