package sqlstore

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/timd/timd/internal/dbtest"
	"github.com/timd/timd/internal/im"
)

func TestWritesCachedTable(t *testing.T) {
	for q, want := range map[string]bool{
		"SELECT 1 FROM accounts WHERE app_id = $1 AND user_id = $2":                      false,
		"select c2c_until from no_speaking where app_id = $1":                            false,
		"DELETE FROM accounts WHERE app_id = $1 AND user_id = $2":                        true,
		`DELETE FROM "accounts" WHERE app_id = $1`:                                       true,
		"INSERT INTO accounts (app_id, user_id, created_at) VALUES ($1, $2, $3)":         true,
		"UPDATE accounts SET nick = $3 WHERE app_id = $1":                                true,
		"insert into no_speaking (app_id) values ($1) on conflict do update set x = 1":   true,
		"\n\t\tREPLACE INTO no_speaking VALUES (1)":                                      true,
		"WITH d AS (DELETE FROM accounts RETURNING 1) SELECT 1":                          true,
		"SELECT 1 FROM accounts FOR NO KEY UPDATE":                                       true, // errs toward emptying
		"INSERT INTO captured_accounts (app_id, account, seq) VALUES ($1, $2, $3)":       false,
		"DELETE FROM accounts_old WHERE 1":                                               false,
		"UPDATE conversations SET unread = 0 WHERE owner = $1":                           false,
		"SELECT updated_at, deleted FROM accounts WHERE app_id = $1":                     false,
		"INSERT INTO c2c_msgs (from_user) SELECT user_id FROM accounts WHERE app_id = 1": true,
	} {
		if got := writesCachedTable(q); got != want {
			t.Errorf("writesCachedTable(%q) = %v, want %v", q, got, want)
		}
	}
}

// TestWriterCache_FollowsWrites sends between accounts (on SQLite the
// second send takes both accounts and the mute from the writer cache) and
// checks that every way an account or a mute changes is seen by the next
// send: deletion, import, mute and unmute, reset, snapshot restore and
// state import.
func TestWriterCache_FollowsWrites(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clock := clockAt(time.Unix(1_800_000_000, 0))
		db := openC2C(t, dsn, clock, "a", "b")
		seq := uint32(0)
		send := func(code int) {
			t.Helper()
			seq++
			_, err := db.SendC2C(ctx, c2cOp, c2cMsg("a", "b", seq))
			if code == 0 && err != nil {
				t.Fatalf("send %d: %v", seq, err)
			}
			if code != 0 {
				wantCode(t, err, code)
			}
		}
		send(0)
		send(0)
		if db.wcache != nil && len(db.wcache.accounts) != 2 {
			t.Fatalf("writer cache holds %v, want both accounts", db.wcache.accounts)
		}
		if _, err := db.SaveSnapshot(ctx, c2cApp, "both"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.DeleteAccounts(ctx, c2cApp, []string{"b"}); err != nil {
			t.Fatal(err)
		}
		send(im.CodeMsgToNotFound)
		send(im.CodeMsgToNotFound)
		if err := db.ImportAccounts(ctx, c2cApp, []im.AccountImport{{UserID: "b"}}); err != nil {
			t.Fatal(err)
		}
		send(0)
		week := int64(7 * 24 * 3600)
		if err := db.SetNoSpeaking(ctx, c2cApp, "a", &week, nil); err != nil {
			t.Fatal(err)
		}
		send(im.CodeNoSpeakingC2C)
		send(im.CodeNoSpeakingC2C)
		clock.advance(8 * 24 * time.Hour) // the mute has run out
		send(0)
		zero := int64(0)
		if err := db.SetNoSpeaking(ctx, c2cApp, "a", &week, nil); err != nil {
			t.Fatal(err)
		}
		send(im.CodeNoSpeakingC2C)
		if err := db.SetNoSpeaking(ctx, c2cApp, "a", &zero, nil); err != nil {
			t.Fatal(err)
		}
		send(0)
		if err := db.ResetApp(ctx, c2cApp, nil); err != nil {
			t.Fatal(err)
		}
		send(im.CodeMsgFromNotFound)
		if err := db.RestoreSnapshot(ctx, c2cApp, "both", nil); err != nil {
			t.Fatal(err)
		}
		send(0)
		doc, err := db.ExportApp(ctx, c2cApp)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ResetApp(ctx, c2cApp, nil); err != nil {
			t.Fatal(err)
		}
		send(im.CodeMsgFromNotFound)
		if err := db.ImportApp(ctx, c2cApp, doc, nil); err != nil {
			t.Fatal(err)
		}
		send(0)
	})
}

// TestWriterCache_RolledBackWrite checks that a write rolled back to its
// savepoint inside a shared batch leaves no trace in the cache: writes
// that import an account and then fail run beside sends to that account,
// which must keep failing.
func TestWriterCache_RolledBackWrite(t *testing.T) {
	dbtest.ForEach(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		clock := clockAt(time.Unix(1_800_000_000, 0))
		db := openC2C(t, dsn, clock, "a")
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(2)
			go func() {
				defer wg.Done()
				err := db.write(ctx, func(tx *Tx) error {
					if err := ensureAccounts(ctx, tx, c2cApp, []string{"ghost"}); err != nil {
						return err
					}
					if _, err := lockAccounts(ctx, tx, c2cApp, []string{"ghost"}); err != nil {
						return err
					}
					return im.Errorf(im.CodeMgmtInvalid, "rolled back %d", i)
				})
				if code := im.ErrorCode(err); code != im.CodeMgmtInvalid {
					t.Errorf("rolled-back write %d: %v, want code %d", i, err, im.CodeMgmtInvalid)
				}
			}()
			go func() {
				defer wg.Done()
				_, err := db.SendC2C(ctx, c2cOp, c2cMsg("a", "ghost", uint32(i)))
				if code := im.ErrorCode(err); code != im.CodeMsgToNotFound {
					t.Errorf("send %d to an account whose import was rolled back: %v, want code %d", i, err, im.CodeMsgToNotFound)
				}
			}()
		}
		wg.Wait()
		_, err := db.SendC2C(ctx, c2cOp, c2cMsg("a", "ghost", 99))
		wantCode(t, err, im.CodeMsgToNotFound)
	})
}
