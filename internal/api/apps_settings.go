package api

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/timd/timd/internal/im"
)

// timd_apps/create's Callback and ProfileFields: a runtime app's callback
// settings beyond its URL and its custom profile fields, checked by the
// rules a config file's apps follow (im.ValidCallbackCommand,
// im.DecodeWebhookSecret, im.ValidProfileFieldName) within bounds a
// request can be held to. A setting left out takes its default.

// Bounds of create's Callback and ProfileFields.
const (
	maxCallbackToken     = 256 // bytes
	maxCallbackSecrets   = 8
	maxCallbackCommands  = 256
	maxCallbackTimeoutMs = 10 * 60 * 1000
	maxCallbackRetries   = 32
	maxCallbackRetryMs   = 30 * 24 * 60 * 60 * 1000
	maxCallbackLanes     = 256
	maxBeforeTimeoutMs   = 60 * 1000
	maxAppProfileFields  = 64
)

// callbackOf is the callback settings req asks for with url, every one
// left out at its default.
func callbackOf(url string, req *appCallbackReq) (im.CallbackConfig, error) {
	cb := im.CallbackConfig{URL: url}
	if req == nil {
		return cb.WithDefaults(), nil
	}
	if req.Token != nil {
		if len(*req.Token) > maxCallbackToken || strings.IndexByte(*req.Token, 0) >= 0 {
			return cb, invalidField("Callback", "Callback.Token must be at most 256 bytes without NUL")
		}
		cb.Token = *req.Token
	}
	if len(req.Secrets) > maxCallbackSecrets {
		return cb, invalidField("Callback", "Callback.Secrets holds at most 8 secrets")
	}
	for _, s := range req.Secrets {
		if _, err := im.DecodeWebhookSecret(s); err != nil {
			return cb, invalidField("Callback", "Callback.Secrets: "+err.Error())
		}
	}
	cb.Secret = slices.Clone(req.Secrets)
	if len(req.Commands) > maxCallbackCommands {
		return cb, invalidField("Callback", "Callback.Commands holds at most 256 commands")
	}
	for _, c := range req.Commands {
		if !im.ValidCallbackCommand(c) {
			return cb, invalidField("Callback", "Callback.Commands: "+c+" is not a callback command (Group.<name>, Sns.<name>, Profile.<name>, C2C.<name> or State.<name>)")
		}
	}
	cb.Commands = slices.Clone(req.Commands)
	if err := deliverySettings(&cb, req); err != nil {
		return cb, err
	}
	return cb.WithDefaults(), nil
}

// deliverySettings sets on cb req's timeouts, retry schedule, concurrency
// and failure rule.
func deliverySettings(cb *im.CallbackConfig, req *appCallbackReq) error {
	var err error
	if cb.Timeout, err = millis("Callback.TimeoutMs", req.TimeoutMs, 1, maxCallbackTimeoutMs); err != nil {
		return err
	}
	if cb.BeforeTimeout, err = millis("Callback.BeforeTimeoutMs", req.BeforeTimeoutMs, 1, maxBeforeTimeoutMs); err != nil {
		return err
	}
	if req.RetryMs != nil && (len(req.RetryMs) == 0 || len(req.RetryMs) > maxCallbackRetries) {
		return invalidField("Callback", "Callback.RetryMs lists 1 to 32 delays")
	}
	for _, ms := range req.RetryMs {
		d, err := millis("Callback.RetryMs", &ms, 0, maxCallbackRetryMs)
		if err != nil {
			return err
		}
		cb.Retry = append(cb.Retry, d)
	}
	if req.Concurrency != nil {
		if *req.Concurrency < 1 || *req.Concurrency > maxCallbackLanes {
			return invalidField("Callback", "Callback.Concurrency must be from 1 to 256")
		}
		cb.Concurrency = int(*req.Concurrency)
	}
	if req.OnFailure != nil {
		switch *req.OnFailure {
		case "allow":
		case "reject":
			cb.RejectOnFailure = true
		default:
			return invalidField("Callback", "Callback.OnFailure must be allow or reject")
		}
	}
	return nil
}

// millis is *ms milliseconds, checked to lie from lo to hi; 0 (the
// default) when ms is nil.
func millis(name string, ms *int64, lo, hi int64) (time.Duration, error) {
	if ms == nil {
		return 0, nil
	}
	if *ms < lo || *ms > hi {
		return 0, invalidField("Callback", name+" must be from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10))
	}
	return time.Duration(*ms) * time.Millisecond, nil
}

// profileFieldsOf is the custom profile fields req declares.
func profileFieldsOf(req []appProfileField) ([]im.ProfileField, error) {
	if len(req) > maxAppProfileFields {
		return nil, invalidField("ProfileFields", "ProfileFields declares at most 64 fields")
	}
	var out []im.ProfileField
	seen := map[string]bool{}
	for _, f := range req {
		if !im.ValidProfileFieldName(f.Name) || seen[f.Name] {
			return nil, invalidField("ProfileFields", "ProfileFields: each Name must be distinct, 1 to 8 bytes of A-Z a-z 0-9 _")
		}
		seen[f.Name] = true
		pf := im.ProfileField{Name: f.Name, Type: im.ProfileFieldType(f.Type), MaxBytes: f.MaxLength}
		switch pf.Type {
		case "", im.ProfileFieldString:
			pf.Type = im.ProfileFieldString
			if f.MaxLength < 0 || f.MaxLength > im.MaxProfileValueBytes {
				return nil, invalidField("ProfileFields", "ProfileFields: a string field's MaxLength must be from 1 to 500 (0: 500)")
			}
		case im.ProfileFieldInteger:
			if f.MaxLength != 0 {
				return nil, invalidField("ProfileFields", "ProfileFields: an integer field has no MaxLength")
			}
		default:
			return nil, invalidField("ProfileFields", "ProfileFields: Type must be string or integer")
		}
		out = append(out, pf)
	}
	return out, nil
}
