package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// This file is the only place that turns results and errors into Tencent's
// reply envelope. Every reply is HTTP 200 with ActionStatus, ErrorInfo and
// ErrorCode (a JSON number); sns and recentcontact replies add ErrorDisplay.

// Call is what a handler knows about the request beyond its body: the app it
// is for, the admin identifier that made it and the caller's IP.
type Call struct {
	App        *im.App
	Identifier string
	// ClientIP is the host of the connection's remote address; headers such
	// as X-Forwarded-For are not trusted. "" if the address has no host.
	ClientIP string
	// BaseURL is scheme://host the call came to, for the URLs a reply
	// hands out (get_history's downloads).
	BaseURL string
}

// callFunc decodes a request body, runs the command and returns its reply
// fields (a struct without the envelope) or an error.
type callFunc func(ctx context.Context, c *Call, body []byte) (any, error)

// handler is a command's callFunc with the Go types of its request and
// reply fields, from which /openapi.json describes the command (openapi.go).
type handler struct {
	call      callFunc
	req, resp reflect.Type
}

// rpc adapts a typed handler to a callFunc: the one generic
// decode → call path every command goes through. Handlers never see the HTTP
// request or response.
func rpc[Req, Resp any](fn func(ctx context.Context, c *Call, req *Req) (*Resp, error)) handler {
	return handler{call: rpcCall(fn), req: reflect.TypeFor[Req](), resp: reflect.TypeFor[Resp]()}
}

func rpcCall[Req, Resp any](fn func(ctx context.Context, c *Call, req *Req) (*Resp, error)) callFunc {
	return func(ctx context.Context, c *Call, body []byte) (any, error) {
		var req Req
		if err := decode(body, &req); err != nil {
			return nil, err
		}
		resp, err := fn(ctx, c, &req)
		if err != nil || resp == nil {
			return nil, err
		}
		return resp, nil
	}
}

// paramError is an invalid request field. The wire layer answers it with the
// invalid-parameter code of the service it happened in, or the code the
// service gives that field (service.fieldCodes).
type paramError struct {
	info  string
	field string // top-level request field at fault, "" if not known
}

func (e *paramError) Error() string { return e.info }

// invalidParam reports a missing, mistyped or out-of-range field.
func invalidParam(info string) error { return &paramError{info: info} }

// invalidField reports that field (a top-level request key) is missing,
// mistyped or out of range.
func invalidField(field, info string) error { return &paramError{info: info, field: field} }

// decode parses a JSON body leniently: unknown fields are ignored and null
// leaves a field at its zero value. An empty body is {}. Text that is not
// JSON is 60003; JSON of the wrong shape is an invalid parameter. Keys name
// fields exactly, as on Tencent: a key that differs from a field's name only
// by case is an unknown field (decode.go).
func decode(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	body = strictKeys(body, shapeOf(reflect.TypeOf(v)))
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	if errors.As(err, &syn) || !json.Valid(body) {
		return im.Errorf(im.CodeJSONParse, "request body is not valid JSON: %v", err)
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		field := typ.Field
		if field == "" {
			field = "body"
		}
		top, _, _ := strings.Cut(field, ".")
		return invalidField(top, field+": wrong JSON type "+typ.Value)
	}
	return invalidParam(err.Error())
}

// service describes the codes a Tencent service answers with.
type service struct {
	invalid        int  // code for an invalid parameter
	internal       int  // code for an internal failure
	unknownCommand int  // code for an unknown command under this service
	errorDisplay   bool // replies carry ErrorDisplay
	// timeout is the code for a request that ran out of time, for a
	// service that documents one (50005 recentcontact); 0 means internal.
	timeout int
	// jsonParse is the code for a body that is not JSON, for a service
	// whose pages give its own (90001 openim); 0 means 60003.
	jsonParse int
	// fieldCodes are the codes a service's pages give for a missing or
	// mistyped field, by top-level field name (openim: To_Account 90003,
	// MsgRandom 90005, ...); a field not listed gets invalid.
	fieldCodes map[string]int
	// control marks a service of the emulator control plane: answered
	// only for an app whose Control is on (TIMD_CONTROL).
	control bool
}

// outcome resolves err into the code and info put on the wire. internal
// reports that err was not a domain error, so its detail belongs in the log
// and not on the wire.
func (s service) outcome(err error) (code int, info string, internal bool) {
	if err == nil {
		return 0, "", false
	}
	return s.failure(err)
}

// failure is outcome for an error: apart, so that a call that succeeds
// does not allocate the targets of errors.As.
func (s service) failure(err error) (code int, info string, internal bool) {
	var ie *im.Error
	var pe *paramError
	switch {
	case errors.As(err, &ie) && ie.Code == im.CodeJSONParse && s.jsonParse != 0:
		return s.jsonParse, ie.Info, false
	case errors.As(err, &ie):
		return ie.Code, ie.Info, false
	case errors.As(err, &pe) && s.fieldCodes[pe.field] != 0:
		return s.fieldCodes[pe.field], pe.info, false
	case errors.As(err, &pe):
		return s.invalid, pe.info, false
	case errors.Is(err, context.DeadlineExceeded) && s.timeout != 0:
		return s.timeout, "request timed out, please retry later", true
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return s.internal, "request timed out, please retry", true
	default:
		return s.internal, "internal server error, please retry", true
	}
}

// envelope renders a reply: the envelope fields first, then fields (a struct
// of the command's reply fields, or nil).
func (s service) envelope(code int, info string, fields any) ([]byte, error) {
	return s.appendEnvelope(make([]byte, 0, 128), code, info, fields)
}

// appendEnvelope appends the reply envelope renders to b.
func (s service) appendEnvelope(b []byte, code int, info string, fields any) ([]byte, error) {
	if code == 0 {
		b = append(b, `{"ActionStatus":"OK","ErrorInfo":`...)
	} else {
		b = append(b, `{"ActionStatus":"FAIL","ErrorInfo":`...)
	}
	b = appendJSONString(b, info)
	b = append(b, `,"ErrorCode":`...)
	b = strconv.AppendInt(b, int64(code), 10)
	if s.errorDisplay {
		b = append(b, `,"ErrorDisplay":""`...)
	}
	if r, ok := fields.(objectReply); ok {
		// Written directly: json.Marshal would validate and copy the
		// objects' bytes once more.
		for _, m := range r.replyObject() {
			b = append(appendJSONString(append(b, ','), m.key), ':')
			var err error
			if b, err = appendJSONValue(b, m.value); err != nil {
				return nil, err
			}
		}
	} else if fields != nil {
		f, err := json.Marshal(fields)
		if err != nil {
			return nil, err
		}
		// f is a JSON object: splice its members after the envelope's.
		if len(f) > 2 {
			b = append(append(b, ','), f[1:len(f)-1]...)
		}
	}
	return append(b, '}'), nil
}
