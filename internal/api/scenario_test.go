package api_test

import (
	"strings"
	"testing"
)

// callCase is one call of a scenario table: its answer, what the reply must
// and must not contain (compact JSON), and the one event it records, if any.
type callCase struct {
	name    string
	command string
	body    string
	code    int
	want    []string // substrings of the reply
	absent  []string // substrings the reply must not have
	event   string   // command of the event the call records; "" for none
	evWant  []string // substrings of that event's body
	service string   // the command's service when not runCases's
}

// runCases runs cases of one service in order on one server, checking after
// each call that exactly the expected event (or none) was recorded: a failed
// call records nothing.
func runCases(t *testing.T, h *Harness, service string, cases []callCase) {
	t.Helper()
	for _, tc := range cases {
		before := len(h.events())
		svc := service
		if tc.service != "" {
			svc = tc.service
		}
		r := h.Call(svc, tc.command, tc.body)
		if got := r.Code(t); got != tc.code {
			t.Errorf("%s: ErrorCode %d, want %d: %.1000s", tc.name, got, tc.code, r.Raw)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(r.Raw, w) {
				t.Errorf("%s: reply %.1000s\nlacks %s", tc.name, r.Raw, w)
			}
		}
		for _, a := range tc.absent {
			if strings.Contains(r.Raw, a) {
				t.Errorf("%s: reply %.1000s\nhas %s", tc.name, r.Raw, a)
			}
		}
		evs := h.events()
		switch {
		case tc.event == "" && len(evs) != before:
			t.Errorf("%s: recorded %d events, want none: %s", tc.name, len(evs)-before, evs[len(evs)-1].Raw)
		case tc.event != "" && len(evs) != before+1:
			t.Errorf("%s: recorded %d events, want one %s", tc.name, len(evs)-before, tc.event)
		case tc.event != "":
			ev := evs[len(evs)-1]
			if ev.Command != tc.event {
				t.Errorf("%s: recorded %s, want %s", tc.name, ev.Command, tc.event)
			}
			for _, w := range tc.evWant {
				if !strings.Contains(ev.Raw, w) {
					t.Errorf("%s: event %s\nlacks %s", tc.name, ev.Raw, w)
				}
			}
		}
	}
}
