package api

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"

	"github.com/timd/timd/internal/im"
)

// State control of the control plane (docs/control-state.md):
// timd_control/reset empties the caller's app, export answers its whole
// state as one document, import replaces the state by such a document, and
// snapshot, restore, list_snapshots and delete_snapshot keep named copies
// of it in the database. The app's admin accounts survive every one.

// stateCtlStore is what the state-control handlers may touch
// (Server.statectl); the methods and their codes are
// im.StateControlService's.
type stateCtlStore interface {
	ResetApp(ctx context.Context, app uint64, admins []string) error
	ExportApp(ctx context.Context, app uint64) (*im.StateDoc, error)
	ImportApp(ctx context.Context, app uint64, doc *im.StateDoc, admins []string) error
	SaveSnapshot(ctx context.Context, app uint64, name string) (*im.Snapshot, error)
	RestoreSnapshot(ctx context.Context, app uint64, name string, admins []string) error
	ListSnapshots(ctx context.Context, app uint64) ([]im.Snapshot, error)
	DeleteSnapshot(ctx context.Context, app uint64, name string) error
}

// stateRoutes are the state-control commands of timd's control API
// (timd_control).
func (s *Server) stateRoutes() []route {
	return []route{
		{"timd_control", "reset", 200, rpc(s.resetState)},
		{"timd_control", "export", 200, rpc(s.exportState)},
		{"timd_control", "import", 200, handler{call: s.importState, req: reflect.TypeFor[im.StateDoc](), resp: reflect.TypeFor[empty]()}},
		{"timd_control", "snapshot", 200, rpc(s.snapshotState)},
		{"timd_control", "restore", 200, rpc(s.restoreState)},
		{"timd_control", "list_snapshots", 200, rpc(s.listSnapshots)},
		{"timd_control", "delete_snapshot", 200, rpc(s.deleteSnapshot)},
	}
}

// resetState empties the app; its admins are imported again.
func (s *Server) resetState(ctx context.Context, c *Call, _ *empty) (*empty, error) {
	return nil, s.statectl.ResetApp(ctx, c.App.SDKAppID, c.App.Admins)
}

// exportState answers the app's whole state.
func (s *Server) exportState(ctx context.Context, c *Call, _ *empty) (*im.StateDoc, error) {
	return s.statectl.ExportApp(ctx, c.App.SDKAppID)
}

// importState replaces the app's state by the document in the body, which
// may name another app (SdkAppId): its state goes into the caller's. It
// reads the body itself, with im.ParseStateDoc: a key that is not the
// document's (a table misspelt, or cased otherwise) is refused rather than
// ignored as other commands ignore unknown keys, since ignoring it would
// empty that table.
func (s *Server) importState(ctx context.Context, c *Call, body []byte) (any, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	if !json.Valid(body) {
		return nil, im.Errorf(im.CodeJSONParse, "request body is not valid JSON")
	}
	doc, err := im.ParseStateDoc(body)
	if err != nil {
		return nil, im.Errorf(im.CodeMgmtInvalid, "%v", err)
	}
	return nil, s.statectl.ImportApp(ctx, c.App.SDKAppID, doc, c.App.Admins)
}

type snapshotReq struct {
	Name *string
}

type snapshotInfo struct {
	Name      string
	CreatedAt int64 // unix milliseconds
	Size      int   // length of its document, in characters
}

type listSnapshotsResp struct {
	Snapshots []snapshotInfo
}

// name is the request's Name, required.
func (req *snapshotReq) name() (string, error) {
	if req.Name == nil {
		return "", invalidField("Name", "Name is required")
	}
	return *req.Name, nil
}

func (s *Server) snapshotState(ctx context.Context, c *Call, req *snapshotReq) (*snapshotInfo, error) {
	name, err := req.name()
	if err != nil {
		return nil, err
	}
	snap, err := s.statectl.SaveSnapshot(ctx, c.App.SDKAppID, name)
	if err != nil {
		return nil, err
	}
	return &snapshotInfo{Name: snap.Name, CreatedAt: snap.CreatedAt.UnixMilli(), Size: snap.Size}, nil
}

func (s *Server) restoreState(ctx context.Context, c *Call, req *snapshotReq) (*empty, error) {
	name, err := req.name()
	if err != nil {
		return nil, err
	}
	return nil, s.statectl.RestoreSnapshot(ctx, c.App.SDKAppID, name, c.App.Admins)
}

func (s *Server) listSnapshots(ctx context.Context, c *Call, _ *empty) (*listSnapshotsResp, error) {
	snaps, err := s.statectl.ListSnapshots(ctx, c.App.SDKAppID)
	if err != nil {
		return nil, err
	}
	resp := &listSnapshotsResp{Snapshots: []snapshotInfo{}}
	for _, sn := range snaps {
		resp.Snapshots = append(resp.Snapshots, snapshotInfo{Name: sn.Name, CreatedAt: sn.CreatedAt.UnixMilli(), Size: sn.Size})
	}
	return resp, nil
}

func (s *Server) deleteSnapshot(ctx context.Context, c *Call, req *snapshotReq) (*empty, error) {
	name, err := req.name()
	if err != nil {
		return nil, err
	}
	return nil, s.statectl.DeleteSnapshot(ctx, c.App.SDKAppID, name)
}
