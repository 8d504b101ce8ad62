package api_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/dbtest"
)

// concurrentCall is a write sent many times at once, identical, with the
// codes its copies may answer and how many of them may succeed (-1: any).
type concurrentCall struct {
	path, body string
	codes      []int
	successes  int
}

// TestConcurrentIdenticalWrites sends each write of a backend's day 12
// times at once, the same body every time (a client's retries racing its
// first try), and wants every copy answered with a code of the command's
// own: never an internal error or a transport failure, and exactly one
// success where the write can happen only once (a create, a dismissal, the
// deletion of a conversation group or a friend list). On PostgreSQL the copies
// are spread over two servers sharing the database, as two instances
// behind a load balancer would get them. The stored outcome of the message
// writes is checked in sqlstore's c2c_dup_test.go.
func TestConcurrentIdenticalWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn)
		servers := []string{h.URL}
		if !strings.HasSuffix(dsn, ".db") {
			servers = append(servers, MustOpenHarness(t, dsn).URL)
		}
		h.importUsers("u1", "u2", "u3", "u4", "u5")
		text := `[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]`
		ok := []int{0}
		for _, c := range []concurrentCall{
			{"im_open_login_svc/account_import", `{"UserID":"dup1"}`, ok, -1},
			{"im_open_login_svc/multiaccount_import", `{"Accounts":["dup2","dup3"]}`, ok, -1},
			{"group_open_http_svc/create_group", `{"Type":"Public","Name":"g","GroupId":"race1","MemberList":[{"Member_Account":"u1"}]}`, []int{0, 10021}, 1},
			{"group_open_http_svc/create_group", `{"Type":"Public","Name":"g","GroupId":"race2"}`, []int{0, 10021}, 1},
			{"group_open_http_svc/add_group_member", `{"GroupId":"race1","MemberList":[{"Member_Account":"u2"},{"Member_Account":"u3"}]}`, ok, -1},
			{"group_open_http_svc/delete_group_member", `{"GroupId":"race1","MemberToDel_Account":["u3"]}`, ok, -1},
			{"group_open_http_svc/modify_group_base_info", `{"GroupId":"race1","Name":"n2"}`, ok, -1},
			{"group_open_http_svc/modify_group_member_info", `{"GroupId":"race1","Member_Account":"u2","Role":"Admin"}`, ok, -1},
			{"group_open_http_svc/forbid_send_msg", `{"GroupId":"race1","Members_Account":["u2"],"MuteTime":60}`, ok, -1},
			{"group_open_http_svc/send_group_msg", `{"GroupId":"race1","From_Account":"u1","Random":77,"MsgBody":` + text + `}`, ok, -1},
			{"group_open_http_svc/import_group_msg", `{"GroupId":"race1","RecentContactFlag":0,"MsgList":[{"From_Account":"u1","SendTime":1700000000,"Random":5,"MsgBody":` + text + `}]}`, ok, -1},
			{"group_open_http_svc/change_group_owner", `{"GroupId":"race1","NewOwner_Account":"u2"}`, ok, -1},
			{"group_open_http_svc/destroy_group", `{"GroupId":"race2"}`, []int{0, 10010}, 1},
			{"sns/friend_add", `{"From_Account":"u1","AddFriendItem":[{"To_Account":"u2","AddSource":"AddSource_Type_x"}],"AddType":"Add_Type_Both","ForceAddFlags":1}`, ok, -1},
			{"sns/friend_import", `{"From_Account":"u3","AddFriendItem":[{"To_Account":"u4","AddSource":"AddSource_Type_x"}]}`, ok, -1},
			{"sns/group_add", `{"From_Account":"u1","GroupName":["L1"]}`, ok, -1},
			{"sns/black_list_add", `{"From_Account":"u1","To_Account":["u5"]}`, ok, -1},
			{"sns/friend_delete", `{"From_Account":"u1","To_Account":["u2"],"DeleteType":"Delete_Type_Both"}`, ok, -1},
			{"profile/portrait_set", `{"From_Account":"u1","ProfileItem":[{"Tag":"Tag_Profile_IM_Nick","Value":"n"}]}`, ok, -1},
			{"openconfigsvr/setnospeaking", `{"Set_Account":"u3","C2CmsgNospeakingTime":100}`, ok, -1},
			{"openim/sendmsg", `{"From_Account":"u1","To_Account":"u2","MsgSeq":9,"MsgRandom":9,"MsgBody":` + text + `}`, ok, -1},
			{"openim/batchsendmsg", `{"From_Account":"u1","To_Account":["u2","u4"],"MsgSeq":10,"MsgRandom":10,"MsgBody":` + text + `}`, ok, -1},
			{"openim/importmsg", `{"SyncFromOldSystem":2,"From_Account":"u4","To_Account":"u5","MsgSeq":3,"MsgRandom":3,"MsgTimeStamp":1700000000,"MsgBody":` + text + `}`, ok, -1},
			{"openim/admin_set_msg_read", `{"Report_Account":"u2","Peer_Account":"u1"}`, ok, -1},
			{"group_open_http_svc/create_group", `{"Owner_Account":"u1","Type":"AVChatRoom","Name":"live","GroupId":"race3"}`, []int{0, 10021}, 1},
			{"group_open_http_svc/set_group_attr", `{"GroupId":"race3","GroupAttr":[{"key":"k","value":"v"}]}`, ok, -1},
			{"group_open_http_svc/import_group_member", `{"GroupId":"race1","MemberList":[{"Member_Account":"u4","Role":"Admin","JoinTime":1700000000}]}`, ok, -1},
			{"recentcontact/create_contact_group", createBody("u1", "z", c2c("u2")), []int{0, 50002}, 1},
			{"recentcontact/del_contact_group", `{"From_Account":"u1","GroupName":["z"]}`, []int{0, 51009}, 1},
			{"sns/group_delete", `{"From_Account":"u1","GroupName":["L1"]}`, []int{0, 30001}, 1},
			{"im_open_login_svc/account_delete", `{"DeleteItem":[{"UserID":"dup1"}]}`, ok, -1},
		} {
			raceOne(t, servers, c)
		}
	})
}

// raceOne sends c's 12 copies at once and checks their codes.
func raceOne(t *testing.T, servers []string, c concurrentCall) {
	t.Helper()
	query := AdminQuery(t)
	const copies = 12
	codes := make([]int, copies)
	errs := make([]error, copies)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range copies {
		wg.Go(func() {
			<-start
			codes[i], errs[i] = postCode(servers[i%len(servers)]+"/v4/"+c.path+"?"+query, c.body)
		})
	}
	close(start)
	wg.Wait()
	successes := 0
	for i := range copies {
		if errs[i] != nil {
			t.Fatalf("%s copy %d: %v", c.path, i, errs[i])
		}
		allowed := false
		for _, want := range c.codes {
			allowed = allowed || codes[i] == want
		}
		if !allowed {
			t.Fatalf("%s copy %d: ErrorCode %d, want one of %v", c.path, i, codes[i], c.codes)
		}
		if codes[i] == 0 {
			successes++
		}
	}
	if c.successes >= 0 && successes != c.successes {
		t.Fatalf("%s: %d of %d copies succeeded, want %d", c.path, successes, copies, c.successes)
	}
}
