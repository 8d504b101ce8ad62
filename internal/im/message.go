package im

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Messages: what one-to-one (openim) and group messages share. The element
// types and their fields are Tencent's message format page (269/2720,
// 1047/33527); docs/fidelity.md lists each rule with its source.

// One-to-one message codes (openim). 90xxx are request errors, 20xxx
// outcomes of the send.
const (
	CodeMsgJSON            = 90001 // body is not JSON
	CodeMsgBodyInvalid     = 90002 // MsgBody is not in the message format
	CodeMsgToAccount       = 90003 // To_Account missing, not a string, or not imported (read, unread, roam)
	CodeMsgRandom          = 90005 // MsgRandom missing or not an integer
	CodeMsgTimeStamp       = 90006 // MsgTimeStamp missing or not an integer
	CodeMsgBodyNotArray    = 90007 // MsgBody not an array
	CodeMsgFromAccount     = 90008 // From_Account missing or not imported
	CodeMsgInvalid         = 90010 // the request does not match the message format
	CodeMsgTooManyTargets  = 90011 // batchsendmsg: over 500 recipients
	CodeMsgToNotFound      = 90012 // sendmsg: To_Account not imported
	CodeMsgLifeTime        = 90026 // MsgLifeTime out of range
	CodeMsgSyncFromOld     = 90030 // importmsg: SyncFromOldSystem missing or invalid
	CodeMsgSyncOther       = 90031 // SyncOtherMachine not an integer
	CodeMsgLifeTimeType    = 90044 // MsgLifeTime not an integer
	CodeMsgKeyInvalid      = 90054 // MsgKey is not a message key
	CodeMsgInternal        = 91000 // internal error
	CodeMsgTooLong         = 93000 // MsgBody over MaxMsgBodyBytes
	CodeMsgCallbackDenied  = 20006 // C2C.CallbackBeforeSendMsg refused the message
	CodeMsgRecallNotFound  = 20022 // admin_msgwithdraw: no such message
	CodeMsgRecallRecalled  = 20023 // admin_msgwithdraw: already recalled
	CodeMsgCustomDenyFirst = 120001
	CodeMsgCustomDenyLast  = 130000 // C2C before-callbacks may refuse with a code in this range
)

// Group message codes, beyond the group service's general ones.
const (
	CodeGroupMemberMuted   = 10017 // the sender is muted
	CodeGroupImportTooLong = 10020 // import_group_msg: a message over MaxMsgBodyBytes
	CodeGroupRecallMissing = 10030 // group_msg_recall: no such message
	CodeGroupRecallType    = 10033 // the group type keeps no messages to recall
	CodeGroupMsgTooLong    = 80002 // send_group_msg: MsgBody over MaxMsgBodyBytes
	CodeGroupCustomDeny    = 10100 // Group before-callbacks may refuse with 10100..10200
	CodeGroupCustomDenyEnd = 10200
)

// Limits of messages.
const (
	// MaxMsgBodyBytes bounds a message's MsgBody, measured as its compact
	// JSON: the REST pages give 8 KB (sendmsg, 93000) and 8,000 bytes
	// (send_group_msg, 80002).
	MaxMsgBodyBytes = 8000
	// MaxMsgLifeTime is the longest MsgLifeTime, seven days in seconds,
	// which is also the default.
	MaxMsgLifeTime = 7 * 24 * 3600
	// MaxBatchTargets bounds batchsendmsg's To_Account.
	MaxBatchTargets = 500
	// MaxRambleDeleteKeys bounds delete_c2c_msg_ramble's MsgKeyList
	// (269/101439: "一次最多删除30条消息").
	MaxRambleDeleteKeys = 30
	// MaxReadReceipts bounds c2c_msg_read_receipt's C2CMsgInfo: the page
	// gives no limit [?]; timd takes batchsendmsg's scale down to 100.
	MaxReadReceipts = 100
)

// MsgFlagRecalled is MsgFlagBits of a recalled message.
const MsgFlagRecalled = 8

// Element types Tencent defines, with the MsgContent fields each must
// carry and the JSON kind of each field timd checks. Fields not listed are
// optional; an optional field is still checked for its kind when present.
var msgElems = map[string]elemSpec{
	"TIMTextElem":      newElemSpec([]string{"Text"}, map[string]byte{"Text": 's'}),
	"TIMLocationElem":  newElemSpec([]string{"Desc", "Latitude", "Longitude"}, map[string]byte{"Desc": 's', "Latitude": 'n', "Longitude": 'n'}),
	"TIMFaceElem":      newElemSpec([]string{"Index"}, map[string]byte{"Index": 'n', "Data": 's'}),
	"TIMCustomElem":    newElemSpec([]string{"Data"}, map[string]byte{"Data": 's', "Desc": 's', "Ext": 's', "Sound": 's'}),
	"TIMSoundElem":     newElemSpec([]string{"UUID"}, map[string]byte{"Url": 's', "UUID": 's', "Size": 'n', "Second": 'n', "Download_Flag": 'n'}),
	"TIMImageElem":     newElemSpec([]string{"UUID", "ImageInfoArray"}, map[string]byte{"UUID": 's', "ImageFormat": 'n', "ImageInfoArray": 'a'}),
	"TIMFileElem":      newElemSpec([]string{"UUID"}, map[string]byte{"Url": 's', "UUID": 's', "FileSize": 'n', "FileName": 's', "Download_Flag": 'n'}),
	"TIMVideoFileElem": newElemSpec([]string{"VideoUUID"}, map[string]byte{"VideoUrl": 's', "VideoUUID": 's', "VideoSize": 'n', "VideoSecond": 'n', "VideoFormat": 's', "VideoDownloadFlag": 'n', "ThumbUrl": 's', "ThumbUUID": 's', "ThumbSize": 'n', "ThumbWidth": 'n', "ThumbHeight": 'n', "ThumbFormat": 's', "ThumbDownloadFlag": 'n'}),
	"TIMRelayElem":     newElemSpec([]string{"MsgNum"}, map[string]byte{"Title": 's', "MsgNum": 'n', "CompatibleText": 's', "AbstractList": 'a', "MsgList": 'a', "JsonMsgKey": 's'}),
}

// elemSpec is what one element type's MsgContent must hold: fields[i] is
// checked to be of kinds[i] ('s' string, 'n' number, 'a' array) when
// present (0: any kind), and the first nRequired fields must be present.
type elemSpec struct {
	fields    []string
	kinds     []byte
	nRequired int
}

// newElemSpec orders a type's fields: the required ones as given, then the
// others by name, so that a body with two faults is told of the same one
// every time.
func newElemSpec(required []string, kinds map[string]byte) elemSpec {
	fields := slices.Clone(required)
	for _, f := range slices.Sorted(maps.Keys(kinds)) {
		if !slices.Contains(required, f) {
			fields = append(fields, f)
		}
	}
	spec := elemSpec{fields: fields, kinds: make([]byte, len(fields)), nRequired: len(required)}
	for i, f := range fields {
		spec.kinds[i] = kinds[f]
	}
	return spec
}

// MsgBody is a validated MsgBody: its compact JSON, as stored and echoed.
type MsgBody json.RawMessage

// MarshalJSON writes the body as it is.
func (b MsgBody) MarshalJSON() ([]byte, error) {
	if len(b) == 0 {
		return []byte("[]"), nil
	}
	return b, nil
}

// ParseMsgBody checks a MsgBody as Tencent does and returns it compacted.
// The problem it reports is an *Error with code (the caller's service's
// code for a malformed body: 90002 one-to-one, 10004 group), or tooLong
// when the body is over MaxMsgBodyBytes. notArray is the code for a body
// that is not an array (90007 one-to-one; the group code otherwise).
//
// It compacts the body first, which also proves it valid JSON, and then
// walks the compact text (jsonscan.go) instead of decoding it into maps:
// that decoding was about 5 µs of every sendmsg.
func ParseMsgBody(raw json.RawMessage, code, notArray, tooLong int) (MsgBody, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil, Errorf(code, "MsgBody is required")
	}
	if raw[0] != '[' {
		return nil, Errorf(notArray, "MsgBody must be an array")
	}
	var out bytes.Buffer
	out.Grow(len(raw))
	if err := json.Compact(&out, raw); err != nil {
		return nil, Errorf(code, "MsgBody must be an array of {MsgType, MsgContent} objects")
	}
	body := out.Bytes()
	var elems [][]byte
	for e := range jsonElems(body) {
		if e[0] != '{' && string(e) != "null" {
			return nil, Errorf(code, "MsgBody must be an array of {MsgType, MsgContent} objects")
		}
		elems = append(elems, e)
	}
	if len(elems) == 0 {
		return nil, Errorf(code, "MsgBody must hold at least one element")
	}
	custom := 0
	for i, e := range elems {
		typ, err := checkElem(e)
		if err != "" {
			return nil, Errorf(code, "MsgBody[%d]: %s", i, err)
		}
		if typ == "TIMCustomElem" {
			if custom++; custom > 1 {
				return nil, Errorf(code, "MsgBody may hold only one TIMCustomElem")
			}
		}
	}
	if len(body) > MaxMsgBodyBytes {
		return nil, Errorf(tooLong, "MsgBody is %d bytes, over the %d-byte limit", len(body), MaxMsgBodyBytes)
	}
	return MsgBody(body), nil
}

// checkElem checks one element, an object or null in compact JSON, and
// returns its MsgType, or what is wrong. Of a repeated key the last counts,
// as when decoding into a map.
func checkElem(e []byte) (string, string) {
	var rawType, content []byte
	if e[0] == '{' {
		for k, v := range jsonMembers(e) {
			switch jsonKey(k) {
			case "MsgType":
				rawType = v
			case "MsgContent":
				content = v
			}
		}
	}
	typ, ok := jsonString(rawType)
	if !ok || typ == "" {
		return "", "MsgType must be a string"
	}
	spec, ok := msgElems[typ]
	if !ok {
		return "", fmt.Sprintf("unknown MsgType %q", typ)
	}
	if len(content) == 0 || content[0] != '{' {
		return "", "MsgContent must be an object"
	}
	return typ, spec.check(typ, content)
}

// check checks the MsgContent object of an element of type typ and
// returns what is wrong, or "".
func (spec elemSpec) check(typ string, content []byte) string {
	vals := make([][]byte, len(spec.fields)) // by spec.fields
	for k, v := range jsonMembers(content) {
		if i := slices.Index(spec.fields, jsonKey(k)); i >= 0 {
			vals[i] = v
		}
	}
	for i, f := range spec.fields[:spec.nRequired] {
		if vals[i] == nil || string(vals[i]) == "null" {
			return fmt.Sprintf("%s needs MsgContent.%s", typ, f)
		}
	}
	for i, f := range spec.fields {
		if v := vals[i]; v != nil && string(v) != "null" && spec.kinds[i] != 0 && !jsonKind(v, spec.kinds[i]) {
			return fmt.Sprintf("%s: MsgContent.%s has the wrong JSON type", typ, f)
		}
	}
	return ""
}

func jsonKind(v json.RawMessage, kind byte) bool {
	switch kind {
	case 's':
		return v[0] == '"'
	case 'a':
		return v[0] == '['
	default:
		return v[0] == '-' || v[0] >= '0' && v[0] <= '9'
	}
}

// ContentCRC is the CRC-32 of a message's content, part of the key a
// one-to-one message is de-duplicated by.
func ContentCRC(body MsgBody, cloudData string) uint32 {
	h := crc32.NewIEEE()
	h.Write(body)
	h.Write([]byte{0})
	h.Write([]byte(cloudData))
	return h.Sum32()
}

// MsgKey is a one-to-one message's key: "<MsgSeq>_<MsgRandom>_<MsgTime>".
func MsgKey(seq, random uint32, msgTime int64) string {
	var b [32]byte
	return string(AppendMsgKey(b[:0], seq, random, msgTime))
}

// AppendMsgKey appends MsgKey(seq, random, msgTime) to b.
func AppendMsgKey(b []byte, seq, random uint32, msgTime int64) []byte {
	b = strconv.AppendUint(b, uint64(seq), 10)
	b = append(b, '_')
	b = strconv.AppendUint(b, uint64(random), 10)
	b = append(b, '_')
	return strconv.AppendInt(b, msgTime, 10)
}

// ParseMsgKey splits a MsgKey; ok is false for anything MsgKey cannot have
// made.
func ParseMsgKey(key string) (seq, random uint32, msgTime int64, ok bool) {
	parts := strings.Split(key, "_")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	s, err1 := strconv.ParseUint(parts[0], 10, 32)
	r, err2 := strconv.ParseUint(parts[1], 10, 32)
	t, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || t < 0 || MsgKey(uint32(s), uint32(r), t) != key {
		return 0, 0, 0, false
	}
	return uint32(s), uint32(r), t, true
}

// SendVerdict is an app backend's answer to a before-send callback
// (C2C.CallbackBeforeSendMsg, Group.CallbackBeforeSendMsg) that lets the
// message go: Discard (ErrorCode 2) answers the sender success but neither
// stores nor delivers it; otherwise a non-nil MsgBody or CloudCustomData
// replaces the message's.
type SendVerdict struct {
	Discard         bool
	MsgBody         MsgBody
	CloudCustomData *string
}
