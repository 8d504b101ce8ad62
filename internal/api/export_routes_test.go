package api

// RouteNames lists the route table as "service/command", so that the
// external tests can check that they cover every command.
func RouteNames() []string {
	var s Server
	var out []string
	for _, r := range s.routeTable() {
		out = append(out, r.service+"/"+r.command)
	}
	return out
}
