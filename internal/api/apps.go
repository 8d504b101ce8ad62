package api

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"

	"github.com/timd/timd/internal/im"
	"github.com/timd/timd/internal/usersig"
)

// timd_apps: apps created and deleted while timd runs, so that each test
// of a suite can have an app of its own (docs/control-apps.md). Any app
// whose control plane is on may call them; the apps they create are
// stored with the data and served by every instance on the database.

// runtimeAppStore is what timd_apps may touch (Server.runtime); the
// methods and their codes are im.RuntimeAppService's.
type runtimeAppStore interface {
	CreateApp(ctx context.Context, app *im.App, taken func(uint64) bool) error
	RuntimeApps(ctx context.Context) ([]*im.App, error)
	RuntimeApp(ctx context.Context, sdkappid uint64) (*im.App, error)
	DeleteApp(ctx context.Context, sdkappid uint64) error
}

// Bounds of timd_apps/create's fields.
const (
	maxAppID        = 1<<32 - 1 // SDKAppIDs are 32-bit
	maxSecretKey    = 256       // bytes
	maxRuntimeAdmin = 16
	appSigExpire    = 24 * 60 * 60 // the UserSig create answers: 24 h
)

type appCreateReq struct {
	SdkAppId      *int64
	SecretKey     *string
	Admins        []string
	Edition       *string
	CallbackURL   *string
	Callback      *appCallbackReq
	ProfileFields []appProfileField
	Control       *bool
}

// appCallbackReq is create's Callback: the settings of the app's callbacks
// beyond CallbackURL, those of a config file's callback block, each left
// out for its default.
type appCallbackReq struct {
	Token           *string
	Secrets         []string
	Commands        []string
	TimeoutMs       *int64
	RetryMs         []int64
	Concurrency     *int64
	BeforeTimeoutMs *int64
	OnFailure       *string
}

// appCallbackInfo is an app's callback settings in replies, every one in
// force (defaults filled in); Token and Secrets for runtime apps only.
type appCallbackInfo struct {
	Token           string   `json:",omitempty"`
	Secrets         []string `json:",omitempty"`
	Commands        []string // [] for all
	TimeoutMs       int64
	RetryMs         []int64
	Concurrency     int
	BeforeTimeoutMs int64
	OnFailure       string // allow or reject
}

// appProfileField declares a custom profile field (Tag_Profile_Custom_<Name>):
// Type string (the default) or integer, MaxLength 1 to 500 bytes for a
// string (0: 500).
type appProfileField struct {
	Name      string
	Type      string
	MaxLength int
}

type appDeleteReq struct {
	SdkAppId *int64
}

// appInfo is one app in timd_apps replies; SecretKey (and the callback's
// Token and Secrets) are given for runtime apps only.
type appInfo struct {
	SdkAppId      uint64
	Configured    bool
	SecretKey     string `json:",omitempty"`
	Admins        []string
	Edition       string
	CallbackURL   string
	Callback      appCallbackInfo
	ProfileFields []appProfileField
	Control       bool
}

type appCreateResp struct {
	appInfo
	Identifier string // the first admin
	UserSig    string // the first admin's, valid 24 h
}

type appListResp struct {
	Apps []appInfo
}

func infoOf(a *im.App, configured bool) appInfo {
	cb := a.Callback.WithDefaults()
	i := appInfo{SdkAppId: a.SDKAppID, Configured: configured, Admins: a.Admins,
		Edition: string(a.Edition), CallbackURL: a.Callback.URL, Control: a.Control,
		Callback: appCallbackInfo{Commands: cb.Commands, TimeoutMs: cb.Timeout.Milliseconds(),
			Concurrency: cb.Concurrency, BeforeTimeoutMs: cb.BeforeTimeout.Milliseconds(), OnFailure: "allow"},
		ProfileFields: []appProfileField{}}
	if i.Callback.Commands == nil {
		i.Callback.Commands = []string{}
	}
	for _, d := range cb.Retry {
		i.Callback.RetryMs = append(i.Callback.RetryMs, d.Milliseconds())
	}
	if cb.RejectOnFailure {
		i.Callback.OnFailure = "reject"
	}
	for _, f := range a.ProfileFields {
		i.ProfileFields = append(i.ProfileFields, appProfileField{Name: f.Name, Type: string(f.Type), MaxLength: f.MaxBytes})
	}
	if !configured {
		i.SecretKey, i.Callback.Token, i.Callback.Secrets = a.SecretKey, cb.Token, cb.Secret
	}
	return i
}

// appsCreate stores a new app and serves it at once.
func (s *Server) appsCreate(ctx context.Context, c *Call, req *appCreateReq) (*appCreateResp, error) {
	app, err := s.newRuntimeApp(req)
	if err != nil {
		return nil, err
	}
	if s.apps.isConfigured(app.SDKAppID) {
		return nil, im.Errorf(im.CodeMgmtInvalid, "app %d is configured: it cannot be replaced", app.SDKAppID)
	}
	taken := func(id uint64) bool { return s.apps.isConfigured(id) || s.apps.get(id) != nil }
	if err := s.runtime.CreateApp(ctx, app, taken); err != nil {
		return nil, err
	}
	s.addApp(app)
	s.log.Info("runtime app created", "sdkappid", app.SDKAppID, "by", c.App.SDKAppID)
	sig, err := usersig.Gen(app.SDKAppID, app.SecretKey, app.Admins[0], appSigExpire, s.now())
	if err != nil {
		return nil, err
	}
	return &appCreateResp{appInfo: infoOf(app, false), Identifier: app.Admins[0], UserSig: sig}, nil
}

// newRuntimeApp checks a create request and fills in its defaults.
func (s *Server) newRuntimeApp(req *appCreateReq) (*im.App, error) {
	app := &im.App{Admins: req.Admins, Edition: im.EditionUltimate, Control: true}
	if req.SdkAppId != nil {
		if *req.SdkAppId <= 0 || *req.SdkAppId > maxAppID {
			return nil, invalidField("SdkAppId", "SdkAppId must be from 1 to 4294967295")
		}
		app.SDKAppID = uint64(*req.SdkAppId)
	}
	key, err := secretKeyOf(req.SecretKey)
	if err != nil {
		return nil, err
	}
	app.SecretKey = key
	if req.Admins == nil {
		app.Admins = []string{"administrator"}
	}
	if err := checkAdmins(app.Admins); err != nil {
		return nil, err
	}
	if req.Edition != nil {
		if app.Edition = im.Edition(*req.Edition); !app.Edition.Valid() {
			return nil, invalidField("Edition", "Edition must be ultimate, pro or standard")
		}
	}
	if req.CallbackURL != nil {
		// internal captures the app's callbacks (timd_capture).
		if u, err := url.Parse(*req.CallbackURL); *req.CallbackURL != "" && *req.CallbackURL != im.CaptureURL &&
			(err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
			return nil, invalidField("CallbackURL", "CallbackURL must be an http:// or https:// URL, or internal to capture callbacks")
		}
		app.Callback.URL = *req.CallbackURL
	}
	if app.Callback, err = callbackOf(app.Callback.URL, req.Callback); err != nil {
		return nil, err
	}
	if app.ProfileFields, err = profileFieldsOf(req.ProfileFields); err != nil {
		return nil, err
	}
	if req.Control != nil {
		app.Control = *req.Control
	}
	return app, nil
}

// secretKeyOf is the key asked for, or a random 64-hex-digit one.
func secretKeyOf(key *string) (string, error) {
	if key == nil || *key == "" {
		var b [32]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:]), nil
	}
	if len(*key) > maxSecretKey || strings.IndexByte(*key, 0) >= 0 {
		return "", invalidField("SecretKey", "SecretKey must be at most 256 bytes without NUL")
	}
	return *key, nil
}

// checkAdmins requires 1 to 16 distinct valid identifiers.
func checkAdmins(admins []string) error {
	if len(admins) == 0 || len(admins) > maxRuntimeAdmin {
		return invalidField("Admins", "Admins must list 1 to 16 identifiers")
	}
	seen := map[string]bool{}
	for _, a := range admins {
		if !im.ValidUserID(a) || seen[a] {
			return invalidField("Admins", "Admins must be distinct identifiers of 1 to 32 printable ASCII bytes")
		}
		seen[a] = true
	}
	return nil
}

// appsDelete deletes a runtime app with all its data.
func (s *Server) appsDelete(ctx context.Context, c *Call, req *appDeleteReq) (*struct{}, error) {
	if req.SdkAppId == nil || *req.SdkAppId <= 0 || *req.SdkAppId > maxAppID {
		return nil, invalidField("SdkAppId", "SdkAppId (from 1 to 4294967295) is required")
	}
	id := uint64(*req.SdkAppId)
	if s.apps.isConfigured(id) {
		return nil, im.Errorf(im.CodeMgmtInvalid, "app %d is configured: it cannot be deleted", id)
	}
	if err := s.runtime.DeleteApp(ctx, id); err != nil {
		return nil, err
	}
	s.removeApp(id)
	s.log.Info("runtime app deleted", "sdkappid", id, "by", c.App.SDKAppID)
	return &struct{}{}, nil
}

// appsList lists the configured apps (without their keys) and the stored
// runtime apps, in SDKAppID order within each.
func (s *Server) appsList(ctx context.Context, c *Call, req *struct{}) (*appListResp, error) {
	stored, err := s.runtime.RuntimeApps(ctx)
	if err != nil {
		return nil, err
	}
	resp := &appListResp{Apps: []appInfo{}}
	for _, a := range s.apps.all() {
		if s.apps.isConfigured(a.SDKAppID) {
			resp.Apps = append(resp.Apps, infoOf(a, true))
		}
	}
	sortApps(resp.Apps)
	for _, a := range stored {
		if !s.apps.isConfigured(a.SDKAppID) {
			resp.Apps = append(resp.Apps, infoOf(a, false))
		}
	}
	return resp, nil
}

func sortApps(apps []appInfo) {
	slices.SortFunc(apps, func(a, b appInfo) int { return cmp.Compare(a.SdkAppId, b.SdkAppId) })
}
