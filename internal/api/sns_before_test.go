package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/timd/timd/internal/api"
	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

// fakeItemsBefore is a BeforeHook that also decides per item: it records
// its calls and answers rejected (by To_Account) or err.
type fakeItemsBefore struct {
	fakeBefore
	mu       sync.Mutex
	items    []string // "command fields-as-JSON"
	itemIPs  []string // the ClientIP of each call
	rejected map[string]*im.Error
	err      error
}

func (f *fakeItemsBefore) BeforeItems(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (map[string]*im.Error, error) {
	command := cb.CallbackCommand()
	b, err := json.Marshal(cb)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.items = append(f.items, command+" "+string(b))
	f.itemIPs = append(f.itemIPs, clientIP)
	return f.rejected, f.err
}

// takeItems returns the calls since the last take.
func (f *fakeItemsBefore) takeItems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.items
	f.items = nil
	return out
}

func (f *fakeItemsBefore) answerItems(rejected map[string]*im.Error, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rejected, f.err = rejected, err
}

var _ api.BeforeItemsHook = (*fakeItemsBefore)(nil)

// Ensure friend_add sends Sns.CallbackPrevFriendAdd with the documented
// fields after validating the request and before storing anything; an item
// the app backend rejects fails with the backend's code and info and is
// not added (nor in the event), the others are; a rejection of all (the
// receiver failed and the app rejects then) adds nobody.
func TestSNS_BeforeFriendAdd(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		hook := &fakeItemsBefore{}
		h := openBefore(t, dsn, hook)
		h.importUsers("dave", "erin")

		body := `{"From_Account":"alice","AddFriendItem":[{"To_Account":"bob","Remark":"r","GroupName":"g","AddSource":"AddSource_Type_Web","AddWording":"hi"},` +
			`{"To_Account":"carol","AddSource":"AddSource_Type_Web"},{"To_Account":"dave","AddSource":"AddSource_Type_Web"}],"AddType":"Add_Type_Single","ForceAddFlags":1}`
		hook.answerItems(map[string]*im.Error{"carol": {Code: 38001, Info: "no thanks"}}, nil)
		r := h.MustCall(0, sns, "friend_add", body)
		want := `"ResultItem":[{"To_Account":"bob","ResultCode":0,"ResultInfo":""},{"To_Account":"carol","ResultCode":38001,"ResultInfo":"no thanks"},` +
			`{"To_Account":"dave","ResultCode":0,"ResultInfo":""}],"Fail_Account":["carol"]`
		if !strings.Contains(r.Raw, want) {
			t.Fatalf("friend_add %s\nlacks %s", r.Raw, want)
		}
		calls := hook.takeItems()
		wantCall := `Sns.CallbackPrevFriendAdd {"AddType":"Add_Type_Single","ForceAddFlags":1,"FriendItem":[` +
			`{"AddSource":"AddSource_Type_Web","AddWording":"hi","GroupName":"g","Remark":"r","To_Account":"bob"},` +
			`{"AddSource":"AddSource_Type_Web","AddWording":"","GroupName":"","Remark":"","To_Account":"carol"},` +
			`{"AddSource":"AddSource_Type_Web","AddWording":"","GroupName":"","Remark":"","To_Account":"dave"}],` +
			`"From_Account":"alice","Requester_Account":"alice"}`
		if len(calls) != 1 || calls[0] != wantCall {
			t.Fatalf("hook calls %q\nwant [%q]", calls, wantCall)
		}
		hook.mu.Lock()
		if len(hook.itemIPs) != 1 || hook.itemIPs[0] != "127.0.0.1" {
			t.Errorf("ClientIP %q, want the loopback address", hook.itemIPs)
		}
		hook.mu.Unlock()
		if got := hook.take(); len(got) != 0 {
			t.Errorf("the plain hook was called: %q", got)
		}
		evs := h.eventsOf(im.CallbackFriendAdd)
		if len(evs) != 1 || !strings.Contains(evs[0].Raw, `"PairList":[{"From_Account":"alice","Initiator_Account":"alice","To_Account":"bob"},{"From_Account":"alice","Initiator_Account":"alice","To_Account":"dave"}]`) {
			t.Fatalf("events %v", evs)
		}
		if rel := h.relation("alice", "carol"); rel != im.RelationNone {
			t.Errorf("rejected carol: %s", rel)
		}

		// Every item rejected: the store still checks From_Account.
		hook.answerItems(nil, im.Errorf(im.CodeSNSInternal, "the app backend did not answer"))
		r = h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("erin", "carol")+`}`)
		if !strings.Contains(r.Raw, `{"To_Account":"erin","ResultCode":30006,"ResultInfo":"the app backend did not answer"}`) ||
			!strings.Contains(r.Raw, `"Fail_Account":["erin","carol"]`) {
			t.Fatalf("all rejected: %s", r.Raw)
		}
		h.MustCall(30003, sns, "friend_add", `{"From_Account":"nobody","AddFriendItem":`+addItems("erin")+`}`)
		if rel := h.relation("alice", "erin"); rel != im.RelationNone {
			t.Errorf("rejected erin: %s", rel)
		}
		hook.takeItems()

		// An internal failure of the hook is the internal code.
		hook.answerItems(nil, errors.New("boom"))
		h.MustCall(30006, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems("erin")+`}`)
		hook.answerItems(nil, nil)
		hook.takeItems()

		// Invalid requests, friend_import and the other commands send
		// nothing.
		h.MustCall(30001, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":[{"To_Account":"erin"}]}`)
		h.MustCall(0, sns, "friend_import", `{"From_Account":"alice","AddFriendItem":`+addItems("erin")+`}`)
		h.MustCall(0, sns, "friend_delete", `{"From_Account":"alice","To_Account":["erin"]}`)
		if got := hook.takeItems(); len(got) != 0 {
			t.Errorf("hook called: %q", got)
		}
		if len(h.eventsOf(im.CallbackFriendAdd)) != 1 {
			t.Errorf("friend_import recorded Sns.CallbackFriendAdd")
		}
	})
}

// Ensure Sns.CallbackPrevFriendAdd is sent only when the app records it (a
// callback URL, the command enabled) and only to a hook that decides per
// item; a hook that cannot lets friend_add go ahead.
func TestSNS_BeforeFriendAddOff(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		for _, tc := range []struct {
			name string
			opt  func(*api.Options)
			hook api.BeforeHook
		}{
			{"NoURL", func(o *api.Options) { o.Apps[0].Callback.URL = "" }, &fakeItemsBefore{}},
			{"Disabled", func(o *api.Options) { o.Apps[0].Callback.Commands = []string{im.CallbackFriendAdd} }, &fakeItemsBefore{}},
			{"PlainHook", nil, &fakeBefore{err: im.Errorf(10016, "no")}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var opts []func(*api.Options)
				if tc.opt != nil {
					opts = append(opts, tc.opt)
				}
				h := openBefore(t, dsn, tc.hook, opts...) // one database: a new friend each
				h.importUsers(tc.name)
				h.allowAny(tc.name)
				r := h.MustCall(0, sns, "friend_add", `{"From_Account":"alice","AddFriendItem":`+addItems(tc.name)+`}`)
				if strings.Contains(r.Raw, "Fail_Account") {
					t.Errorf("friend_add %s", r.Raw)
				}
				if rel := h.relation("alice", tc.name); rel != im.RelationBoth {
					t.Errorf("relation %s", rel)
				}
				switch hk := tc.hook.(type) {
				case *fakeItemsBefore:
					if got := hk.takeItems(); len(got) != 0 {
						t.Errorf("hook called: %q", got)
					}
				case *fakeBefore:
					if got := hk.take(); len(got) != 0 {
						t.Errorf("plain hook called: %q", got)
					}
				}
			})
		}
	})
}
