package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of Community topics (million_group_open_http_svc,
// docs/fidelity/topics.md): create_topic, get_topic, modify_topic,
// destroy_topic.

// topicStore is what these handlers may touch (Server.topics); the methods
// and their codes are im.TopicService's.
type topicStore interface {
	CreateTopic(ctx context.Context, op im.Op, groupID, topicID, operator string, t im.TopicUpdate) (string, error)
	Topics(ctx context.Context, app uint64, groupID string, ids []string, account string) ([]*im.Topic, im.TopicSelf, error)
	ModifyTopic(ctx context.Context, op im.Op, groupID, topicID string, t im.TopicUpdate) error
	DestroyTopics(ctx context.Context, op im.Op, groupID string, ids []string) ([]int, error)
}

// topicFields are the profile fields create_topic and modify_topic share.
type topicFields struct {
	TopicName     *string
	CustomString  *string
	FaceUrl       *string
	Notification  *string
	Introduction  *string
	MuteAllMember *string
}

// update checks the fields' limits (10004) into a TopicUpdate.
func (f *topicFields) update() (im.TopicUpdate, error) {
	for _, e := range []error{
		maxBytes("TopicName", f.TopicName, im.MaxTopicNameBytes),
		maxBytes("CustomString", f.CustomString, im.MaxTopicCustomString),
		maxBytes("FaceUrl", f.FaceUrl, im.MaxTopicFaceURLBytes),
		maxBytes("Notification", f.Notification, im.MaxTopicNotification),
		maxBytes("Introduction", f.Introduction, im.MaxTopicIntroduction),
		oneOf("MuteAllMember", f.MuteAllMember, []string{"On", "Off"}),
	} {
		if e != nil {
			return im.TopicUpdate{}, e
		}
	}
	u := im.TopicUpdate{Name: f.TopicName, CustomString: f.CustomString, FaceURL: f.FaceUrl, Notification: f.Notification,
		Introduction: f.Introduction}
	if f.MuteAllMember != nil {
		on := *f.MuteAllMember == "On"
		u.MuteAll = &on
	}
	return u, nil
}

// checkTopicID checks a topic ID chosen by the caller (the Group System
// page's "Custom Topic IDs"): the Community's GroupId, "@TOPIC#_", then a
// part of printable ASCII without "@TGS#_" that does not start "@TOPIC#"
// (the automatic IDs' form), 96 bytes in all.
func checkTopicID(groupID, id string) error {
	part, ok := strings.CutPrefix(id, groupID+im.TopicIDInfix)
	switch {
	case !ok || part == "":
		return invalidParam(fmt.Sprintf("TopicId must be the GroupId, %q and a part of its own", im.TopicIDInfix))
	case len(id) > im.MaxTopicIDBytes:
		return invalidParam(fmt.Sprintf("TopicId holds at most %d bytes", im.MaxTopicIDBytes))
	case strings.Contains(part, "@TGS#_") || strings.HasPrefix(part, "@TOPIC#"):
		return invalidParam(`TopicId's own part may not hold "@TGS#_" nor start "@TOPIC#"`)
	}
	for i := range len(part) {
		if part[i] < 0x20 || part[i] > 0x7e {
			return invalidParam("TopicId's own part must be printable ASCII")
		}
	}
	return nil
}

type createTopicReq struct {
	GroupId      *string
	TopicId      *string
	From_Account *string
	topicFields
}

type createTopicResp struct {
	TopicId string
}

// createTopic creates a topic in a Community created with SupportTopic 1.
func (s *Server) createTopic(ctx context.Context, c *Call, req *createTopicReq) (*createTopicResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.TopicName == nil || *req.TopicName == "" {
		return nil, invalidParam("TopicName is required")
	}
	u, err := req.update()
	if err != nil {
		return nil, err
	}
	topicID := ""
	if req.TopicId != nil {
		if err := checkTopicID(id, *req.TopicId); err != nil {
			return nil, err
		}
		topicID = *req.TopicId
	}
	from := ""
	if req.From_Account != nil {
		from = *req.From_Account
	}
	topicID, err = s.topics.CreateTopic(ctx, op(c), id, topicID, from, u)
	if err != nil {
		return nil, err
	}
	return &createTopicResp{TopicId: topicID}, nil
}

type getTopicReq struct {
	GroupId        *string
	From_Account   *string
	TopicIdList    []string
	ResponseFilter []string
}

// topicInfo is get_topic's TopicInfo, its fields in the order of the doocs
// SDK's TopicInfo (docs/fidelity/topics.md).
type topicInfo struct {
	TopicName     string
	GroupID       string
	FaceUrl       string
	TopicId       string
	NextMsgSeq    int64
	Notification  string
	Introduction  string
	CreateTime    int64
	LastMsgTime   int64
	ShutUpAllFlag int
	CustomString  string
}

type topicSelfInfo struct {
	ShutUpTime int64
	MsgSeq     int64
	MsgFlag    string
}

type topicAndSelf struct {
	ErrorCode int
	ErrorInfo string
	SelfInfo  *topicSelfInfo `json:",omitempty"`
	TopicInfo *topicInfo     `json:",omitempty"`
}

type getTopicResp struct {
	TopicAndSelfInfo []topicAndSelf
}

// getTopic reads a Community's topics, all or those named, and what
// From_Account is in them.
func (s *Server) getTopic(ctx context.Context, c *Call, req *getTopicReq) (*getTopicResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.From_Account == nil || *req.From_Account == "" {
		return nil, invalidParam("From_Account is required")
	}
	topics, self, err := s.topics.Topics(ctx, c.App.SDKAppID, id, req.TopicIdList, *req.From_Account)
	if err != nil {
		return nil, err
	}
	si := &topicSelfInfo{ShutUpTime: self.MuteUntil, MsgFlag: self.MsgFlag}
	resp := &getTopicResp{TopicAndSelfInfo: make([]topicAndSelf, len(topics))}
	for i, t := range topics {
		if t == nil {
			resp.TopicAndSelfInfo[i] = topicAndSelf{ErrorCode: im.CodeGroupNotFound, ErrorInfo: "topic " + req.TopicIdList[i] + " does not exist"}
			continue
		}
		resp.TopicAndSelfInfo[i] = topicAndSelf{SelfInfo: si, TopicInfo: &topicInfo{TopicName: t.Name, GroupID: t.GroupID,
			FaceUrl: t.FaceURL, TopicId: t.TopicID, NextMsgSeq: t.NextMsgSeq, Notification: t.Notification,
			Introduction: t.Introduction, CreateTime: t.CreateTime, LastMsgTime: t.LastMsgTime,
			ShutUpAllFlag: b2i(t.MuteAll), CustomString: t.CustomString}}
	}
	return resp, nil
}

type modifyTopicReq struct {
	GroupId *string
	TopicId *string
	topicFields
}

// modifyTopic changes the fields given of a topic.
func (s *Server) modifyTopic(ctx context.Context, c *Call, req *modifyTopicReq) (*empty, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if req.TopicId == nil || *req.TopicId == "" {
		return nil, invalidParam("TopicId is required")
	}
	if req.TopicName != nil && *req.TopicName == "" {
		return nil, invalidParam("TopicName may not be empty")
	}
	u, err := req.update()
	if err != nil {
		return nil, err
	}
	return nil, s.topics.ModifyTopic(ctx, op(c), id, *req.TopicId, u)
}

type destroyTopicReq struct {
	GroupId     *string
	TopicIdList []string
}

type destroyResultItem struct {
	ErrorCode int
	ErrorInfo string
	TopicId   string
}

type destroyTopicResp struct {
	DestroyResultItem []destroyResultItem
}

// destroyTopic deletes topics, each answered with its own code.
func (s *Server) destroyTopic(ctx context.Context, c *Call, req *destroyTopicReq) (*destroyTopicResp, error) {
	id, err := groupID(req.GroupId)
	if err != nil {
		return nil, err
	}
	if len(req.TopicIdList) == 0 {
		return nil, invalidParam("TopicIdList is required")
	}
	codes, err := s.topics.DestroyTopics(ctx, op(c), id, req.TopicIdList)
	if err != nil {
		return nil, err
	}
	resp := &destroyTopicResp{DestroyResultItem: make([]destroyResultItem, len(codes))}
	for i, code := range codes {
		// "ok", as the page's sample answers each deleted topic.
		item := destroyResultItem{ErrorCode: code, ErrorInfo: "ok", TopicId: req.TopicIdList[i]}
		if code != 0 {
			item.ErrorInfo = "the topic is already deleted"
		}
		resp.DestroyResultItem[i] = item
	}
	return resp, nil
}
