package im

import (
	"errors"
	"fmt"
)

// Error is the one error type of timd's domain. Code is the Tencent ErrorCode
// the caller sees on the wire and Info its ErrorInfo. Any error that is not an
// *Error is internal: the wire layer answers it with the service's internal
// code and logs the detail.
type Error struct {
	Code int
	Info string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("timd error %d: %s", e.Code, e.Info) }

// Errorf returns an *Error with the given code and a formatted ErrorInfo.
func Errorf(code int, format string, args ...any) *Error {
	return &Error{Code: code, Info: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the Tencent code carried by err: 0 for nil, the code of an
// *Error anywhere in the chain, and -1 for any other (internal) error.
func ErrorCode(err error) int {
	if err == nil {
		return 0
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return -1
}

// Tencent error codes timd answers. The names follow the meaning in Tencent's
// error tables; the numbers are the wire contract.
const (
	// REST layer (60xxx).
	CodeHTTPParse       = 60002 // method, URL or body size unacceptable
	CodeJSONParse       = 60003 // request body is not JSON
	CodeIdentifierError = 60004 // identifier missing
	CodeSDKAppIDInvalid = 60006 // sdkappid is not a configured app
	CodeRateLimited     = 60007 // per-app, per-API rate limit exceeded
	CodeUnknownResource = 60009 // unknown service or command
	CodeAdminRequired   = 60010 // identifier is not an app admin
	CodeSDKAppIDMissing = 60012 // sdkappid missing

	// UserSig and accounts (70xxx).
	CodeSigExpired      = 70001
	CodeSigEmpty        = 70002
	CodeSigMalformed    = 70003
	CodeSigKeyMismatch  = 70009
	CodeSigIdentifier   = 70013
	CodeSigSDKAppID     = 70014
	CodeSigLocked       = 70050
	CodeAccountNotFound = 70107
	CodeAccountInvalid  = 70402
	CodeAccountInternal = 70500
	CodeProfileTooLong  = 40601

	// Groups (10xxx).
	CodeGroupInternal        = 10002
	CodeGroupUnknownCommand  = 10003
	CodeGroupInvalid         = 10004
	CodeGroupTooManyMembers  = 10005 // too many accounts in one request
	CodeGroupForbidden       = 10007 // the group type does not allow it
	CodeGroupNotFound        = 10010
	CodeGroupAlreadyMember   = 10013 // apply_join_group: the applicant is a member
	CodeGroupFull            = 10014
	CodeGroupIDMalformed     = 10015
	CodeGroupCallbackDenied  = 10016
	CodeGroupReplyTooLarge   = 10018
	CodeGroupAccountNotFound = 10019
	CodeGroupIDInUse         = 10021

	// Relationship chain (30xxx).
	CodeSNSInvalid  = 30001
	CodeSNSInternal = 30006

	// timd's callback management API (91xxx, not Tencent codes).
	CodeMgmtInvalid       = 91001
	CodeMgmtInternal      = 91002
	CodeMgmtEventNotFound = 91003

	// Conversation groups (50xxx).
	CodeContactInvalid  = 50002
	CodeContactInternal = 50004
)

// Conversation groups and marks (recentcontact), beyond the invalid-parameter
// and internal codes above (docs/fidelity/recentcontact.md#codes).
const (
	CodeContactAccountNotFound = 50001 // From_Account, or a C2C conversation's peer, not imported
	CodeContactAdminRequired   = 50003 // never answered: a non-admin identifier is 60010 first
	CodeContactTimeout         = 50005 // the request ran out of time
	CodeContactMarkItems       = 51006 // MarkItem empty or over 100
	CodeContactGroupGone       = 51007 // a group conversation's group does not exist or was dismissed
	CodeContactTooMany         = 51008 // over 1000 grouped, or 1000 marked, conversations
	CodeContactGroupNotFound   = 51009 // no conversation group of that name
	CodeContactGroupLimit      = 51010 // over 20 conversation groups
	CodeContactNameTooLong     = 51011 // conversation group name over 32 bytes
	CodeContactPinLimit        = 51012 // over 50 pinned conversations
	CodeContactEdition         = 51013 // the app is not on the Ultimate edition
)

// Relationship chain (sns), beyond the invalid-parameter and internal codes
// above (docs/fidelity/sns.md#codes).
const (
	CodeSNSAccountNotFound = 30003 // From_Account, or a friend to add, not imported
	CodeSNSConflict        = 30008 // never answered: writes to one user are serialised
	CodeSNSFriendLimit     = 30010 // the user has 3000 friends
	CodeSNSListLimit       = 30011 // the user would have more than 32 friend lists
	CodeSNSPeerFriendLimit = 30014 // the peer of a two-way add has 3000 friends
	CodeSNSNotFriend       = 31704 // friend_delete: no relation to remove
	CodeSNSListNotFriend   = 32216 // group_add: To_Account is not a friend
)
