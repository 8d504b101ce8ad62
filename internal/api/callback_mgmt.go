package api

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/timd/timd/internal/im"
)

// Handlers of timd_callback, timd's own management API for the callback
// delivery log (not a Tencent service; README.md "Callbacks"). It is
// authenticated like every REST call and sees only the calling app's events.

// eventStore is what the timd_callback handlers may touch (Server.events):
// the management half of im.Outbox, whose methods and codes these are.
// Claiming and marking events is the sender's (internal/callback).
type eventStore interface {
	ListEvents(ctx context.Context, app uint64, f im.EventFilter) ([]im.Event, error) // list_deliveries
	ReplayEvent(ctx context.Context, app uint64, id int64) error                      // replay
	ReplayDead(ctx context.Context, app uint64) (int, error)                          // replay_dead
	PurgeDelivered(ctx context.Context, app uint64, before time.Time) (int, error)    // purge
}

// Limits of list_deliveries.
const (
	DefaultDeliveriesLimit = 100
	MaxDeliveriesLimit     = 1000
)

// MaxUnixTime is the latest time list_deliveries and purge accept, in unix
// seconds: 9999-12-31 23:59:59 UTC. Later times would overflow the
// milliseconds the store compares (past about 9.2e15 s) and mean nothing.
const MaxUnixTime = 253402300799

// unixTime reads a time field of timd_callback: unix seconds from 0 to
// MaxUnixTime, else 91001 naming the field.
func unixTime(name string, v int64) (time.Time, error) {
	if v < 0 || v > MaxUnixTime {
		return time.Time{}, invalidParam(fmt.Sprintf("%s %d: want unix seconds from 0 to %d", name, v, int64(MaxUnixTime)))
	}
	return time.Unix(v, 0), nil
}

// DefaultPurgeAge is how old a delivered event must be for purge to delete it
// when the request names no Before.
const DefaultPurgeAge = 7 * 24 * time.Hour

type listDeliveriesReq struct {
	State           *string
	CallbackCommand *string
	Key             *string
	StartTime       *int64 // unix seconds: created at or after
	EndTime         *int64 // unix seconds: created before
	AfterId         *int64
	Limit           *int
}

type deliveryItem struct {
	Id              int64
	CallbackCommand string
	Key             string
	State           string
	Attempts        int
	LastStatus      int
	LastError       string
	ClientIP        string
	CreateTime      int64
	NextAttemptTime int64
	DeliveredTime   int64
	Body            json.RawMessage
}

type listDeliveriesResp struct {
	Events []deliveryItem
	Next   int64
}

// listDeliveries pages through the app's events, oldest first.
func (s *Server) listDeliveries(ctx context.Context, c *Call, req *listDeliveriesReq) (*listDeliveriesResp, error) {
	f, err := deliveriesFilter(req)
	if err != nil {
		return nil, err
	}
	evs, err := s.events.ListEvents(ctx, c.App.SDKAppID, f)
	if err != nil {
		return nil, err
	}
	resp := &listDeliveriesResp{Events: make([]deliveryItem, len(evs))}
	for i, ev := range evs {
		if resp.Events[i], err = newDeliveryItem(ev); err != nil {
			return nil, err
		}
	}
	if len(evs) > 0 && len(evs) == f.Limit {
		resp.Next = evs[len(evs)-1].ID
	}
	return resp, nil
}

// deliveriesFilter checks list_deliveries' fields, in order, into the
// store's filter.
func deliveriesFilter(req *listDeliveriesReq) (im.EventFilter, error) {
	f := im.EventFilter{Limit: DefaultDeliveriesLimit}
	if req.State != nil {
		switch st := im.EventState(*req.State); st {
		case im.EventPending, im.EventDelivered, im.EventDead:
			f.State = st
		default:
			return f, invalidParam(fmt.Sprintf("State %q: want pending, delivered or dead", *req.State))
		}
	}
	if req.CallbackCommand != nil {
		f.Command = *req.CallbackCommand
	}
	if req.Key != nil {
		f.Key = *req.Key
	}
	if err := deliveriesTimes(req, &f); err != nil {
		return f, err
	}
	if req.AfterId != nil {
		if *req.AfterId < 0 {
			return f, invalidParam("AfterId must not be negative")
		}
		f.AfterID = *req.AfterId
	}
	if req.Limit != nil {
		if *req.Limit < 1 || *req.Limit > MaxDeliveriesLimit {
			return f, invalidParam(fmt.Sprintf("Limit must lie between 1 and %d", MaxDeliveriesLimit))
		}
		f.Limit = *req.Limit
	}
	return f, nil
}

// deliveriesTimes checks StartTime and EndTime into f's From and To.
func deliveriesTimes(req *listDeliveriesReq, f *im.EventFilter) error {
	for _, t := range []struct {
		name string
		v    *int64
		dst  *time.Time
	}{{"StartTime", req.StartTime, &f.From}, {"EndTime", req.EndTime, &f.To}} {
		if t.v == nil {
			continue
		}
		var err error
		if *t.dst, err = unixTime(t.name, *t.v); err != nil {
			return err
		}
	}
	if req.StartTime != nil && req.EndTime != nil && *req.EndTime < *req.StartTime {
		return invalidParam("EndTime must not be before StartTime")
	}
	return nil
}

// newDeliveryItem is one event as list_deliveries shows it.
func newDeliveryItem(ev im.Event) (deliveryItem, error) {
	item := deliveryItem{
		Id: ev.ID, CallbackCommand: ev.Command, Key: ev.Key, State: string(ev.State),
		Attempts: ev.Attempts, LastStatus: ev.LastStatus, LastError: ev.LastError, ClientIP: ev.ClientIP,
		CreateTime: ev.CreatedAt.Unix(), Body: ev.Body,
	}
	if ev.State == im.EventPending && !ev.NextAttemptAt.IsZero() {
		item.NextAttemptTime = ev.NextAttemptAt.Unix()
	}
	if !ev.DeliveredAt.IsZero() {
		item.DeliveredTime = ev.DeliveredAt.Unix()
	}
	if !json.Valid(item.Body) {
		return item, fmt.Errorf("event %d: stored body is not JSON", ev.ID)
	}
	return item, nil
}

type replayReq struct {
	Id *int64
}

// replay makes one event pending again, due at once, with its attempts
// reset. 91003 if the app has no such event.
func (s *Server) replay(ctx context.Context, c *Call, req *replayReq) (*empty, error) {
	if req.Id == nil {
		return nil, invalidParam("Id is required")
	}
	if *req.Id <= 0 {
		return nil, invalidParam("Id must be positive")
	}
	return nil, s.events.ReplayEvent(ctx, c.App.SDKAppID, *req.Id)
}

type replayDeadResp struct {
	Replayed int
}

// replayDead makes every dead event of the app pending again.
func (s *Server) replayDead(ctx context.Context, c *Call, _ *empty) (*replayDeadResp, error) {
	n, err := s.events.ReplayDead(ctx, c.App.SDKAppID)
	if err != nil {
		return nil, err
	}
	return &replayDeadResp{Replayed: n}, nil
}

type purgeReq struct {
	Before *int64 // unix seconds; default now minus DefaultPurgeAge
}

type purgeResp struct {
	Purged int
}

// purge deletes the app's events delivered before Before.
func (s *Server) purge(ctx context.Context, c *Call, req *purgeReq) (*purgeResp, error) {
	before := s.now().Add(-DefaultPurgeAge)
	if req.Before != nil {
		var err error
		if before, err = unixTime("Before", *req.Before); err != nil {
			return nil, err
		}
	}
	n, err := s.events.PurgeDelivered(ctx, c.App.SDKAppID, before)
	if err != nil {
		return nil, err
	}
	return &purgeResp{Purged: n}, nil
}
