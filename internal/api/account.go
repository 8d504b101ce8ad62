package api

import (
	"context"
	"fmt"
	"strings"

	"github.com/timd/timd/internal/im"
)

// Handlers of im_open_login_svc: account_import, multiaccount_import,
// account_delete, account_check (docs/fidelity/accounts.md; decisions in
// docs/decisions.md §2).

// accountStore is what the account handlers may touch (Server.accounts);
// the methods and their codes are im.AccountService's.
type accountStore interface {
	ImportAccounts(ctx context.Context, app uint64, accounts []im.AccountImport) error            // account_import, multiaccount_import
	DeleteAccounts(ctx context.Context, app uint64, userIDs []string) (existed []bool, err error) // account_delete
	CheckAccounts(ctx context.Context, app uint64, userIDs []string) (imported []bool, err error) // account_check
}

type accountImportReq struct {
	UserID     *string
	Identifier *string // legacy name of UserID, still sent by some SDKs
	Nick       *string
	FaceUrl    *string
}

type empty struct{}

// accountImport imports one account, or updates its profile if it exists.
func (s *Server) accountImport(ctx context.Context, c *Call, req *accountImportReq) (*empty, error) {
	id := req.UserID
	if id == nil {
		id = req.Identifier
	}
	if id == nil {
		return nil, invalidParam("UserID is required")
	}
	if !im.ValidUserID(*id) {
		return nil, invalidParam(fmt.Sprintf("UserID %q must be 1 to 32 bytes of printable ASCII", *id))
	}
	if err := checkProfile(req.Nick, req.FaceUrl); err != nil {
		return nil, err
	}
	err := s.accounts.ImportAccounts(ctx, c.App.SDKAppID, []im.AccountImport{{UserID: *id, Nick: req.Nick, FaceURL: req.FaceUrl}})
	return nil, err
}

// checkProfile enforces the 500-byte limit on Nick and FaceUrl (40601) and
// refuses a NUL character in either (70402): PostgreSQL cannot store it in
// text, and SQLite, which could, must not answer differently.
func checkProfile(nick, face *string) error {
	for _, f := range [...]struct {
		name string
		v    *string
	}{{"Nick", nick}, {"FaceUrl", face}} {
		if f.v == nil {
			continue
		}
		if len(*f.v) > im.MaxProfileBytes {
			return im.Errorf(im.CodeProfileTooLong, "%s is longer than %d bytes", f.name, im.MaxProfileBytes)
		}
		if strings.IndexByte(*f.v, 0) >= 0 {
			return invalidParam(f.name + " must not contain the NUL character")
		}
	}
	return nil
}

type multiaccountImportReq struct {
	Accounts    []string // old form: ids only
	AccountList []struct {
		UserID  *string
		Nick    *string
		FaceUrl *string
	}
}

type multiaccountImportResp struct {
	FailAccounts []string
}

// multiaccountImport imports up to 100 accounts in either form. Accounts
// that cannot be imported (an invalid UserID, an over-long profile field or
// one with a NUL character) are listed in FailAccounts; the others are imported.
func (s *Server) multiaccountImport(ctx context.Context, c *Call, req *multiaccountImportReq) (*multiaccountImportResp, error) {
	n := len(req.Accounts) + len(req.AccountList)
	if n == 0 {
		return nil, invalidParam("Accounts or AccountList is required")
	}
	if n > im.MaxAccountBatch {
		return nil, invalidParam(fmt.Sprintf("at most %d accounts per request", im.MaxAccountBatch))
	}
	resp := &multiaccountImportResp{FailAccounts: []string{}}
	var batch []im.AccountImport
	for _, id := range req.Accounts {
		if !im.ValidUserID(id) {
			resp.FailAccounts = append(resp.FailAccounts, id)
			continue
		}
		batch = append(batch, im.AccountImport{UserID: id})
	}
	for i, a := range req.AccountList {
		if a.UserID == nil {
			return nil, invalidParam(fmt.Sprintf("AccountList[%d].UserID is required", i))
		}
		if !im.ValidUserID(*a.UserID) || checkProfile(a.Nick, a.FaceUrl) != nil {
			resp.FailAccounts = append(resp.FailAccounts, *a.UserID)
			continue
		}
		batch = append(batch, im.AccountImport{UserID: *a.UserID, Nick: a.Nick, FaceURL: a.FaceUrl})
	}
	if len(batch) > 0 {
		if err := s.accounts.ImportAccounts(ctx, c.App.SDKAppID, batch); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// userItem is the {"UserID": ...} element of DeleteItem and CheckItem.
type userItem struct {
	UserID *string
}

// userIDs validates a DeleteItem/CheckItem array: 1 to 100 items, each with
// a string UserID.
func userIDs(field string, items []userItem) ([]string, error) {
	if len(items) == 0 {
		return nil, invalidParam(field + " is required")
	}
	if len(items) > im.MaxAccountBatch {
		return nil, invalidParam(fmt.Sprintf("at most %d items in %s", im.MaxAccountBatch, field))
	}
	ids := make([]string, len(items))
	for i, it := range items {
		if it.UserID == nil {
			return nil, invalidParam(fmt.Sprintf("%s[%d].UserID is required", field, i))
		}
		ids[i] = *it.UserID
	}
	return ids, nil
}

type accountDeleteReq struct {
	DeleteItem []userItem
}

type accountResult struct {
	ResultCode int
	ResultInfo string
	UserID     string
}

type accountDeleteResp struct {
	ResultItem []accountResult
}

// accountDelete deletes up to 100 accounts with everything they own, in one
// transaction. A missing account is a per-item 70107; an app admin cannot be
// deleted (per-item 70402).
func (s *Server) accountDelete(ctx context.Context, c *Call, req *accountDeleteReq) (*accountDeleteResp, error) {
	ids, err := userIDs("DeleteItem", req.DeleteItem)
	if err != nil {
		return nil, err
	}
	var del []string
	for _, id := range ids {
		if !c.App.IsAdmin(id) {
			del = append(del, id)
		}
	}
	existed, err := s.accounts.DeleteAccounts(ctx, c.App.SDKAppID, del)
	if err != nil {
		return nil, err
	}
	resp := &accountDeleteResp{ResultItem: make([]accountResult, len(ids))}
	j := 0
	for i, id := range ids {
		r := accountResult{UserID: id}
		switch {
		case c.App.IsAdmin(id):
			r.ResultCode, r.ResultInfo = im.CodeAccountInvalid, "an app admin account cannot be deleted"
		case existed[j]:
			j++
		default:
			j++
			r.ResultCode, r.ResultInfo = im.CodeAccountNotFound, "Err_TLS_PT_Open_Login_Account_Not_Exist"
		}
		resp.ResultItem[i] = r
	}
	return resp, nil
}

type accountCheckReq struct {
	CheckItem []userItem
}

type accountCheckResult struct {
	UserID        string
	ResultCode    int
	ResultInfo    string
	AccountStatus string
}

type accountCheckResp struct {
	ResultItem []accountCheckResult
}

// accountCheck reports, for up to 100 ids, whether each is imported.
func (s *Server) accountCheck(ctx context.Context, c *Call, req *accountCheckReq) (*accountCheckResp, error) {
	ids, err := userIDs("CheckItem", req.CheckItem)
	if err != nil {
		return nil, err
	}
	imported, err := s.accounts.CheckAccounts(ctx, c.App.SDKAppID, ids)
	if err != nil {
		return nil, err
	}
	resp := &accountCheckResp{ResultItem: make([]accountCheckResult, len(ids))}
	for i, id := range ids {
		status := "NotImported"
		if imported[i] {
			status = "Imported"
		}
		resp.ResultItem[i] = accountCheckResult{UserID: id, AccountStatus: status}
	}
	return resp, nil
}
