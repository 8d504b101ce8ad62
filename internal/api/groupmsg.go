package api

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/timd/timd/internal/im"
)

// Handlers of group messages: send_group_msg and
// send_group_system_notification here, group_msg_get_simple,
// group_msg_recall and delete_group_msg_by_sender in groupmsg_read.go,
// import_group_msg and openim/modify_group_msg in groupmsg_import.go
// (docs/fidelity/group-messages.md).

// groupMsgStore is what the group message handlers may touch
// (Server.gmsgs); the methods and their codes are im.GroupMsgService's.
type groupMsgStore interface {
	CheckGroupSender(ctx context.Context, app uint64, groupID string, m im.NewGroupMsg) (im.GroupSender, error)
	SendGroupMsg(ctx context.Context, op im.Op, groupID string, m im.NewGroupMsg) (im.SentGroupMsg, error)
	CheckGroupNotify(ctx context.Context, app uint64, groupID string, to []string) error
	GroupMsgs(ctx context.Context, app uint64, groupID string, upTo int64, n int, withRecalled bool) ([]im.GroupMsg, bool, error)
	RecallGroupMsgs(ctx context.Context, op im.Op, groupID string, seqs []int64) ([]int, error)
	ImportGroupMsgs(ctx context.Context, op im.Op, groupID string, msgs []im.ImportGroupMsg) ([]im.ImportResult, error)
	ModifyGroupMsg(ctx context.Context, op im.Op, groupID string, seq int64, body im.MsgBody, cloudData *string) error
	DeleteGroupMsgsBySender(ctx context.Context, op im.Op, groupID, sender string) error
	ClearGroupMsgs(ctx context.Context, op im.Op, groupID string, upTo int64) error
}

// msgPriorities are MsgPriority's values, case-sensitive, as stored.
var msgPriorities = map[string]int{"High": im.PriorityHigh, "Normal": im.PriorityNormal, "Low": im.PriorityLow}

type groupAtReq struct {
	GroupAtAllFlag  *int
	GroupAt_Account *string
}

type sendGroupMsgReq struct {
	GroupId                 *string
	Random                  *int64
	MsgPriority             *string
	MsgBody                 json.RawMessage
	From_Account            *string
	OfflinePushInfo         json.RawMessage
	ForbidCallbackControl   []string
	OnlineOnlyFlag          *int
	SendMsgControl          []string
	CloudCustomData         *string
	SupportMessageExtension *int
	To_Account              []string
	TopicId                 *string
	GroupAtInfo             []groupAtReq
	IsNeedReadReceipt       *int
}

// sendGroupMsgResp is send_group_msg's reply, in the order of Tencent's
// sample.
type sendGroupMsgResp struct {
	MsgTime int64
	MsgSeq  int64
}

// sendGroupMsg sends a message to a group: checked, offered to
// Group.CallbackBeforeSendMsg, stored with the group's next MsgSeq.
func (s *Server) sendGroupMsg(ctx context.Context, c *Call, req *sendGroupMsgReq) (*sendGroupMsgResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	m, err := newGroupMsg(c, req)
	if err != nil {
		return nil, err
	}
	hook, ok := s.before.(BeforeSendHook)
	if ok && c.App.Records(im.CallbackGroupBeforeSendMsg) && !slices.Contains(req.ForbidCallbackControl, "ForbidBeforeSendMsgCallback") {
		chk, err := s.gmsgs.CheckGroupSender(ctx, c.App.SDKAppID, id, m)
		if err != nil {
			return nil, err
		}
		if chk.Dup != nil {
			return &sendGroupMsgResp{MsgTime: chk.Dup.Time, MsgSeq: chk.Dup.Seq}, nil
		}
		v, err := hook.BeforeSend(ctx, c.App, c.ClientIP, im.BeforeSendGroupMsgBody{
			GroupID: id, Type: chk.GroupType, From: m.From, Operator: c.Identifier, Random: m.Random,
			OnlineOnly: b2i(m.OnlineOnly && chk.GroupType != im.GroupAVChatRoom), MsgBody: m.Body, CloudData: m.CloudData,
		})
		if err != nil {
			return nil, err
		}
		if v.Discard {
			// Answered as sent, but neither stored nor delivered.
			return &sendGroupMsgResp{MsgTime: s.appNow(c.App).Unix()}, nil
		}
		if v.MsgBody != nil {
			m.Body = v.MsgBody
		}
		if v.CloudCustomData != nil {
			m.CloudData = *v.CloudCustomData
		}
	}
	sent, err := s.gmsgs.SendGroupMsg(ctx, op(c), id, m)
	if err != nil {
		return nil, err
	}
	return &sendGroupMsgResp{MsgTime: sent.Time, MsgSeq: sent.Seq}, nil
}

// newGroupMsg validates a send_group_msg beyond its GroupId.
func newGroupMsg(c *Call, req *sendGroupMsgReq) (im.NewGroupMsg, error) {
	m := im.NewGroupMsg{From: c.Identifier, Priority: im.PriorityNormal,
		After: !slices.Contains(req.ForbidCallbackControl, "ForbidAfterSendMsgCallback")}
	var err error
	if m.Random, err = msgRandom(req.Random, true); err != nil {
		return m, err
	}
	if req.MsgPriority != nil {
		p, ok := msgPriorities[*req.MsgPriority]
		if !ok {
			return m, invalidParam(fmt.Sprintf("MsgPriority must be High, Normal or Low, not %q", *req.MsgPriority))
		}
		m.Priority = p
	}
	if req.From_Account != nil {
		if *req.From_Account == "" {
			return m, invalidParam("From_Account must not be empty")
		}
		m.From, m.AsMember = *req.From_Account, true
	}
	if m.Body, err = im.ParseMsgBody(req.MsgBody, im.CodeGroupInvalid, im.CodeGroupInvalid, im.CodeGroupMsgTooLong); err != nil {
		return m, err
	}
	if m.PushInfo, err = pushInfo(req.OfflinePushInfo); err != nil {
		return m, err
	}
	if err := maxBytes("CloudCustomData", req.CloudCustomData, im.MaxMsgBodyBytes); err != nil {
		return m, err
	}
	deref(&m.CloudData, req.CloudCustomData)
	for _, f := range []struct {
		name string
		v    *int
	}{{"OnlineOnlyFlag", req.OnlineOnlyFlag}, {"SupportMessageExtension", req.SupportMessageExtension}, {"IsNeedReadReceipt", req.IsNeedReadReceipt}} {
		if f.v != nil && *f.v != 0 && *f.v != 1 {
			return m, invalidParam(f.name + " must be 0 or 1")
		}
	}
	m.OnlineOnly = req.OnlineOnlyFlag != nil && *req.OnlineOnlyFlag == 1
	m.Ext = req.SupportMessageExtension != nil && *req.SupportMessageExtension == 1
	if req.TopicId != nil && *req.TopicId != "" {
		return m, invalidParam("TopicId: messages in topics are not served (docs/fidelity/topics.md)")
	}
	if len(req.To_Account) > im.MaxGroupMsgTargets {
		return m, invalidParam(fmt.Sprintf("at most %d accounts in To_Account", im.MaxGroupMsgTargets))
	}
	return m, groupAtInfo(req.GroupAtInfo)
}

// msgRandom checks a Random: a 32-bit unsigned integer, required or not.
func msgRandom(v *int64, required bool) (uint32, error) {
	if v == nil {
		if required {
			return 0, invalidParam("Random is required")
		}
		return 0, nil
	}
	if *v < 0 || *v > 1<<32-1 {
		return 0, invalidParam("Random must be a 32-bit unsigned integer")
	}
	return uint32(*v), nil
}

// pushInfo checks OfflinePushInfo, an object, and returns it compact.
func pushInfo(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var obj map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &obj) != nil {
		return "", invalidParam("OfflinePushInfo must be an object")
	}
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return "", invalidParam("OfflinePushInfo must be an object")
	}
	return b.String(), nil
}

// groupAtInfo checks GroupAtInfo: GroupAtAllFlag 1 (@all) or 0 with the
// GroupAt_Account it names.
func groupAtInfo(items []groupAtReq) error {
	for i, it := range items {
		all := it.GroupAtAllFlag != nil && *it.GroupAtAllFlag == 1
		if it.GroupAtAllFlag != nil && *it.GroupAtAllFlag != 0 && !all {
			return invalidParam(fmt.Sprintf("GroupAtInfo[%d].GroupAtAllFlag must be 0 or 1", i))
		}
		if !all && (it.GroupAt_Account == nil || *it.GroupAt_Account == "") {
			return invalidParam(fmt.Sprintf("GroupAtInfo[%d] needs GroupAt_Account", i))
		}
	}
	return nil
}

type sendGroupNotificationReq struct {
	GroupId           *string
	ToMembers_Account []string
	Content           *string
	TopicId           *string
}

// sendGroupSystemNotification checks a system notification to a group's
// members, or to those of them named. It is not a group message: nothing
// is stored and no MsgSeq is taken.
func (s *Server) sendGroupSystemNotification(ctx context.Context, c *Call, req *sendGroupNotificationReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.Content == nil || *req.Content == "" {
		return nil, invalidParam("Content is required")
	}
	if len(req.ToMembers_Account) > im.MaxGroupNotifyTo {
		return nil, invalidParam(fmt.Sprintf("at most %d accounts in ToMembers_Account", im.MaxGroupNotifyTo))
	}
	if req.TopicId != nil && *req.TopicId != "" {
		return nil, invalidParam("TopicId: messages in topics are not served (docs/fidelity/topics.md)")
	}
	return nil, s.gmsgs.CheckGroupNotify(ctx, c.App.SDKAppID, id, req.ToMembers_Account)
}
