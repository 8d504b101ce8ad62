package api_test

import (
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

const history = "open_msg_svc"

// historyFileResp is one entry of get_history's File.
type historyFileResp struct {
	URL, ExpireTime, FileMD5, GzipMD5 string
	FileSize, GzipSize                int
}

// getHistory calls get_history and returns its one file, failing unless
// the call succeeds with exactly one.
func getHistory(t *testing.T, h *Harness, chatType, msgTime string) historyFileResp {
	t.Helper()
	r := h.MustCall(0, history, "get_history", `{"ChatType":"`+chatType+`","MsgTime":"`+msgTime+`"}`)
	var resp struct{ File []historyFileResp }
	if err := json.Unmarshal([]byte(r.Raw), &resp); err != nil || len(resp.File) != 1 {
		t.Fatalf("get_history: %s (%v)", r.Raw, err)
	}
	if !strings.HasPrefix(r.Raw, `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"File":[{"URL":`) {
		t.Errorf("get_history's keys: %s", r.Raw)
	}
	return resp.File[0]
}

// download GETs a file's URL and returns the status and the body.
func download(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// checkedFile downloads f, holds it to the sizes and MD5s get_history gave,
// and returns it unzipped.
func checkedFile(t *testing.T, f historyFileResp) string {
	t.Helper()
	status, gz := download(t, f.URL)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", f.URL, status, gz)
	}
	r, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	sum, gzSum := md5.Sum(raw), md5.Sum(gz)
	if len(gz) != f.GzipSize || hex.EncodeToString(gzSum[:]) != f.GzipMD5 || len(raw) != f.FileSize || hex.EncodeToString(sum[:]) != f.FileMD5 {
		t.Errorf("file of %d/%d bytes (%x, %x) against %+v", len(raw), len(gz), sum, gzSum, f)
	}
	return string(raw)
}

// Ensure get_history answers, for an hour in Beijing time that has ended,
// a URL of a gzipped file of Tencent's layout holding that hour's messages
// (a withdrawn one left out) with its sizes and MD5s; 1004 for an hour
// without messages; 1005 for an hour over 7 days old; and that the URL is
// refused once tampered with or expired.
func TestHistory_Download(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		clk := &testClock{t: openimEpoch} // 2020-03-20 10:01:20 in Beijing
		h := openIM(t, dsn, clk, []string{"alice", "bob"})
		send := func(from, to string, seq, random int, text string) {
			h.MustCall(0, "openim", "sendmsg", `{"SyncOtherMachine":1,"From_Account":"`+from+`","To_Account":"`+to+`","MsgSeq":`+
				strconv.Itoa(seq)+`,"MsgRandom":`+strconv.Itoa(random)+`,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"`+text+`"}}]}`)
		}
		send("alice", "bob", 11, 1, "hi")
		clk.Add(time.Second)
		send("bob", "alice", 12, 2, "yo")
		send("bob", "alice", 13, 3, "oops")
		h.MustCall(0, "openim", "admin_msgwithdraw", `{"From_Account":"bob","To_Account":"alice","MsgKey":"13_3_1584669681"}`)
		h.create(`{"Owner_Account":"alice","Type":"Public","GroupId":"G","Name":"g","MemberList":[{"Member_Account":"bob"}]}`)
		h.MustCall(0, grp, "send_group_msg", `{"GroupId":"G","From_Account":"bob","Random":7,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"all"}}]}`)

		clk.Add(time.Hour) // 11:01:21 in Beijing
		f := getHistory(t, h, "C2C", "2020032010")
		if f.ExpireTime != "2020-03-20 23:01:21" || !strings.HasPrefix(f.URL, h.URL+"/timd/history/1400000001/C2C/2020032010.gz?") {
			t.Errorf("file %+v", f)
		}
		want := `{"SdkAppId":1400000001,"ChatType":"C2C","MsgTime":"2020032010","MsgList":[
{"From_Account":"alice","To_Account":"bob","MsgTimestamp":1584669680,"MsgSeq":11,"MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]},
{"From_Account":"bob","To_Account":"alice","MsgTimestamp":1584669681,"MsgSeq":12,"MsgRandom":2,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"yo"}}]}
]}
`
		if got := checkedFile(t, f); got != want {
			t.Errorf("C2C file\n%s\nwant\n%s", got, want)
		}
		if again := getHistory(t, h, "C2C", "2020032010"); again.FileMD5 != f.FileMD5 || again.GzipMD5 != f.GzipMD5 {
			t.Errorf("the same hour twice: %+v, then %+v", f, again)
		}
		g := getHistory(t, h, "Group", "2020032010")
		if got := checkedFile(t, g); got != `{"SdkAppId":1400000001,"ChatType":"Group","MsgTime":"2020032010","MsgList":[
{"From_Account":"bob","GroupId":"G","MsgTimestamp":1584669681,"MsgSeq":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"all"}}]}
]}
` {
			t.Errorf("Group file\n%s", got)
		}
		if r := h.Call(history, "get_history", `{"ChatType":"C2C","MsgTime":"2020032009"}`); r.Code(t) != 1004 {
			t.Errorf("an hour without messages: %s", r.Raw)
		}

		for name, url := range map[string]string{
			"tampered":   strings.Replace(f.URL, "sig=", "sig=0", 1),
			"other hour": strings.Replace(f.URL, "2020032010.gz", "2020032009.gz", 1),
			"other app":  strings.Replace(f.URL, "1400000001", "1400000002", 1),
			"no app":     strings.Replace(f.URL, "1400000001", "1", 1),
		} {
			if status, _ := download(t, url); status != http.StatusForbidden && status != http.StatusNotFound {
				t.Errorf("%s URL: %d", name, status)
			}
		}
		clk.Add(12*time.Hour + time.Second)
		if status, _ := download(t, f.URL); status != http.StatusForbidden {
			t.Errorf("expired URL: %d", status)
		}
		// Six days on, the messages are still stored (MsgLifeTime's
		// default is 7 days): the file is the same. A minute after the
		// hour's 7 days are over, it is gone.
		clk.Add(6 * 24 * time.Hour)
		if again := getHistory(t, h, "C2C", "2020032010"); again.FileMD5 != f.FileMD5 {
			t.Errorf("six days on: %+v, then %+v", f, again)
		}
		hourEnd := time.Date(2020, 3, 20, 11, 0, 0, 0, im.Beijing)
		clk.Add(hourEnd.Add(im.HistoryKept + time.Minute).Sub(clk.Now()))
		if r := h.Call(history, "get_history", `{"ChatType":"C2C","MsgTime":"2020032010"}`); r.Code(t) != 1005 || !strings.Contains(r.Raw, "Err_File_Expired") {
			t.Errorf("an hour over 7 days old: %s", r.Raw)
		}
	})
}

// Ensure get_history answers 1002 for a missing or malformed field and
// 1004 (Err_File_Not_Ready) for an hour that has not ended, though it
// holds a message.
func TestHistory_Refusals(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		h := openIM(t, dsn, &testClock{t: openimEpoch}, []string{"alice", "bob"})
		h.MustCall(0, "openim", "sendmsg", `{"From_Account":"alice","To_Account":"bob","MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
		for _, tc := range []struct{ body, info string }{
			{`{"ChatType":"C2C","MsgTime":"2020032010"}`, "Err_File_Not_Ready"}, // the hour has not ended
			{`{"ChatType":"c2c","MsgTime":"2020032010"}`, ""},
			{`{"ChatType":"C2C","MsgTime":"2020032024"}`, ""},
			{`{"ChatType":"C2C","MsgTime":2020032010}`, ""},
			{`{"ChatType":"C2C"}`, ""},
			{`{"MsgTime":"2020032010"}`, ""},
			{`{"ChatType":"C2C",`, ""},
		} {
			r := h.Call(history, "get_history", tc.body)
			want := 1002
			if tc.info != "" {
				want = 1004
			}
			if r.Code(t) != want || (tc.info != "" && !strings.Contains(r.Raw, `"ErrorInfo":"`+tc.info+`"`)) {
				t.Errorf("%s: %s, want %d", tc.body, r.Raw, want)
			}
		}

	})
}

// Ensure the download URL starts with the configured public URL (a
// trailing "/" dropped) when there is one, instead of the address the
// call came to.
func TestHistory_PublicURL(t *testing.T) {
	clk := &testClock{t: openimEpoch}
	h := openIM(t, dbtest.SQLiteDSN(t), clk, []string{"alice", "bob"}, func(o *api.Options) { o.PublicURL = "https://im.example.com/" })
	h.MustCall(0, "openim", "sendmsg", `{"From_Account":"alice","To_Account":"bob","MsgRandom":1,"MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}}]}`)
	clk.Add(time.Hour)
	if f := getHistory(t, h, "C2C", "2020032010"); !strings.HasPrefix(f.URL, "https://im.example.com/timd/history/1400000001/C2C/2020032010.gz?expires=") {
		t.Errorf("URL %s", f.URL)
	}
}
