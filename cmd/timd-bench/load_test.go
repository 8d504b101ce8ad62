package main

import "testing"

// Ensure the load generator takes a reply for a success without decoding
// it only when the reply begins with a success's envelope.
func TestSucceeded(t *testing.T) {
	for reply, want := range map[string]bool{
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`:              true,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"MsgList":[]}`: true,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0`:               false,
		`{"ActionStatus":"FAIL","ErrorInfo":"no","ErrorCode":90001}`:      false,
		`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":01}`:             false,
		`{"ErrorCode":0,"ActionStatus":"OK","ErrorInfo":""}`:              false, // decoded instead
		` {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`:             false,
	} {
		if got := succeeded([]byte(reply)); got != want {
			t.Errorf("%s: %v, want %v", reply, got, want)
		}
	}
}
