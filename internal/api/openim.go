package api

import (
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of openim, one-to-one messages (docs/fidelity/openim.md): sendmsg
// here, batchsendmsg and importmsg in openim_batch.go, admin_getroammsg in
// openim_roam.go, the rest in openim_ops.go.

// c2cStore is what the openim handlers may touch (Server.c2c); the methods
// and their codes are im.C2CService's.
type c2cStore interface {
	SendC2C(ctx context.Context, op im.Op, m im.C2CMsg) (im.C2CSent, error)
	FindC2CDup(ctx context.Context, app uint64, m im.C2CMsg) (*im.C2CSent, error)
	SendC2CBatch(ctx context.Context, op im.Op, m im.C2CMsg, to []string) (im.C2CSent, []string, error)
	ImportC2C(ctx context.Context, app uint64, m im.C2CImport) error
	RoamC2C(ctx context.Context, app uint64, q im.RoamQuery) (im.RoamPage, error)
	WithdrawC2C(ctx context.Context, op im.Op, from, to, key string) error
	ModifyC2C(ctx context.Context, app uint64, from, to, key string, body im.MsgBody, cloudData *string) error
	DeleteC2COneWay(ctx context.Context, app uint64, owner, peer string, keys []string) ([]string, error)
	C2CReadReceipt(ctx context.Context, app uint64, reader, sender string, keys []string) error
	SetC2CRead(ctx context.Context, app uint64, owner, peer string, at int64) error
	C2CUnread(ctx context.Context, app uint64, owner string, peers []string) (int, []int, error)
	// CheckAccounts (im.AccountService): sendmsg asks before its
	// before-callback, which must not be sent for an unknown account.
	CheckAccounts(ctx context.Context, app uint64, userIDs []string) ([]bool, error)
}

// msgFields are the fields sendmsg and batchsendmsg share, checked by
// message.
type msgFields struct {
	SyncOtherMachine        *int
	From_Account            *string
	MsgLifeTime             *int64
	MsgSeq                  *int64
	MsgRandom               *int64
	MsgBody                 json.RawMessage
	CloudCustomData         *string
	SendMsgControl          []string
	OfflinePushInfo         json.RawMessage
	IsNeedReadReceipt       *int
	SupportMessageExtension *int
}

// Values of SendMsgControl and ForbidCallbackControl timd acts on; others
// are accepted and ignored, as later Tencent options would be.
const (
	ctlNoUnread     = "NoUnread"
	ctlNoLastMsg    = "NoLastMsg"
	forbidBeforeMsg = "ForbidBeforeSendMsgCallback"
	forbidAfterMsg  = "ForbidAfterSendMsgCallback"
)

// message checks the shared fields and returns the message they describe,
// sent by the caller's identifier unless From_Account names another.
func (f *msgFields) message(c *Call) (im.C2CMsg, error) {
	m := im.C2CMsg{From: c.Identifier, LifeTime: im.MaxMsgLifeTime, Seq: rand32()}
	if f.SyncOtherMachine != nil && *f.SyncOtherMachine != 0 && *f.SyncOtherMachine != 1 && *f.SyncOtherMachine != 2 {
		return m, im.Errorf(im.CodeMsgSyncOther, "SyncOtherMachine must be 1 or 2")
	}
	m.HideFrom = f.SyncOtherMachine != nil && *f.SyncOtherMachine == 2
	if f.From_Account != nil {
		m.From = *f.From_Account
	}
	if f.MsgLifeTime != nil {
		if *f.MsgLifeTime < 0 || *f.MsgLifeTime > im.MaxMsgLifeTime {
			return m, im.Errorf(im.CodeMsgLifeTime, "MsgLifeTime must lie between 0 and %d seconds", im.MaxMsgLifeTime)
		}
		m.LifeTime = int(*f.MsgLifeTime)
	}
	if f.MsgSeq != nil {
		if !uint32Range(*f.MsgSeq) {
			return m, invalidField("MsgSeq", "MsgSeq must be a 32-bit unsigned integer")
		}
		m.Seq = uint32(*f.MsgSeq)
	}
	if f.MsgRandom == nil || !uint32Range(*f.MsgRandom) {
		return m, invalidField("MsgRandom", "MsgRandom must be a 32-bit unsigned integer")
	}
	m.Random = uint32(*f.MsgRandom)
	var err error
	if m.Body, m.CloudData, err = msgContent(f.MsgBody, f.CloudCustomData); err != nil {
		return m, err
	}
	if m.PushInfo, err = offlinePushInfo(f.OfflinePushInfo); err != nil {
		return m, err
	}
	if err := zeroOrOne("IsNeedReadReceipt", f.IsNeedReadReceipt); err != nil {
		return m, err
	}
	if err := zeroOrOne("SupportMessageExtension", f.SupportMessageExtension); err != nil {
		return m, err
	}
	m.Ext = f.SupportMessageExtension != nil && *f.SupportMessageExtension == 1
	m.NoUnread = slices.Contains(f.SendMsgControl, ctlNoUnread)
	m.NoLastMsg = slices.Contains(f.SendMsgControl, ctlNoLastMsg)
	m.CRC = im.ContentCRC(m.Body, m.CloudData)
	return m, nil
}

func uint32Range(v int64) bool { return v >= 0 && v <= 1<<32-1 }

// rand32 is the MsgSeq of a message that gives none: Tencent fills in a
// random number.
func rand32() uint32 { return rand.Uint32() }

// zeroOrOne checks a 0/1 flag.
func zeroOrOne(field string, v *int) error {
	if v != nil && *v != 0 && *v != 1 {
		return invalidField(field, field+" must be 0 or 1")
	}
	return nil
}

// msgContent checks MsgBody (90002, 90007, 93000) and CloudCustomData
// (93000 past MaxCloudCustomDataBytes).
func msgContent(raw json.RawMessage, cloud *string) (im.MsgBody, string, error) {
	body, err := im.ParseMsgBody(raw, im.CodeMsgBodyInvalid, im.CodeMsgBodyNotArray, im.CodeMsgTooLong)
	if err != nil {
		return nil, "", err
	}
	data, err := cloudData(cloud)
	return body, data, err
}

// cloudData checks a CloudCustomData field.
func cloudData(cloud *string) (string, error) {
	if cloud == nil {
		return "", nil
	}
	if len(*cloud) > im.MaxCloudCustomDataBytes {
		return "", im.Errorf(im.CodeMsgTooLong, "CloudCustomData is over %d bytes", im.MaxCloudCustomDataBytes)
	}
	if strings.IndexByte(*cloud, 0) >= 0 {
		return "", invalidParam("CloudCustomData must not contain the NUL character")
	}
	return *cloud, nil
}

// pushInfoKinds are the JSON kinds of OfflinePushInfo's documented fields
// (Tencent's message format page): 'n' number, 's' string, 'o' object.
var pushInfoKinds = map[string]byte{
	"PushFlag": 'n', "Title": 's', "Desc": 's', "Ext": 's', "AndroidInfo": 'o', "ApnsInfo": 'o',
}

// offlinePushInfo checks OfflinePushInfo and returns it compact, "" when
// absent. Keys timd does not know are kept: vendors' fields keep coming.
func offlinePushInfo(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var obj map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return "", invalidParam("OfflinePushInfo must be an object")
	}
	for k, kind := range pushInfoKinds {
		v, ok := obj[k]
		if !ok || string(v) == "null" {
			continue
		}
		good := map[byte]bool{'n': v[0] == '-' || v[0] >= '0' && v[0] <= '9', 's': v[0] == '"', 'o': v[0] == '{'}[kind]
		if !good {
			return "", invalidParam("OfflinePushInfo." + k + " has the wrong JSON type")
		}
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return "", invalidParam("OfflinePushInfo must be an object")
	}
	return out.String(), nil
}

// sendMsgReq is sendmsg's request. Its fields are spelled out rather than
// msgFields embedded: the decoder names a mistyped field by its path, which
// would start with the embedded struct's name and lose the field's code.
type sendMsgReq struct {
	SyncOtherMachine        *int
	From_Account            *string
	To_Account              *string
	MsgLifeTime             *int64
	MsgSeq                  *int64
	MsgRandom               *int64
	MsgTimeStamp            *int64
	ForbidCallbackControl   []string
	SendMsgControl          []string
	MsgBody                 json.RawMessage
	CloudCustomData         *string
	SupportMessageExtension *int
	OfflinePushInfo         json.RawMessage
	IsNeedReadReceipt       *int
}

func (r *sendMsgReq) fields() *msgFields {
	return &msgFields{r.SyncOtherMachine, r.From_Account, r.MsgLifeTime, r.MsgSeq, r.MsgRandom, r.MsgBody,
		r.CloudCustomData, r.SendMsgControl, r.OfflinePushInfo, r.IsNeedReadReceipt, r.SupportMessageExtension}
}

// sendMsgResp is sendmsg's reply.
type sendMsgResp struct {
	MsgTime int64
	MsgKey  string
}

// sendMsg sends one one-to-one message: C2C.CallbackBeforeSendMsg may
// refuse, discard or rewrite it, then it is stored and
// C2C.CallbackAfterSendMsg recorded with it.
func (s *Server) sendMsg(ctx context.Context, c *Call, req *sendMsgReq) (*sendMsgResp, error) {
	m, err := req.fields().message(c)
	if err != nil {
		return nil, err
	}
	if req.To_Account == nil {
		return nil, invalidField("To_Account", "To_Account is required")
	}
	m.To = *req.To_Account
	// MsgTimeStamp is read, not used: MsgTime is when timd took the message.
	if req.MsgTimeStamp != nil && *req.MsgTimeStamp < 0 {
		return nil, invalidField("MsgTimeStamp", "MsgTimeStamp must not be negative")
	}
	m.After = !slices.Contains(req.ForbidCallbackControl, forbidAfterMsg)
	if !slices.Contains(req.ForbidCallbackControl, forbidBeforeMsg) {
		sent, done, err := s.beforeSendC2C(ctx, c, &m)
		if err != nil || done {
			return &sendMsgResp{MsgTime: sent.Time, MsgKey: sent.Key}, err
		}
	}
	sent, err := s.c2c.SendC2C(ctx, op(c), m)
	if err != nil {
		return nil, err
	}
	return &sendMsgResp{MsgTime: sent.Time, MsgKey: sent.Key}, nil
}

// beforeSendC2C sends C2C.CallbackBeforeSendMsg when the app has it on.
// done reports that the message is answered without being stored: a
// duplicate (nothing is asked then), or one the app backend discarded. A
// rewrite changes *m; the message keeps the MsgTime the callback announced.
func (s *Server) beforeSendC2C(ctx context.Context, c *Call, m *im.C2CMsg) (sent im.C2CSent, done bool, err error) {
	hook, ok := s.before.(BeforeSendHook)
	if !ok || !c.App.Records(im.CallbackC2CBeforeSendMsg) {
		return sent, false, nil
	}
	// The accounts first: a message that cannot be sent is not announced.
	exist, err := s.c2c.CheckAccounts(ctx, c.App.SDKAppID, []string{m.From, m.To})
	switch {
	case err != nil:
		return sent, false, err
	case !exist[0]:
		return sent, false, im.Errorf(im.CodeMsgFromNotFound, "From_Account %s is not imported", m.From)
	case !exist[1]:
		return sent, false, im.Errorf(im.CodeMsgToNotFound, "To_Account %s is not imported", m.To)
	}
	// A globally muted sender's message is refused before it is announced.
	if s.nospeak != nil {
		ns, err := s.nospeak.GetNoSpeaking(ctx, c.App.SDKAppID, m.From)
		if err != nil {
			return sent, false, err
		}
		if ns.C2C > 0 {
			return sent, false, im.Errorf(im.CodeNoSpeakingC2C, "%s may not send one-to-one messages (setnospeaking)", m.From)
		}
	}
	if m.LifeTime > 0 {
		if dup, err := s.c2c.FindC2CDup(ctx, c.App.SDKAppID, *m); err != nil || dup != nil {
			return deref0(dup), dup != nil, err
		}
	}
	m.Time = s.appNow(c.App).Unix()
	sent = im.C2CSent{Time: m.Time, Key: im.MsgKey(m.Seq, m.Random, m.Time)}
	verdict, err := hook.BeforeSend(ctx, c.App, c.ClientIP, im.C2CBeforeSendMsgBody{
		From: m.From, To: m.To, MsgSeq: m.Seq, MsgRandom: m.Random, MsgTime: m.Time, MsgKey: sent.Key,
		OnlineOnlyFlag: b2i(m.LifeTime == 0), MsgBody: m.Body, CloudData: m.CloudData,
	})
	switch {
	case err != nil:
		return sent, true, err
	case verdict.Discard:
		return sent, true, nil
	}
	if verdict.MsgBody != nil {
		m.Body = verdict.MsgBody
	}
	if data, err := cloudData(verdict.CloudCustomData); verdict.CloudCustomData != nil && err == nil {
		m.CloudData = data
	} else if err != nil {
		s.log.Warn("before-callback reply's CloudCustomData ignored", "sdkappid", c.App.SDKAppID, "err", err)
	}
	return sent, false, nil
}

// deref0 is *p, or the zero value for nil.
func deref0[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
