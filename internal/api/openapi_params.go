package api

// The common query parameters of every command, and the endpoints that are
// not commands (server.go's Handler), as /openapi.json describes them.

// queryParameters are the query parameters of every command, by name
// (rest.go's authorize reads them).
func queryParameters() jsonSchema {
	return jsonSchema{
		"sdkappid": jsonSchema{"name": "sdkappid", "in": "query", "required": true,
			"description": "The app's SDKAppID, in decimal without leading zeros (60012 missing, 60006 not an app of this server).",
			"schema":      jsonSchema{"type": "integer", "minimum": 1}},
		"identifier": jsonSchema{"name": "identifier", "in": "query", "required": true,
			"description": "An app admin's UserID (60004 missing, 60010 not an admin).",
			"schema":      jsonSchema{"type": "string", "minLength": 1}},
		"usersig": jsonSchema{"name": "usersig", "in": "query", "required": true,
			"description": "A UserSig of the identifier, signed with the app's secret key (70001..70050 when it does not verify).",
			"schema":      jsonSchema{"type": "string"}},
		"random": jsonSchema{"name": "random", "in": "query",
			"description": "A random 32-bit unsigned integer identifying the request; not checked.",
			"schema":      jsonSchema{"type": "integer", "minimum": 0, "maximum": uint32(4294967295)}},
		"contenttype": jsonSchema{"name": "contenttype", "in": "query",
			"description": "Always json; not checked.",
			"schema":      jsonSchema{"type": "string", "enum": []string{"json"}}},
	}
}

// queryParameterRefs refers an operation to every common query parameter.
func queryParameterRefs() []jsonSchema {
	var out []jsonSchema
	for _, n := range []string{"sdkappid", "identifier", "usersig", "random", "contenttype"} {
		out = append(out, jsonSchema{"$ref": "#/components/parameters/" + n})
	}
	return out
}

// plainEndpoints adds the health, readiness, metrics and document
// endpoints to paths.
func plainEndpoints(paths jsonSchema) {
	text := func(desc string) jsonSchema {
		return jsonSchema{"description": desc,
			"content": jsonSchema{"text/plain": jsonSchema{"schema": jsonSchema{"type": "string"}}}}
	}
	paths["/healthz"] = jsonSchema{"get": jsonSchema{
		"operationId": "healthz", "tags": []string{"operations"},
		"summary":   "Liveness: answers while the process serves",
		"responses": jsonSchema{"200": text("ok")},
	}}
	paths["/readyz"] = jsonSchema{"get": jsonSchema{
		"operationId": "readyz", "tags": []string{"operations"},
		"summary": "Readiness: answers 200 while the database answers, 503 otherwise",
		"responses": jsonSchema{
			"200": text("ok"),
			"503": text("database unavailable"),
		},
	}}
	paths["/metrics"] = jsonSchema{"get": jsonSchema{
		"operationId": "metrics", "tags": []string{"operations"},
		"summary":     "Prometheus metrics",
		"description": "Served when metrics are on; otherwise the path is answered as an unknown REST resource (60009).",
		"responses":   jsonSchema{"200": text("Prometheus text exposition format")},
	}}
	str := func(name, in, desc string) jsonSchema {
		return jsonSchema{"name": name, "in": in, "required": true, "description": desc, "schema": jsonSchema{"type": "string"}}
	}
	paths[historyPath+"{sdkappid}/{ChatType}/{MsgTime}.gz"] = jsonSchema{"get": jsonSchema{
		"operationId": "history_download", "tags": []string{"open_msg_svc"},
		"summary": "A file open_msg_svc/get_history handed out: the URL it answered, whose signature and expiry stand in for a UserSig",
		"parameters": []jsonSchema{
			str("sdkappid", "path", "the app"), str("ChatType", "path", "C2C or Group"),
			str("MsgTime", "path", "the hour, YYYYMMDDHH in Beijing time"),
			str("expires", "query", "unix seconds the URL is good until"), str("sig", "query", "the URL's signature"),
		},
		"responses": jsonSchema{
			"200": jsonSchema{"description": "the gzipped file, as get_history's GzipSize and GzipMD5 describe",
				"content": jsonSchema{"application/gzip": jsonSchema{"schema": jsonSchema{"type": "string", "format": "binary"}}}},
			"403": text("the signature does not verify or has expired: ask get_history again"),
			"404": text("no such app or file, or the hour has no message (get_history's 1004)"),
			"410": text("the hour ended more than 7 days ago (get_history's 1005)"),
		},
	}}
	paths[openAPIPath] = jsonSchema{"get": jsonSchema{
		"operationId": "openapi", "tags": []string{"operations"},
		"summary": "This OpenAPI 3.1 document",
		"responses": jsonSchema{"200": jsonSchema{"description": "the document",
			"content": jsonSchema{"application/json": jsonSchema{"schema": jsonSchema{"type": "object"}}}}},
	}}
}
