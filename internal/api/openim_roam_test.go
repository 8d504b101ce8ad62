package api_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

type roamPage struct {
	Complete    int
	MsgCnt      int
	LastMsgTime int64
	LastMsgKey  string
	MsgList     []struct {
		MsgSeq       uint32
		MsgTimeStamp int64
		MsgKey       string
	}
}

// pageThrough reads a conversation's history as Tencent's page says to:
// MaxTime = LastMsgTime and LastMsgKey of the page before, until Complete
// is 1. It returns the MsgKeys newest first and each page's reply size.
func pageThrough(t *testing.T, h *Harness, maxCnt int) (keys []string, sizes []int) {
	t.Helper()
	req := map[string]any{"Operator_Account": "bob", "Peer_Account": "alice", "MaxCnt": maxCnt, "MinTime": 0, "MaxTime": 4000000000}
	for range 1000 {
		b, _ := json.Marshal(req)
		r := h.MustCall(0, "openim", "admin_getroammsg", string(b))
		var p roamPage
		if err := json.Unmarshal([]byte(r.Raw), &p); err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, len(r.Raw))
		if p.MsgCnt != len(p.MsgList) {
			t.Fatalf("MsgCnt %d with %d messages", p.MsgCnt, len(p.MsgList))
		}
		for i := len(p.MsgList) - 1; i >= 0; i-- { // a page lists oldest first
			keys = append(keys, p.MsgList[i].MsgKey)
		}
		if len(p.MsgList) > 0 && (p.MsgList[0].MsgKey != p.LastMsgKey || p.MsgList[0].MsgTimeStamp != p.LastMsgTime) {
			t.Fatalf("LastMsgKey %s, LastMsgTime %d: not the page's oldest %+v", p.LastMsgKey, p.LastMsgTime, p.MsgList[0])
		}
		if p.Complete == 1 {
			return keys, sizes
		}
		req["MaxTime"], req["LastMsgKey"] = p.LastMsgTime, p.LastMsgKey
	}
	t.Fatal("paging never completed")
	return nil, nil
}

// Ensure admin_getroammsg pages through a conversation newest first, every
// message once, as Tencent's continuation rule reads it, whether messages
// share a second or not and whoever sent them; that MaxCnt is capped at
// 100; and that a page stops before 13 KB with Complete 0.
func TestOpenIM_RoamPaging(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &testClock{t: openimEpoch}
		h := openIM(t, dsn, clk, []string{"alice", "bob"})
		var want []string // newest first
		for i := range 230 {
			from, to := "alice", "bob"
			if i%3 == 0 {
				from, to = to, from
			}
			if i%4 == 0 {
				clk.Add(time.Second) // four messages a second, seqs out of order
			}
			seq := (i * 7919) % 1000
			r := h.MustCall(0, "openim", "sendmsg", fmt.Sprintf(`{"From_Account":%q,"To_Account":%q,"MsgSeq":%d,"MsgRandom":%d,"MsgBody":%s}`,
				from, to, seq, i, text("m")))
			var sent struct{ MsgKey string }
			if err := json.Unmarshal([]byte(r.Raw), &sent); err != nil {
				t.Fatalf("sendmsg reply: %v: %s", err, r.Raw)
			}
			want = append(want, sent.MsgKey)
		}
		// Newest first: by time, then seq, then storage order.
		sort.SliceStable(want, func(i, j int) bool {
			si, ri, ti, _ := im.ParseMsgKey(want[i])
			sj, rj, tj, _ := im.ParseMsgKey(want[j])
			if ti != tj {
				return ti > tj
			}
			if si != sj {
				return si > sj
			}
			return ri > rj // sent in MsgRandom order
		})
		for _, maxCnt := range []int{20, 7, 1000} {
			got, sizes := pageThrough(t, h, maxCnt)
			if strings.Join(got, " ") != strings.Join(want, " ") {
				t.Fatalf("MaxCnt %d: paged\n%v\nwant\n%v", maxCnt, got, want)
			}
			// 230 messages of about 230 bytes: pages of MaxCnt, or of what
			// fits 13 KB (56) when MaxCnt asks for more.
			if wantPages := (230 + min(maxCnt, 56) - 1) / min(maxCnt, 56); len(sizes) != wantPages {
				t.Errorf("MaxCnt %d: %d pages %v, want %d", maxCnt, len(sizes), sizes, wantPages)
			}
			for _, n := range sizes {
				if n > im.MaxRoamReplyBytes {
					t.Errorf("a page of %d bytes, over %d", n, im.MaxRoamReplyBytes)
				}
			}
		}

		// Big messages: a page holds what fits 13 KB.
		h2 := openIM(t, dbtest.SQLiteDSN(t), clk, []string{"alice", "bob"})
		big := strings.Repeat("x", 3000)
		for i := range 10 {
			h2.MustCall(0, "openim", "sendmsg", fmt.Sprintf(`{"From_Account":"alice","To_Account":"bob","MsgSeq":%d,"MsgRandom":1,"MsgBody":%s}`, i, text(big)))
		}
		got, sizes := pageThrough(t, h2, 100)
		if len(got) != 10 || len(sizes) != 3 {
			t.Errorf("%d messages in %d pages (%v), want 10 in 3", len(got), len(sizes), sizes)
		}
		for _, n := range sizes {
			if n > im.MaxRoamReplyBytes {
				t.Errorf("a page of %d bytes, over %d", n, im.MaxRoamReplyBytes)
			}
		}
	})
}

// Ensure a refused openim call changes nothing: every failing request of
// the golden samples, sent again after them, leaves every history, unread
// count and event as it was.
func TestOpenIM_FailedCallChangesNothing(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		accounts := []string{"lumotuwe1", "lumotuwe2", "bonnie", "rong", "user1", "user2"}
		h := openIM(t, dsn, &testClock{t: openimEpoch}, accounts)
		reqs, _ := filepath.Glob("testdata/openim/*.req.json")
		sort.Strings(reqs)
		var failing []string
		for _, f := range reqs {
			body, _ := os.ReadFile(f)
			cmd := strings.TrimSuffix(filepath.Base(f), ".req.json")
			cmd = strings.SplitN(cmd[strings.Index(cmd, "_")+1:], ".", 2)[0]
			if h.Call("openim", cmd, string(body)).Code(t) != 0 {
				failing = append(failing, cmd+" "+string(body))
			}
		}
		snapshot := func() string {
			var b strings.Builder
			for _, a := range accounts {
				b.WriteString(h.MustCall(0, "openim", "get_c2c_unread_msg_num", `{"To_Account":"`+a+`"}`).Raw)
				for _, p := range append(accounts, Admin) {
					b.WriteString(roamAll(h, a, p))
				}
			}
			evs, err := h.Store.Events(t.Context(), TestAppID)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprint(&b, len(evs))
			return b.String()
		}
		before := snapshot()
		if len(failing) < 40 {
			t.Fatalf("only %d failing samples", len(failing))
		}
		for _, f := range failing {
			cmd, body, _ := strings.Cut(f, " ")
			if code := h.Call("openim", cmd, body).Code(t); code == 0 {
				t.Errorf("%s now succeeds: %s", cmd, body)
			}
			if snapshot() != before {
				t.Fatalf("%s %s changed state", cmd, body)
			}
		}
	})
}

// Ensure a page answered again follows what changed it: a message sent, a
// read report, and a message's MsgLifeTime running out with no write at
// all (the memo of pages, openim_roam_memo.go, must not outlive any).
func TestOpenIM_RoamPageFollowsWritesAndTime(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &testClock{t: openimEpoch}
		h := openIM(t, dsn, clk, []string{"alice", "bob"})
		send := func(seq int, lifeTime string) { // "": the default, 7 days
			h.MustCall(0, "openim", "sendmsg", fmt.Sprintf(
				`{"From_Account":"alice","To_Account":"bob","MsgSeq":%d,"MsgRandom":%d%s,"MsgBody":%s}`,
				seq, seq, lifeTime, text("m")))
		}
		type item struct{ MsgSeq, IsPeerRead int }
		page := func(op, peer string) (got []item) {
			r := h.MustCall(0, "openim", "admin_getroammsg", fmt.Sprintf(
				`{"Operator_Account":%q,"Peer_Account":%q,"MaxCnt":20,"MinTime":0,"MaxTime":4000000000}`, op, peer))
			var p struct{ MsgList []item }
			if err := json.Unmarshal([]byte(r.Raw), &p); err != nil {
				t.Fatal(err)
			}
			return p.MsgList
		}
		check := func(what string, got []item, want ...item) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%s: page %v, want %v", what, got, want)
			}
		}
		send(1, "")
		send(2, `,"MsgLifeTime":60`)
		clk.Add(time.Second)
		send(3, "")
		for range 2 { // the second from the memo, where there is one
			check("sent", page("bob", "alice"), item{1, 0}, item{2, 0}, item{3, 0})
			check("sent, as the sender", page("alice", "bob"), item{1, 0}, item{2, 0}, item{3, 0})
		}

		check("before the read report", page("bob", "alice"), item{1, 0}, item{2, 0}, item{3, 0})
		h.MustCall(0, "openim", "admin_set_msg_read", fmt.Sprintf(
			`{"Report_Account":"bob","Peer_Account":"alice","MsgReadTime":"%d"}`, clk.Now().Unix()))
		check("read by bob", page("alice", "bob"), item{1, 1}, item{2, 1}, item{3, 1})
		check("read by bob, as bob", page("bob", "alice"), item{1, 1}, item{2, 1}, item{3, 1})

		clk.Add(60 * time.Second) // message 2 lived 60 s from its send, a second before 3
		check("message 2 expired", page("bob", "alice"), item{1, 1}, item{3, 1})

		send(4, "")
		check("message 4 sent", page("bob", "alice"), item{1, 1}, item{3, 1}, item{4, 0})
	})
}
