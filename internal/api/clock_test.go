package api_test

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// clockOf reads Now and Offset from a timd_clock reply.
func clockOf(t *testing.T, r Reply) (now, offset int64) {
	t.Helper()
	if r.Code(t) != 0 {
		t.Fatalf("timd_clock: %s", r)
	}
	n, _ := r.M["Now"].(json.Number).Int64()
	o, _ := r.M["Offset"].(json.Number).Int64()
	return n, o
}

// Ensure time control moves what an app's calls see: UserSig expiry, the
// times of messages and their lifetimes, and EventTime; and answers 60009
// when timd runs without it.
func TestClock_MovesTheAppsTime(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := MustOpenHarness(t, dsn, withCallbacks, func(o *api.Options) { o.Clocks = &im.Clocks{} })
		h.importUsers("alice", "bob")
		if _, off := clockOf(t, h.Call("timd_clock", "get", `{}`)); off != 0 {
			t.Fatalf("offset %d before any move", off)
		}
		// A message living 60 s is gone for the app once its clock is
		// 2 minutes on; its MsgTimeStamp was the app's time.
		h.MustCall(0, "openim", "sendmsg", `{"SyncOtherMachine":1,"From_Account":"alice","To_Account":"bob","MsgRandom":1,"MsgLifeTime":60,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"x"}}]}`)
		roam := `{"Operator_Account":"alice","Peer_Account":"bob","MaxCnt":20,"MinTime":0,"MaxTime":4000000000}`
		if r := h.MustCall(0, "openim", "admin_getroammsg", roam); !strings.Contains(r.Raw, `"MsgCnt":1`) {
			t.Fatalf("before the move: %s", r)
		}
		now, off := clockOf(t, h.Call("timd_clock", "advance", `{"Seconds":120}`))
		if off != 120000 || absMs(now-time.Now().UnixMilli()-120000) > 5000 {
			t.Fatalf("after advancing 120 s: Now %d, Offset %d", now, off)
		}
		if r := h.MustCall(0, "openim", "admin_getroammsg", roam); !strings.Contains(r.Raw, `"MsgCnt":0`) {
			t.Fatalf("a 60 s message 120 s on: %s", r)
		}
		r := h.MustCall(0, "openim", "sendmsg", `{"SyncOtherMachine":2,"From_Account":"alice","To_Account":"bob","MsgRandom":2,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"y"}}]}`)
		if sent, _ := r.M["MsgTime"].(json.Number).Int64(); absMs(sent*1000-now) > 5000 {
			t.Errorf("MsgTime %d, want the app's time %d", sent, now/1000)
		}
		// EventTime is the app's time too.
		h.create(`{"Owner_Account":"alice","Type":"Public","Name":"later","GroupId":"Later"}`)
		evs := h.eventsOf(im.CallbackAfterCreateGroup)
		if at, _ := evs[len(evs)-1].Body["EventTime"].(json.Number).Int64(); absMs(at-now) > 5000 {
			t.Errorf("EventTime %d, want about %d", at, now)
		}
		// A UserSig valid for 10 minutes expires when the app's clock is
		// an hour on, and is good again once it is back.
		short := "sdkappid=" + strconv.Itoa(TestAppID) + "&identifier=administrator&usersig=" +
			Sig(t, TestAppID, TestKey, Admin, 600) + "&random=1&contenttype=json"
		check := `{"CheckItem":[{"UserID":"alice"}]}`
		if r := h.Do("POST", "/v4/im_open_login_svc/account_check", short, check); r.Code(t) != 0 {
			t.Fatalf("short UserSig before: %s", r)
		}
		clockOf(t, h.Call("timd_clock", "advance", `{"Seconds":3600}`))
		if r := h.Do("POST", "/v4/im_open_login_svc/account_check", short, check); r.Code(t) != im.CodeSigExpired {
			t.Fatalf("short UserSig an hour on: %s", r)
		}
		if _, off := clockOf(t, h.Call("timd_clock", "reset", `{}`)); off != 0 {
			t.Fatalf("offset %d after reset", off)
		}
		if r := h.Do("POST", "/v4/im_open_login_svc/account_check", short, check); r.Code(t) != 0 {
			t.Fatalf("short UserSig after reset: %s", r)
		}
		past := time.Now().Add(-24 * time.Hour).UnixMilli()
		if _, off := clockOf(t, h.Call("timd_clock", "set", `{"Time":`+strconv.FormatInt(past, 10)+`}`)); absMs(off+86400000) > 5000 {
			t.Errorf("offset %d after setting a day back", off)
		}
		for _, tc := range []struct{ cmd, body string }{
			{"advance", `{}`}, {"advance", `{"Seconds":-1}`}, {"advance", `{"Seconds":"1"}`},
			{"set", `{}`}, {"set", `{"Time":-5}`}, {"advance", `{"Seconds":9000000000000}`},
		} {
			if r := h.Call("timd_clock", tc.cmd, tc.body); r.Code(t) != 91001 {
				t.Errorf("%s %s: %s, want 91001", tc.cmd, tc.body, r)
			}
		}
	})
}

// Ensure timd_clock answers 60009 without TIMD_TIME_CONTROL, and that no
// other app's clock moves with one app's.
func TestClock_OffAndPerApp(t *testing.T) {
	h := MustOpenHarness(t, dbtest.SQLiteDSN(t))
	r := h.Call("timd_clock", "advance", `{"Seconds":1}`)
	if r.Code(t) != 60009 || !strings.Contains(r.Raw, "TIMD_TIME_CONTROL=on") {
		t.Fatalf("time control off: %s", r)
	}
	clocks := &im.Clocks{}
	h = MustOpenHarness(t, dbtest.SQLiteDSN(t), func(o *api.Options) { o.Clocks = clocks })
	clockOf(t, h.Call("timd_clock", "advance", `{"Seconds":60}`))
	if d := clocks.Offset(OtherAppID); d != 0 {
		t.Errorf("another app's offset %v", d)
	}
}

func absMs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}
