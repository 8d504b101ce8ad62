package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

// GET /openapi.json: an OpenAPI 3.1 document of every command of the route
// table (docs/openapi.md). Paths, operations and schemas are derived from
// the route table and the Go request and reply types (openapi_schema.go);
// commandDocs (openapi_commands.go) adds what reflection cannot know.

// openAPIPath is where the document is served.
const openAPIPath = "/openapi.json"

// restCodes are the codes the REST layer answers before any command runs
// (rest.go, decisions.md §1.3), for every command.
var restCodes = []int{
	im.CodeHTTPParse, im.CodeIdentifierError, im.CodeSDKAppIDInvalid, im.CodeRateLimited,
	im.CodeAdminRequired, im.CodeSDKAppIDMissing,
	im.CodeSigExpired, im.CodeSigEmpty, im.CodeSigMalformed, im.CodeSigKeyMismatch,
	im.CodeSigIdentifier, im.CodeSigSDKAppID, im.CodeSigLocked,
}

// serveOpenAPI writes the document, built once.
func (s *Server) serveOpenAPI(w http.ResponseWriter) {
	s.openapi.once.Do(func() {
		// A command commandDocs misses is still in the document, without
		// its summary and required fields (TestOpenAPI_EveryRoute fails).
		doc, err := openAPIDocument((&Server{}).routeTable())
		if err != nil {
			s.log.Warn("openapi document incomplete", "err", err)
		}
		s.openapi.body, s.openapi.err = json.Marshal(doc)
	})
	if s.openapi.err != nil {
		s.log.Error("openapi document", "err", s.openapi.err)
		http.Error(w, "the OpenAPI document could not be built", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(s.openapi.body)))
	w.Write(s.openapi.body)
}

// openAPIDocument builds the document for the route table. Every route is
// in it; err reports the routes commandDocs does not describe or describes
// with fields their types do not have.
func openAPIDocument(table []route) (jsonSchema, error) {
	paths := jsonSchema{}
	schemas := jsonSchema{}
	var errs []error
	tags := map[string]bool{}
	for _, r := range table {
		op, err := operation(r, schemas)
		errs = append(errs, err)
		tags[r.service] = true
		paths["/v4/"+r.service+"/"+r.command] = jsonSchema{"post": op}
		if name, ok := strings.CutPrefix(r.service, "timd_"); ok {
			v1 := maps.Clone(op)
			v1["operationId"] = "timd.v1." + name + "." + r.command
			paths["/timd/v1/"+name+"/"+r.command] = jsonSchema{"post": v1}
		}
	}
	plainEndpoints(paths)
	tags["operations"] = true
	var tagList []jsonSchema
	for _, t := range slices.Sorted(maps.Keys(tags)) {
		tagList = append(tagList, jsonSchema{"name": t})
	}
	doc := jsonSchema{
		"openapi": "3.1.0",
		"info": jsonSchema{
			"title":       "timd: Tencent Cloud Chat server REST API",
			"version":     "v4",
			"description": docDescription,
		},
		"servers":    []jsonSchema{{"url": "/"}},
		"tags":       tagList,
		"paths":      paths,
		"components": jsonSchema{"schemas": schemas, "parameters": queryParameters()},
	}
	return doc, errors.Join(errs...)
}

const docDescription = "Every command is POST /v4/{service}/{command} with the query parameters " +
	"sdkappid, identifier (an app admin), usersig, random and contenttype=json, and a JSON body. " +
	"Every reply is HTTP 200 with the envelope ActionStatus (OK or FAIL), ErrorInfo and ErrorCode " +
	"(0 on success), plus ErrorDisplay for the services that have it; the reply's own fields " +
	"follow on success. Request keys are matched exactly, case included; unknown keys are ignored. " +
	"timd's own services (timd_*) are also served under /timd/v1/{name}/{command}. " +
	"Generated from timd's route table and request and reply types (docs/openapi.md)."

// operation describes route r, adding its request and reply schemas to
// schemas.
func operation(r route, schemas jsonSchema) (jsonSchema, error) {
	key := r.service + "/" + r.command
	doc, documented := commandDocs[key]
	var err error
	if !documented {
		err = fmt.Errorf("%s has no entry in commandDocs (internal/api/openapi_commands.go); add one:\n\t%q: {summary: \"...\", required: []string{...}},", key, key)
	}
	svc := services[r.service]
	name := r.service + "." + r.command
	req, rerr := requestSchema(r.h, doc)
	if rerr != nil {
		err = errors.Join(err, fmt.Errorf("%s: commandDocs entry: %w", key, rerr))
	}
	schemas[name+".Request"] = req
	schemas[name+".Reply"] = replySchema(r.h, svc)
	codes := commandCodes(svc, doc)
	desc := fmt.Sprintf("Rate limit: %d calls per second per app (Tencent's figure). Error codes: %s.",
		r.perSec, joinInts(codes))
	for _, rg := range doc.ranges {
		desc += fmt.Sprintf(" Also any code from %d to %d that the app's before-callback refuses with.", rg[0], rg[1])
	}
	if svc.control {
		desc += " Part of timd's control plane: answered only for an app with TIMD_CONTROL on, 60009 otherwise."
	}
	op := jsonSchema{
		"operationId": r.service + "." + r.command,
		"tags":        []string{r.service},
		"summary":     doc.summary,
		"description": desc,
		"parameters":  queryParameterRefs(),
		"requestBody": jsonSchema{"content": jsonSchema{"application/json": jsonSchema{
			"schema": jsonSchema{"$ref": "#/components/schemas/" + name + ".Request"}}}},
		"responses": jsonSchema{"200": jsonSchema{
			"description": "The envelope, with the reply's fields on success. HTTP status is always 200: the outcome is ErrorCode.",
			"content": jsonSchema{"application/json": jsonSchema{
				"schema": jsonSchema{"$ref": "#/components/schemas/" + name + ".Reply"}}}}},
		"x-tencent-error-codes": codes,
		"x-timd-rate-limit":     r.perSec,
	}
	if len(doc.ranges) > 0 {
		ranges := make([][]int, len(doc.ranges))
		for i, rg := range doc.ranges {
			ranges[i] = []int{rg[0], rg[1]}
		}
		op["x-tencent-error-code-ranges"] = ranges
	}
	return op, err
}

// requestSchema is the schema of h's request body with doc's required
// fields and enumerations.
func requestSchema(h handler, doc commandDoc) (jsonSchema, error) {
	s := newSchemaGen(modeRequest).schema(h.req)
	var errs []error
	for _, path := range doc.required {
		errs = append(errs, require(s, path))
	}
	errs = append(errs, requireAny(s, doc.anyOf))
	for _, path := range slices.Sorted(maps.Keys(doc.enums)) {
		fs, err := at(s, path)
		if err != nil {
			errs = append(errs, fmt.Errorf("enum %q: %w", path, err))
			continue
		}
		fs = elements(fs)
		fs["enum"] = doc.enums[path]
	}
	return s, errors.Join(errs...)
}

// requireAny has s require at least one field of each set.
func requireAny(s jsonSchema, sets [][]string) error {
	var all []jsonSchema
	for _, set := range sets {
		var alts []jsonSchema
		for _, f := range set {
			if _, err := at(s, f); err != nil {
				return fmt.Errorf("anyOf %q: %w", f, err)
			}
			alts = append(alts, jsonSchema{"required": []string{f}})
		}
		all = append(all, jsonSchema{"anyOf": alts})
	}
	if len(all) > 0 {
		s["allOf"] = all
	}
	return nil
}

// replySchema is the schema of a reply of h: the envelope, and on success
// the reply's fields, required as reflection finds them.
func replySchema(h handler, svc service) jsonSchema {
	s := newSchemaGen(modeReply).schema(h.resp)
	props, _ := s["properties"].(jsonSchema)
	if props == nil {
		props = jsonSchema{}
	}
	props["ActionStatus"] = jsonSchema{"type": "string", "enum": []string{"OK", "FAIL"}}
	props["ErrorInfo"] = jsonSchema{"type": "string"}
	props["ErrorCode"] = jsonSchema{"type": "integer", "description": "0 on success"}
	envelope := []string{"ActionStatus", "ErrorInfo", "ErrorCode"}
	if svc.errorDisplay {
		props["ErrorDisplay"] = jsonSchema{"type": "string"}
		envelope = append(envelope, "ErrorDisplay")
	}
	out := jsonSchema{"type": "object", "properties": props, "required": envelope}
	if fields, ok := s["required"].([]string); ok {
		out["if"] = jsonSchema{"properties": jsonSchema{"ActionStatus": jsonSchema{"const": "OK"}}}
		out["then"] = jsonSchema{"required": fields}
	}
	return out
}

// commandCodes lists the codes a command can answer: the REST layer's, its
// service's and its own, in order.
func commandCodes(svc service, doc commandDoc) []int {
	codes := slices.Clone(restCodes)
	parse := im.CodeJSONParse
	if svc.jsonParse != 0 {
		parse = svc.jsonParse
	}
	codes = append(codes, parse, svc.invalid, svc.internal)
	if svc.timeout != 0 {
		codes = append(codes, svc.timeout)
	}
	if svc.control {
		codes = append(codes, im.CodeUnknownResource)
	}
	codes = append(codes, slices.Collect(maps.Values(svc.fieldCodes))...)
	codes = append(codes, doc.codes...)
	codes = slices.DeleteFunc(codes, func(c int) bool { return c == 0 }) // a service without one
	slices.Sort(codes)
	return slices.Compact(codes)
}

func joinInts(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
