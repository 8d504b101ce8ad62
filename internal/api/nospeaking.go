package api

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// Handlers of openconfigsvr: the global mute of an account
// (docs/fidelity/group-admin.md#setnospeaking). sendmsg refuses a muted
// sender's one-to-one messages with 20012, send_group_msg its group
// messages with 10017, before any before-callback is sent.

// noSpeakingStore is what these handlers may touch (Server.nospeak); the
// methods and their codes are im.NoSpeakingService's.
type noSpeakingStore interface {
	SetNoSpeaking(ctx context.Context, app uint64, userID string, c2c, group *int64) error
	GetNoSpeaking(ctx context.Context, app uint64, userID string) (im.NoSpeaking, error)
}

type setNoSpeakingReq struct {
	Set_Account            *string
	C2CmsgNospeakingTime   *int64
	GroupmsgNospeakingTime *int64
}

// setNoSpeaking sets an account's one-to-one and group mute periods, from
// now: 0 lifts one, 4294967295 is for ever. One of them must be given.
func (s *Server) setNoSpeaking(ctx context.Context, c *Call, req *setNoSpeakingReq) (*empty, error) {
	if req.Set_Account == nil || *req.Set_Account == "" {
		return nil, invalidParam("Set_Account is required")
	}
	if req.C2CmsgNospeakingTime == nil && req.GroupmsgNospeakingTime == nil {
		return nil, invalidParam("C2CmsgNospeakingTime or GroupmsgNospeakingTime is required")
	}
	for _, f := range []struct {
		name string
		v    *int64
	}{{"C2CmsgNospeakingTime", req.C2CmsgNospeakingTime}, {"GroupmsgNospeakingTime", req.GroupmsgNospeakingTime}} {
		if f.v != nil {
			if err := muteSeconds(f.name, *f.v); err != nil {
				return nil, err
			}
		}
	}
	return nil, s.nospeak.SetNoSpeaking(ctx, c.App.SDKAppID, *req.Set_Account, req.C2CmsgNospeakingTime, req.GroupmsgNospeakingTime)
}

type getNoSpeakingReq struct {
	Get_Account *string
}

type getNoSpeakingResp struct {
	C2CmsgNospeakingTime   int64
	GroupmsgNospeakingTime int64
}

// getNoSpeaking reads an account's mute periods: the period set while it
// runs, 0 once it has ended or if none was set.
func (s *Server) getNoSpeaking(ctx context.Context, c *Call, req *getNoSpeakingReq) (*getNoSpeakingResp, error) {
	if req.Get_Account == nil || *req.Get_Account == "" {
		return nil, invalidParam("Get_Account is required")
	}
	ns, err := s.nospeak.GetNoSpeaking(ctx, c.App.SDKAppID, *req.Get_Account)
	if err != nil {
		return nil, err
	}
	return &getNoSpeakingResp{C2CmsgNospeakingTime: ns.C2C, GroupmsgNospeakingTime: ns.Group}, nil
}
