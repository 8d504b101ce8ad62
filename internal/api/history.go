package api

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

// Message history download (docs/fidelity/history.md):
// open_msg_svc/get_history answers the URL of one hour's file, which timd
// serves itself at GET /timd/history/{sdkappid}/{ChatType}/{MsgTime}.gz,
// signed with the app's secret key and valid for historyURLTTL. The file is
// built from the stored messages when asked for, the same bytes each time
// while the hour's messages stay as they are.

// historyStore is what these handlers may touch (Server.history).
type historyStore interface {
	HistoryMessages(ctx context.Context, app uint64, group bool, from, to, now time.Time) ([]im.HistoryMsg, error)
}

// historyURLTTL is how long a download URL is good for (timd's choice: the
// pages name no figure, and say to ask again once one has expired).
const historyURLTTL = 12 * time.Hour

// historyPath is where the files are served.
const historyPath = "/timd/history/"

type getHistoryReq struct {
	ChatType *string
	MsgTime  *string
}

type historyFile struct {
	URL        string
	ExpireTime string
	FileSize   int
	FileMD5    string
	GzipSize   int
	GzipMD5    string
}

type getHistoryResp struct {
	File []historyFile
}

// getHistory answers the download of one hour's messages: 1004 until the
// hour has ended, or when it holds none; 1005 once it ended more than
// im.HistoryKept ago. Their ErrorInfo is Tencent's own text for each.
func (s *Server) getHistory(ctx context.Context, c *Call, req *getHistoryReq) (*getHistoryResp, error) {
	if req.ChatType == nil || (*req.ChatType != im.HistoryC2C && *req.ChatType != im.HistoryGroup) {
		return nil, invalidField("ChatType", "ChatType must be C2C or Group")
	}
	if req.MsgTime == nil {
		return nil, invalidField("MsgTime", "MsgTime is required")
	}
	hour, ok := im.ParseHistoryHour(*req.MsgTime)
	if !ok {
		return nil, invalidField("MsgTime", fmt.Sprintf("MsgTime %q is not an hour as YYYYMMDDHH", *req.MsgTime))
	}
	raw, gz, err := s.historyFile(ctx, c.App, *req.ChatType, hour)
	if err != nil {
		return nil, err
	}
	expires := s.now().Add(historyURLTTL)
	sum, gzSum := md5.Sum(raw), md5.Sum(gz)
	return &getHistoryResp{File: []historyFile{{
		URL:        c.BaseURL + historyURL(c.App, *req.ChatType, *req.MsgTime, expires),
		ExpireTime: expires.In(im.Beijing).Format(time.DateTime),
		FileSize:   len(raw), FileMD5: hex.EncodeToString(sum[:]),
		GzipSize: len(gz), GzipMD5: hex.EncodeToString(gzSum[:]),
	}}}, nil
}

// historyFile builds the file of app's chatType messages of the hour that
// starts at hour, and its gzip.
func (s *Server) historyFile(ctx context.Context, app *im.App, chatType string, hour time.Time) (raw, gz []byte, err error) {
	now := s.appNow(app)
	end := hour.Add(time.Hour)
	if now.Before(end) {
		return nil, nil, im.Errorf(im.CodeHistoryNotReady, "Err_File_Not_Ready")
	}
	if now.Sub(end) > im.HistoryKept {
		return nil, nil, im.Errorf(im.CodeHistoryExpired, "Err_File_Expired")
	}
	msgs, err := s.history.HistoryMessages(ctx, app.SDKAppID, chatType == im.HistoryGroup, hour, end, now)
	if err != nil {
		return nil, nil, err
	}
	if len(msgs) == 0 {
		return nil, nil, im.Errorf(im.CodeHistoryNotReady, "Err_File_Not_Ready")
	}
	raw, err = historyJSON(app.SDKAppID, chatType, hour.Format("2006010215"), msgs)
	if err != nil {
		return nil, nil, err
	}
	var b bytes.Buffer
	w := gzip.NewWriter(&b) // no name or time in the header: the same bytes each time
	if _, err := w.Write(raw); err != nil {
		return nil, nil, err
	}
	if err := w.Close(); err != nil {
		return nil, nil, err
	}
	return raw, b.Bytes(), nil
}

// historyJSON is a file in Tencent's layout: the first line opens the
// document and MsgList, each message is a line of its own, and the last
// line closes both, so that a reader can take a large file line by line.
func historyJSON(sdkappid uint64, chatType, msgTime string, msgs []im.HistoryMsg) ([]byte, error) {
	var b bytes.Buffer
	head, err := json.Marshal(struct {
		SdkAppId uint64
		ChatType string
		MsgTime  string
	}{sdkappid, chatType, msgTime})
	if err != nil {
		return nil, err
	}
	b.Write(head[:len(head)-1])
	b.WriteString(`,"MsgList":[` + "\n")
	for i, m := range msgs {
		var line []byte
		if chatType == im.HistoryGroup {
			line, err = json.Marshal(struct {
				From_Account string
				GroupId      string
				MsgTimestamp int64
				MsgSeq       uint64
				MsgBody      json.RawMessage
			}{m.From, m.GroupID, m.Time, m.Seq, m.Body})
		} else {
			line, err = json.Marshal(struct {
				From_Account string
				To_Account   string
				MsgTimestamp int64
				MsgSeq       uint64
				MsgRandom    uint64
				MsgBody      json.RawMessage
			}{m.From, m.To, m.Time, m.Seq, m.Random, m.Body})
		}
		if err != nil {
			return nil, err
		}
		b.Write(line)
		if i < len(msgs)-1 {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]}\n")
	return b.Bytes(), nil
}

// historyURL is the path and query of a file's download, signed with the
// app's secret key.
func historyURL(app *im.App, chatType, msgTime string, expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return fmt.Sprintf("%s%d/%s/%s.gz?expires=%s&sig=%s", historyPath, app.SDKAppID, chatType, msgTime, exp,
		historySig(app, chatType, msgTime, exp))
}

func historySig(app *im.App, chatType, msgTime, expires string) string {
	mac := hmac.New(sha256.New, []byte(app.SecretKey))
	_, _ = fmt.Fprintf(mac, "%d/%s/%s/%s", app.SDKAppID, chatType, msgTime, expires) // a hash.Hash never fails a write
	return hex.EncodeToString(mac.Sum(nil))
}

// serveHistory serves a file get_history signed: 404 for a path that names
// none, 403 for a signature that does not verify or has expired, and the
// REST command's 1004/1005 conditions as 404 and 410.
func (s *Server) serveHistory(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, historyPath), "/")
	if len(parts) != 3 || !strings.HasSuffix(parts[2], ".gz") {
		http.NotFound(w, r)
		return
	}
	id, err := strconv.ParseUint(parts[0], 10, 64)
	chatType, msgTime := parts[1], strings.TrimSuffix(parts[2], ".gz")
	hour, ok := im.ParseHistoryHour(msgTime)
	var app *im.App
	if err == nil && ok && (chatType == im.HistoryC2C || chatType == im.HistoryGroup) {
		app = s.lookupApp(r.Context(), id)
	}
	if app == nil {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	exp, err := strconv.ParseInt(q.Get("expires"), 10, 64)
	if err != nil || !hmac.Equal([]byte(q.Get("sig")), []byte(historySig(app, chatType, msgTime, q.Get("expires")))) ||
		s.now().Unix() > exp {
		http.Error(w, "the signature does not verify or has expired: ask get_history again", http.StatusForbidden)
		return
	}
	_, gz, err := s.historyFile(r.Context(), app, chatType, hour)
	switch im.ErrorCode(err) {
	case 0:
	case im.CodeHistoryNotReady:
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	case im.CodeHistoryExpired:
		http.Error(w, err.Error(), http.StatusGone)
		return
	default:
		s.log.Warn("history download", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/gzip")
	w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(gz)
	}
}
