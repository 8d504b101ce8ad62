package api

import (
	"context"
	"encoding/json"

	"github.com/timd/timd/internal/im"
)

// all_member_push/im_push (269/45934; docs/fidelity/push.md#im_push).

type pushConditionIn struct {
	TagsAnd, TagsOr   []string
	AttrsAnd, AttrsOr map[string]string
}

type imPushReq struct {
	From_Account    *string
	MsgRandom       *uint32
	MsgBody         json.RawMessage
	MsgLifeTime     *int
	Condition       *pushConditionIn
	OfflinePushInfo json.RawMessage
}

type imPushResp struct {
	TaskId string
}

// condition checks Condition: tags and attributes not together (90039),
// at most 10 tags in each of TagsAnd and TagsOr (90032), none in both
// (90022), each tag as pushTag, each attribute value 1 to 50 bytes (90033;
// the names are checked against the app's by the store).
func (in *pushConditionIn) condition() (im.PushCondition, error) {
	if in == nil {
		return im.PushCondition{}, nil
	}
	tags := len(in.TagsAnd) > 0 || len(in.TagsOr) > 0
	if tags && (len(in.AttrsAnd) > 0 || len(in.AttrsOr) > 0) {
		return im.PushCondition{}, im.Errorf(im.CodePushAttrsAndTags, "attribute and tag conditions cannot come together")
	}
	for _, list := range [][]string{in.TagsAnd, in.TagsOr} {
		if len(list) > im.MaxPushConditionTags {
			return im.PushCondition{}, im.Errorf(im.CodePushTooManyTags, "a tag condition has %d tags, at most %d", len(list), im.MaxPushConditionTags)
		}
		for _, tag := range list {
			if err := pushTag(tag); err != nil {
				return im.PushCondition{}, err
			}
		}
	}
	for _, a := range in.TagsAnd {
		for _, o := range in.TagsOr {
			if a == o {
				return im.PushCondition{}, im.Errorf(im.CodePushTagBoth, "tag %q is in both TagsAnd and TagsOr", a)
			}
		}
	}
	for _, m := range []map[string]string{in.AttrsAnd, in.AttrsOr} {
		for name, v := range m {
			if err := pushText("attribute name", name); err != nil {
				return im.PushCondition{}, err
			}
			if err := pushText("attribute value of "+name, v); err != nil {
				return im.PushCondition{}, err
			}
		}
	}
	return im.PushCondition{TagsAnd: in.TagsAnd, TagsOr: in.TagsOr, AttrsAnd: in.AttrsAnd, AttrsOr: in.AttrsOr}, nil
}

// imPush records a push to the accounts Condition selects, all of them
// without one, from From_Account (the calling admin if left out), and
// answers its TaskId. The same MsgRandom within 7 days answers the first
// push's TaskId again.
func (s *Server) imPush(ctx context.Context, c *Call, req *imPushReq) (*imPushResp, error) {
	if req.MsgRandom == nil {
		return nil, im.Errorf(im.CodePushMsgRandom, "MsgRandom is required")
	}
	body, err := im.ParseMsgBody(req.MsgBody, im.CodePushMsgBody, im.CodePushMsgBodyArray, im.CodePushTooLarge)
	if err != nil {
		return nil, err
	}
	t := im.PushTask{MsgRandom: *req.MsgRandom, From: c.Identifier, Body: body}
	if req.MsgLifeTime != nil {
		if *req.MsgLifeTime < 0 || *req.MsgLifeTime > im.MaxPushLifeTime {
			return nil, im.Errorf(im.CodePushLifeTime, "MsgLifeTime %d is not 0 to %d", *req.MsgLifeTime, im.MaxPushLifeTime)
		}
		t.LifeTime = *req.MsgLifeTime
	}
	if req.From_Account != nil && *req.From_Account != "" {
		t.From = *req.From_Account
	}
	if t.Condition, err = req.Condition.condition(); err != nil {
		return nil, err
	}
	info, err := offlinePushInfo(req.OfflinePushInfo)
	if err != nil {
		return nil, err
	}
	if info != "" {
		t.OfflinePush = []byte(info)
	}
	res, err := s.push.Push(ctx, c.App.SDKAppID, t)
	if err != nil {
		return nil, err
	}
	return &imPushResp{TaskId: res.TaskID}, nil
}
