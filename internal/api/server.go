// Package api is timd's wire layer: POST /v4/{service}/{command} with
// Tencent's query parameters, checks and reply envelope, plus the health and
// metrics endpoints.
package api

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/timd/timd/internal/fault"
	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/usersig"
)

// DefaultMaxBodyBytes is the default request body limit, 1 MiB
// (docs/decisions.md §1.4).
const DefaultMaxBodyBytes = 1 << 20

// Options configure a Server.
type Options struct {
	Apps []*im.App
	// Store is the one database behind every service. NewServer fills each
	// per-service store below that is left nil from it: timd keeps all its
	// state in one database, so cmd/timd and the tests pass it once, here,
	// rather than spell out how the REST layer divides it. The per-service
	// fields let a test serve one service from a double of only that
	// service's methods (their interfaces head each handler file). A
	// service whose store is nil must not be called.
	Store     im.Store
	Accounts  accountStore      // im_open_login_svc (account.go)
	Groups    groupStore        // group_open_http_svc (group.go)
	GroupAdm  groupAdminStore   // group administration (group_admin.go)
	GroupAttr groupAttrStore    // group custom attributes (group_attr.go)
	GroupCnt  groupCounterStore // group counters (group_counter.go)
	History   historyStore      // open_msg_svc/get_history (history.go)
	Follows   followStore       // follow (follow.go)
	NoSpeak   noSpeakingStore   // openconfigsvr (nospeaking.go)
	GroupMsgs groupMsgStore     // group messages (groupmsg.go)
	MsgExts   msgExtStore       // message extensions (msgext.go)
	Topics    topicStore        // Community topics (topic.go)
	SNS       snsStore          // sns (sns.go)
	SNSMore   snsMoreStore      // sns blocklists, friend_update, friend_get_list (sns_black.go)
	Contacts  contactStore      // recentcontact (contact.go)
	Convs     conversationStore // recentcontact get_list and delete (conversation.go)
	Events    eventStore        // timd_callback (callback_mgmt.go)
	Ready     pinger            // GET /readyz (server.go)
	C2C       c2cStore          // openim (openim.go)
	States    stateStore        // querystate, kick, set_state (state.go)
	Push      pushStore         // all_member_push (push.go)
	Profiles  profileStore      // profile (profile.go)
	Runtime   runtimeAppStore   // timd_apps (apps.go)
	Objects   objectStore       // timd_control/list_objects (objects_list.go)
	Captures  captureStore      // timd_capture (capture.go)

	// AppWatcher, when not nil, learns the apps created and deleted while
	// timd runs (timd_apps).
	AppWatcher AppWatcher

	// Faults injects the faults of timd_fault (fault_svc.go) into REST
	// commands; nil: NewServer makes one, counting in Metrics. The callback
	// sender and Before share it to fault deliveries.
	Faults   *fault.Injector
	StateCtl stateCtlStore // timd_control state control (statectl.go)

	// IPList gives the addresses timd listens on, for ConfigSvc/GetIPList
	// (config_svc.go); nil answers an empty list.
	IPList func() []string

	Logger       *slog.Logger
	Metrics      *Metrics // nil: no metrics
	MaxBodyBytes int64    // zero: DefaultMaxBodyBytes
	// PublicURL, if set, is scheme://host clients reach timd at: the base
	// of the URLs replies hand out (Call.BaseURL), instead of the address
	// each call came to.
	PublicURL string
	// MaxInflightBytes bounds the request bodies being read or held at
	// once; a request that would pass it is answered 60007 without its
	// body being read. Zero means DefaultMaxInflightBytes; it is never
	// below MaxBodyBytes.
	MaxInflightBytes int64
	// RateLimit is the per-app, per-API limit in calls per second: RateTencent
	// for Tencent's documented figure of each API, RateOff for none.
	RateLimit int
	Now       func() time.Time // nil: time.Now
	// Clocks, when not nil, turns on time control (timd_clock): per-app
	// offsets from Now that the calls of an app see.
	Clocks *im.Clocks
	// RequestTimeout bounds one command's work, so a database that stops
	// answering turns into the internal code rather than a hung call.
	// Zero means DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Before runs synchronous before-callbacks; nil means none are sent.
	Before BeforeHook
}

// BeforeHook runs synchronous before-callbacks. It returns nil to let the
// operation go ahead, or an *im.Error to stop it (10016 for a rejection, or a
// code in 10100..10200 passed through with its ErrorInfo).
type BeforeHook interface {
	Before(ctx context.Context, app *im.App, clientIP string, cb im.Callback) error
}

// BeforeSendHook is implemented by a BeforeHook that can also send the
// before-send callbacks (C2C.CallbackBeforeSendMsg,
// Group.CallbackBeforeSendMsg), whose reply may also discard the message or
// rewrite it. An *im.Error refuses the message with its code (20006 or
// 120001..130000 one-to-one, 10016 or 10100..10200 group).
type BeforeSendHook interface {
	BeforeSend(ctx context.Context, app *im.App, clientIP string, cb im.Callback) (im.SendVerdict, error)
}

// DefaultMaxInflightBytes is the default of Options.MaxInflightBytes: 64
// request bodies of the default limit.
const DefaultMaxInflightBytes = 64 << 20

// DefaultRequestTimeout is the default of Options.RequestTimeout.
const DefaultRequestTimeout = 10 * time.Second

// Rate-limit modes for Options.RateLimit.
const (
	RateOff     = 0
	RateTencent = -1
)

// Server serves the REST API for a set of apps.
type Server struct {
	apps     *appSet
	runtime  runtimeAppStore
	objects  objectStore
	appWatch AppWatcher
	accounts accountStore
	groups   groupStore
	gadmin   groupAdminStore
	gattr    groupAttrStore
	gcount   groupCounterStore
	history  historyStore
	follows  followStore
	nospeak  noSpeakingStore
	gmsgs    groupMsgStore
	msgExts  msgExtStore
	topics   topicStore
	sns      snsStore
	snsMore  snsMoreStore
	contacts contactStore
	convs    conversationStore
	c2c      c2cStore
	states   stateStore
	push     pushStore
	ipList   func() []string
	profiles profileStore
	statectl stateCtlStore
	events   eventStore
	captures captureStore
	faults   *fault.Injector
	ready    pinger
	log      *slog.Logger
	metrics  *Metrics
	maxBody  int64
	// publicURL is Options.PublicURL: the base of handed-out URLs, "" for
	// each call's own address.
	publicURL string
	inflight  byteBudget
	timeout   time.Duration
	now       func() time.Time
	clocks    *im.Clocks // time control (timd_clock); nil: off
	verifier  *usersig.Verifier
	limiter   *rateLimiter
	gattrLim  *groupWriteLimiter
	before    BeforeHook
	routes    map[string]*route // by "service/command"
	// groupMemo holds get_group_info's encoded groups (group_info_memo.go).
	groupMemo *groupMemo
	// roamMemo holds admin_getroammsg's pages (openim_roam_memo.go).
	roamMemo *roamMemo
	// openapi is GET /openapi.json's document, built on first request.
	openapi struct {
		once sync.Once
		body []byte
		err  error
	}
}

// NewServer builds a Server from opts.
func NewServer(opts Options) *Server {
	opts.fillStores()
	s := &Server{
		apps:      newAppSet(opts.Apps),
		runtime:   opts.Runtime,
		objects:   opts.Objects,
		appWatch:  opts.AppWatcher,
		accounts:  opts.Accounts,
		groups:    opts.Groups,
		groupMemo: newGroupMemo(),
		roamMemo:  newRoamMemo(),
		gadmin:    opts.GroupAdm,
		gattr:     opts.GroupAttr,
		gcount:    opts.GroupCnt,
		history:   opts.History,
		follows:   opts.Follows,
		nospeak:   opts.NoSpeak,
		gmsgs:     opts.GroupMsgs,
		msgExts:   opts.MsgExts,
		topics:    opts.Topics,
		sns:       opts.SNS,
		snsMore:   opts.SNSMore,
		contacts:  opts.Contacts,
		convs:     opts.Convs,
		c2c:       opts.C2C,
		states:    opts.States,
		push:      opts.Push,
		ipList:    opts.IPList,
		profiles:  opts.Profiles,
		statectl:  opts.StateCtl,
		events:    opts.Events,
		captures:  opts.Captures,
		faults:    opts.Faults,
		ready:     opts.Ready,
		log:       opts.Logger,
		metrics:   opts.Metrics,
		maxBody:   opts.MaxBodyBytes,
		publicURL: strings.TrimSuffix(opts.PublicURL, "/"),
		timeout:   opts.RequestTimeout,
		now:       opts.Now,
		clocks:    opts.Clocks,
		before:    opts.Before,
		verifier:  usersig.NewVerifier(usersig.VerifierOptions{}),
		routes:    make(map[string]*route),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.faults == nil {
		var reg prometheus.Registerer
		if s.metrics != nil {
			reg = s.metrics.Registry()
		}
		s.faults = fault.New(reg, s.log)
	}
	if s.maxBody <= 0 {
		s.maxBody = DefaultMaxBodyBytes
	}
	s.inflight.max = opts.MaxInflightBytes
	if s.inflight.max <= 0 {
		s.inflight.max = DefaultMaxInflightBytes
	}
	s.inflight.max = max(s.inflight.max, s.maxBody) // one request always fits
	if s.timeout <= 0 {
		s.timeout = DefaultRequestTimeout
	}
	if s.now == nil {
		s.now = time.Now
	}
	for _, r := range s.routeTable() {
		r := r
		s.routes[r.service+"/"+r.command] = &r
	}
	s.limiter = newRateLimiter(opts.RateLimit)
	s.gattrLim = newGroupWriteLimiter(opts.RateLimit)
	return s
}

// fillStores sets each per-service store left nil to o.Store.
func (o *Options) fillStores() {
	st := o.Store
	if st == nil {
		return
	}
	fill(&o.Accounts, accountStore(st))
	fill(&o.Groups, groupStore(st))
	fill(&o.GroupAdm, groupAdminStore(st))
	fill(&o.GroupAttr, groupAttrStore(st))
	fill(&o.GroupCnt, groupCounterStore(st))
	fill(&o.History, historyStore(st))
	fill(&o.Follows, followStore(st))
	fill(&o.NoSpeak, noSpeakingStore(st))
	fill(&o.GroupMsgs, groupMsgStore(st))
	fill(&o.MsgExts, msgExtStore(st))
	fill(&o.Topics, topicStore(st))
	fill(&o.SNS, snsStore(st))
	fill(&o.SNSMore, snsMoreStore(st))
	fill(&o.Contacts, contactStore(st))
	fill(&o.Convs, conversationStore(st))
	fill(&o.C2C, c2cStore(st))
	fill(&o.States, stateStore(st))
	fill(&o.Push, pushStore(st))
	fill(&o.Events, eventStore(st))
	fill(&o.Profiles, profileStore(st))
	fill(&o.Ready, pinger(st))
	fill(&o.Runtime, runtimeAppStore(st))
	fill(&o.Objects, objectStore(st))
	fill(&o.Captures, captureStore(st))
	fill(&o.StateCtl, stateCtlStore(st))
}

// fill sets *dst to v when it is nil.
func fill[T comparable](dst *T, v T) {
	var zero T
	if *dst == zero {
		*dst = v
	}
}

// Handler returns the HTTP handler: GET /healthz, /readyz and, when metrics
// are on, /metrics; everything else is the REST API's, answered with a
// Tencent envelope (60009 outside /v4/).
func (s *Server) Handler() http.Handler {
	var metrics http.Handler
	if s.metrics != nil {
		metrics = s.metrics.Handler()
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			switch r.URL.Path {
			case "/healthz":
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				io.WriteString(w, "ok\n")
				return
			case "/readyz":
				s.serveReady(w, r)
				return
			case openAPIPath:
				s.serveOpenAPI(w)
				return
			case "/metrics":
				if metrics != nil {
					metrics.ServeHTTP(w, r)
					return
				}
			}
			if strings.HasPrefix(r.URL.Path, historyPath) {
				s.serveHistory(w, r)
				return
			}
		}
		s.serveREST(w, r)
	})
}

// pinger is what the readiness check may touch (Server.ready).
type pinger interface {
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
}

// serveReady answers 200 while the database answers, 503 otherwise.
func (s *Server) serveReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.ready.Ping(ctx); err != nil {
		s.log.Warn("readiness check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "database unavailable\n")
		return
	}
	io.WriteString(w, "ok\n")
}

// appNow is the time of app's calls: the real time, moved by the app's
// offset under time control.
func (s *Server) appNow(app *im.App) time.Time {
	return s.now().Add(s.clocks.Offset(app.SDKAppID))
}

// splitPath returns the service and command of /v4/{service}/{command},
// and of /timd/v1/{name}/{command}, timd's own APIs, which is
// /v4/timd_{name}/{command} under a path that says it is not Tencent's;
// v4 is false for any other path.
// route is the route of svc/cmd, nil when there is none.
func (s *Server) route(svc, cmd string) *route {
	var buf [64]byte
	return s.routes[string(routeKey(&buf, svc, cmd))]
}

// longPoll is how much longer than the request timeout rt's command may
// take (longPolls).
func longPoll(rt *route) time.Duration {
	var buf [64]byte
	return longPolls[string(routeKey(&buf, rt.service, rt.command))]
}

// routeKey is "service/command", the key of Server.routes, built in buf
// when it fits: a map lookup with it allocates nothing.
func routeKey(buf *[64]byte, svc, cmd string) []byte {
	return append(append(append(buf[:0], svc...), '/'), cmd...)
}

func splitPath(p string) (svc, cmd string, v4 bool) {
	if rest, ok := strings.CutPrefix(p, "/timd/v1/"); ok {
		svc, cmd, _ = strings.Cut(rest, "/")
		return "timd_" + svc, cmd, true
	}
	rest, ok := strings.CutPrefix(p, "/v4/")
	if !ok {
		return "", "", false
	}
	svc, cmd, _ = strings.Cut(rest, "/")
	return svc, cmd, true
}
