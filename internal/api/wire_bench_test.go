package api

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// BenchmarkDecode_CreateGroup measures decoding a create_group body with 100
// members into its request type, the JSON work of the largest common write.
func BenchmarkDecode_CreateGroup(b *testing.B) {
	var m []string
	for i := range 100 {
		m = append(m, fmt.Sprintf(`{"Member_Account":"user_%03d","Role":"Member"}`, i))
	}
	body := []byte(`{"Owner_Account":"user_000","Type":"Public","GroupId":"g1","Name":"bench","Introduction":"i",` +
		`"Notification":"n","MaxMemberCount":2000,"ApplyJoinOption":"FreeAccess","MemberList":[` + strings.Join(m, ",") + `]}`)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		var req createGroupReq
		if err := decode(body, &req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEnvelope_GroupInfo measures writing a get_group_info reply of one
// group with 100 members.
func BenchmarkEnvelope_GroupInfo(b *testing.B) {
	var members []object
	for i := range 100 {
		var o object
		o.add("Member_Account", fmt.Sprintf("user_%03d", i))
		o.add("Role", "Member")
		o.add("JoinTime", 1700000000+i)
		o.add("MsgSeq", 0)
		o.add("MsgFlag", "AcceptAndNotify")
		o.add("LastSendMsgTime", 0)
		o.add("ShutUpUntil", 0)
		members = append(members, o)
	}
	var g object
	g.add("GroupId", "g1")
	g.add("Type", "Public")
	g.add("Name", "bench")
	g.add("MemberNum", 100)
	g.add("MemberList", members)
	resp := &getGroupInfoResp{GroupInfo: []object{g}}
	s := service{invalid: 10004, internal: 10002}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.envelope(0, "", resp); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecode_StrictKeysCheck measures the exact-key check alone on the
// body of BenchmarkDecode_CreateGroup (all keys exact: nothing renamed).
func BenchmarkDecode_StrictKeysCheck(b *testing.B) {
	var m []string
	for i := range 100 {
		m = append(m, fmt.Sprintf(`{"Member_Account":"user_%03d","Role":"Member"}`, i))
	}
	body := []byte(`{"Owner_Account":"user_000","Type":"Public","GroupId":"g1","Name":"bench","Introduction":"i",` +
		`"Notification":"n","MaxMemberCount":2000,"ApplyJoinOption":"FreeAccess","MemberList":[` + strings.Join(m, ",") + `]}`)
	s := shapeOf(reflect.TypeFor[*createGroupReq]())
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if out := strictKeys(body, s); &out[0] != &body[0] {
			b.Fatal("body copied")
		}
	}
}
