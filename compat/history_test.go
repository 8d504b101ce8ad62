package compat

import (
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dobyte/tencent-im/operation"
	"github.com/dobyte/tencent-im/private"
)

// Ensure the SDK's GetHistoryData gets the download of an hour's messages
// (Beijing time) from timd: one file whose URL timd serves, holding the
// message imported into that hour in Tencent's layout, with its sizes; and
// that an hour without messages is Tencent's 1004.
func TestDobyte_HistoryDownload(t *testing.T) {
	sdk := newSDK(t, startTimd(t))
	if _, err := sdk.Account().ImportAccounts("alice", "bob"); err != nil {
		t.Fatal(err)
	}
	beijing := time.FixedZone("Beijing", 8*60*60)
	hour := time.Now().In(beijing).Add(-2 * time.Hour).Truncate(time.Hour)
	m := private.NewMessage()
	m.SetSender("alice")
	m.SetReceivers("bob")
	m.SetTimestamp(hour.Add(5 * time.Minute).Unix())
	m.SetSyncOtherMachine(private.SyncOtherMachineNo)
	m.SetContent(private.MsgTextContent{Text: "for the archive"})
	if err := sdk.Private().ImportMessage(m); err != nil {
		t.Fatalf("ImportMessage: %v", err)
	}
	files, err := sdk.Operation().GetHistoryData(operation.ChatTypeC2C, hour)
	if err != nil || len(files) != 1 || files[0].FileSize == 0 || files[0].GzipSize == 0 || len(files[0].FileMD5) != 32 {
		t.Fatalf("GetHistoryData: %+v %v", files, err)
	}
	resp, err := http.Get(files[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %d, not gzip: %v", files[0].URL, resp.StatusCode, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil || len(raw) != files[0].FileSize || !strings.Contains(string(raw),
		`"From_Account":"alice","To_Account":"bob","MsgTimestamp":`) || !strings.Contains(string(raw), `"Text":"for the archive"`) {
		t.Fatalf("file %q (%v)", raw, err)
	}
	if _, err := sdk.Operation().GetHistoryData(operation.ChatTypeGroup, hour); codeOf(err) != 1004 {
		t.Fatalf("GetHistoryData of an hour without group messages: %v, want 1004", err)
	}
}
