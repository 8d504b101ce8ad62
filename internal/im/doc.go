// Package im holds timd's domain: the types, service interfaces and errors of
// the Tencent Cloud Chat model that timd serves. It imports only the standard
// library; the wire layer (api), the storage layer (sqlstore) and the callback
// sender depend on it, never the other way round.
package im
