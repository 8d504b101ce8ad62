package api

import (
	"context"
	"time"

	"github.com/timd/timd/internal/im"
)

// timd_clock: time control of the control plane (docs/control-clock.md).
// An app's clock is the real time moved by an offset; these commands read
// and move it. Off unless timd runs with TIMD_TIME_CONTROL=on.

// maxClockShift bounds how far an app's clock may be moved: about 100 years
// either way, so that every time timd writes stays a valid unix time.
const maxClockShift = 100 * 365 * 24 * time.Hour

type clockReq struct {
	Time         *int64 // set: the app's new time, unix milliseconds
	Seconds      *int64 // advance
	Milliseconds *int64 // advance
}

type clockResp struct {
	Now    int64 // the app's time, unix milliseconds
	Offset int64 // from the real time, milliseconds
}

// clockReply answers the app's time after a command.
func (s *Server) clockReply(app *im.App) *clockResp {
	return &clockResp{Now: s.appNow(app).UnixMilli(), Offset: s.clocks.Offset(app.SDKAppID).Milliseconds()}
}

// clockOn fails with 60009 when time control is off.
func (s *Server) clockOn(app *im.App) error {
	if s.clocks == nil {
		return im.Errorf(im.CodeUnknownResource, "time control is off for app %d: start timd with TIMD_TIME_CONTROL=on (docs/control-clock.md)", app.SDKAppID)
	}
	return nil
}

func (s *Server) clockGet(ctx context.Context, c *Call, req *clockReq) (*clockResp, error) {
	if err := s.clockOn(c.App); err != nil {
		return nil, err
	}
	return s.clockReply(c.App), nil
}

// clockSet moves the app's clock to Time, forward or back.
func (s *Server) clockSet(ctx context.Context, c *Call, req *clockReq) (*clockResp, error) {
	if err := s.clockOn(c.App); err != nil {
		return nil, err
	}
	if req.Time == nil || *req.Time < 0 {
		return nil, invalidField("Time", "Time (unix milliseconds, not negative) is required")
	}
	return s.shiftClock(c.App, time.UnixMilli(*req.Time).Sub(s.now()))
}

// clockAdvance moves the app's clock forward by Seconds and Milliseconds.
func (s *Server) clockAdvance(ctx context.Context, c *Call, req *clockReq) (*clockResp, error) {
	if err := s.clockOn(c.App); err != nil {
		return nil, err
	}
	if req.Seconds == nil && req.Milliseconds == nil {
		return nil, invalidParam("Seconds or Milliseconds is required")
	}
	var d time.Duration
	for _, v := range []struct {
		n    *int64
		unit time.Duration
	}{{req.Seconds, time.Second}, {req.Milliseconds, time.Millisecond}} {
		if v.n == nil {
			continue
		}
		if *v.n < 0 || *v.n > int64(maxClockShift/v.unit) {
			return nil, invalidParam("Seconds and Milliseconds must be from 0 to about 100 years; set Time to go back")
		}
		d += time.Duration(*v.n) * v.unit
	}
	return s.shiftClock(c.App, s.clocks.Offset(c.App.SDKAppID)+d)
}

// clockReset puts the app back on the real time.
func (s *Server) clockReset(ctx context.Context, c *Call, req *clockReq) (*clockResp, error) {
	if err := s.clockOn(c.App); err != nil {
		return nil, err
	}
	return s.shiftClock(c.App, 0)
}

// shiftClock sets the app's offset, within maxClockShift.
func (s *Server) shiftClock(app *im.App, offset time.Duration) (*clockResp, error) {
	if offset > maxClockShift || offset < -maxClockShift {
		return nil, invalidParam("the clock may be moved at most about 100 years from the real time")
	}
	s.clocks.SetOffset(app.SDKAppID, offset)
	s.log.Info("app clock moved", "sdkappid", app.SDKAppID, "offset", offset.String())
	return s.clockReply(app), nil
}
