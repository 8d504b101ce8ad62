package im

import (
	"context"
	"encoding/json"
	"time"
)

// Message history download (open_msg_svc/get_history;
// docs/fidelity/history.md): the one-to-one or group messages of one hour,
// Beijing time, as a gzipped file of Tencent's format, downloaded from a
// signed URL timd serves itself.

// Codes of open_msg_svc (269/1650's table).
const (
	CodeHistoryInvalid  = 1002 // a field missing or malformed
	CodeHistoryInternal = 1003
	CodeHistoryNotReady = 1004 // the hour has not ended, or it holds no message
	CodeHistoryExpired  = 1005 // the hour ended more than HistoryKept ago
)

// HistoryKept is how long after its hour a file can be had: "文件有效期7天".
const HistoryKept = 7 * 24 * time.Hour

// Beijing is the time zone MsgTime is read in ("MsgTime 使用的是北京时间").
var Beijing = time.FixedZone("Beijing", 8*60*60)

// The chat types of get_history.
const (
	HistoryC2C   = "C2C"
	HistoryGroup = "Group"
)

// ParseHistoryHour reads a MsgTime, YYYYMMDDHH in Beijing time, into the
// start of its hour; false unless it names a real hour exactly.
func ParseHistoryHour(s string) (time.Time, bool) {
	t, err := time.ParseInLocation("2006010215", s, Beijing)
	return t, err == nil && t.Format("2006010215") == s
}

// HistoryMsg is one message of a history file: From_Account, then
// To_Account (one-to-one) or GroupId (group), MsgTimestamp, MsgSeq,
// MsgRandom (one-to-one only) and MsgBody, in the order of Tencent's sample
// file.
type HistoryMsg struct {
	From    string
	To      string // one-to-one
	GroupID string // group
	Time    int64
	Seq     uint64
	Random  uint64
	Body    json.RawMessage
}

// HistoryService reads the messages of a history file.
type HistoryService interface {
	// HistoryMessages returns the one-to-one (group false) or group
	// messages of app whose MsgTimestamp is in [from, to), oldest first,
	// as they are stored at now: withdrawn, recalled, deleted and expired
	// messages are left out.
	HistoryMessages(ctx context.Context, app uint64, group bool, from, to, now time.Time) ([]HistoryMsg, error)
}
