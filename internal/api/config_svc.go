package api

import (
	"context"
)

// ConfigSvc/GetIPList (269/45438; docs/fidelity/push.md#configsvcgetiplist).
// Tencent answers the addresses its servers use, for the SDK to reach and
// for callbacks to come from, so that firewalls can let them through. timd
// is both: it answers the addresses it listens on (Options.IPList), which
// are also where its callbacks leave from. The nettype query parameter,
// which picks among Tencent's regions, changes nothing.

type getIPListResp struct {
	IPList []string
}

// getIPList answers the addresses timd listens on; [] if it does not know.
func (s *Server) getIPList(_ context.Context, _ *Call, _ *empty) (*getIPListResp, error) {
	var ips []string
	if s.ipList != nil {
		ips = s.ipList()
	}
	if ips == nil {
		ips = []string{}
	}
	return &getIPListResp{IPList: ips}, nil
}
