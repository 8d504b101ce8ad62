package main

import (
	"net"
	"net/http"
	"net/http/pprof"
	"time"
)

// servePprof serves Go's profiles on their own listener, so that they are
// never reachable on the API's address: CPU and heap profiles of a running
// timd are how its performance work is measured (docs/benchmarks.md).
func (m *Main) servePprof(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	m.pprof, m.pprofAddr = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}, ln.Addr().String()
	go m.pprof.Serve(ln)
	m.Logger.Info("pprof profiles served", "addr", ln.Addr().String())
	return nil
}
