package im

import (
	"context"
	"time"
)

// Limits on account fields (docs/decisions.md §2.1).
const (
	MaxUserIDBytes  = 32
	MaxProfileBytes = 500 // Nick and FaceUrl each
	MaxAccountBatch = 100 // multiaccount_import, account_delete, account_check
)

// Account is an imported user of an app.
type Account struct {
	UserID    string
	Nick      string
	FaceURL   string
	CreatedAt time.Time
}

// AccountImport is one account to import. A nil Nick or FaceURL keeps the
// stored value on re-import; a non-nil one replaces it.
type AccountImport struct {
	UserID  string
	Nick    *string
	FaceURL *string
}

// ValidUserID reports whether s is a UserID timd accepts: 1 to 32 bytes of
// printable ASCII (0x20 to 0x7E), not starting or ending with a space.
func ValidUserID(s string) bool {
	if len(s) == 0 || len(s) > MaxUserIDBytes || s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// AccountService stores the accounts of every app.
type AccountService interface {
	// ImportAccounts creates the accounts that do not exist and updates the
	// profile fields given for those that do, all in one transaction.
	// The caller has validated every item.
	ImportAccounts(ctx context.Context, app uint64, accounts []AccountImport) error

	// DeleteAccounts deletes the named accounts in one transaction with every
	// trace of them (friends, lists, conversation groups, memberships; groups
	// they owned stay without an owner) and reports, per id, whether it existed.
	DeleteAccounts(ctx context.Context, app uint64, userIDs []string) (existed []bool, err error)

	// CheckAccounts reports, per id, whether it is imported.
	CheckAccounts(ctx context.Context, app uint64, userIDs []string) (imported []bool, err error)
}
