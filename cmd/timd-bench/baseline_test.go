package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Ensure the baseline, in a process of its own or in this one, answers a
// JSON body with the envelope and anything else with 400, and is gone once
// stopped.
func TestBaseline(t *testing.T) {
	for _, inProcess := range []bool{false, true} {
		base, stop, err := startBaseline(inProcess)
		if err != nil {
			t.Fatal(err)
		}
		post := func(body string) (int, string, error) {
			resp, err := http.Post(base+"/v4/x/y", "application/json", strings.NewReader(body))
			if err != nil {
				return 0, "", err
			}
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return resp.StatusCode, string(b), err
		}
		if code, body, err := post(`{"a":1}`); err != nil || code != 200 || body != string(baselineReply) {
			t.Errorf("in process %v: %d %q %v", inProcess, code, body, err)
		}
		if code, _, err := post(`{`); err != nil || code != 400 {
			t.Errorf("in process %v, malformed: %d %v", inProcess, code, err)
		}
		http.DefaultClient.CloseIdleConnections()
		stop()
		if _, _, err := post(`{}`); err == nil {
			t.Errorf("in process %v: still answering after stop", inProcess)
		}
	}
}
