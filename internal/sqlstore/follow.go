package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

var _ im.FollowService = (*DB)(nil)

// Follows (docs/fidelity/follow.md): a follows row is one user following
// another; a user's followers are read through follows_by_target.

// followAccounts tells which of from and to are accounts, and answers
// 30003 unless from is one. A write locks them (lockAccounts); a read
// looks.
func followAccounts(ctx context.Context, tx *Tx, app uint64, from string, to []string, write bool) (map[string]bool, error) {
	ids := append([]string{from}, to...)
	var exists map[string]bool
	var err error
	if write {
		exists, err = lockAccounts(ctx, tx, app, ids)
	} else {
		exists, err = readAccounts(ctx, tx, app, ids)
	}
	if err != nil {
		return nil, err
	}
	if !exists[from] {
		return nil, im.Errorf(im.CodeFollowNoUser, "From_Account %s is not an account", from)
	}
	return exists, nil
}

// readAccounts tells which of ids are accounts, without locking them.
func readAccounts(ctx context.Context, tx *Tx, app uint64, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		if _, seen := out[id]; seen {
			continue
		}
		var one int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), id).Scan(&one)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		out[id] = err == nil
	}
	return out, nil
}

// noUser is the item result of a To_Account that is not an account.
func noUser(to string) im.FollowResult {
	return im.FollowResult{To: to, Code: im.CodeFollowNoUser, Info: to + " is not an account"}
}

// FollowAdd makes from follow each of to.
func (db *DB) FollowAdd(ctx context.Context, op im.Op, from string, to []string) ([]im.FollowResult, error) {
	var out []im.FollowResult
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		exists, err := followAccounts(ctx, tx, app, from, to, true)
		if err != nil {
			return err
		}
		// One user's follow_adds one after another, so that two at once
		// cannot both count MaxFollowing-1 follows and both add one.
		if err := takeTurns(ctx, tx, "follow_add/"+strconv.FormatUint(app, 10)+"/"+from); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM follows WHERE app_id = $1 AND user_id = $2", int64(app), from).Scan(&n); err != nil {
			return err
		}
		out = make([]im.FollowResult, len(to))
		var made []im.FollowTo
		for i, t := range to {
			out[i] = im.FollowResult{To: t}
			switch {
			case !exists[t]:
				out[i] = noUser(t)
			case t == from:
				out[i].Code, out[i].Info = im.CodeFollowInvalid, "one cannot follow oneself"
			default:
				res, err := tx.ExecContext(ctx, `INSERT INTO follows (app_id, user_id, follow_id, follow_time)
					SELECT $1, $2, $3, $4 WHERE (SELECT COUNT(*) FROM follows WHERE app_id = $1 AND user_id = $2) < $5
					ON CONFLICT (app_id, user_id, follow_id) DO NOTHING`, int64(app), from, t, tx.now.Unix(), im.MaxFollowing)
				if err != nil {
					return err
				}
				if k, err := res.RowsAffected(); err != nil {
					return err
				} else if k == 1 {
					n++
					made = append(made, im.FollowTo{To: t})
				} else if n >= im.MaxFollowing {
					if already, err := following(ctx, tx, app, from, t); err != nil {
						return err
					} else if !already {
						out[i].Code, out[i].Info = im.CodeFollowTooMany, fmt.Sprintf("%s follows %d users, the most one may", from, im.MaxFollowing)
					}
				}
			}
		}
		if len(made) == 0 {
			return nil
		}
		return recordEvent(ctx, tx, op, im.AfterFollowAddBody{From: from, FollowList: made})
	})
	return out, err
}

// following reports whether from follows to.
func following(ctx context.Context, tx *Tx, app uint64, from, to string) (bool, error) {
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM follows WHERE app_id = $1 AND user_id = $2 AND follow_id = $3",
		int64(app), from, to).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// FollowDelete ends from's follows of each of to.
func (db *DB) FollowDelete(ctx context.Context, op im.Op, from string, to []string) ([]im.FollowResult, error) {
	var out []im.FollowResult
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		exists, err := followAccounts(ctx, tx, app, from, to, true)
		if err != nil {
			return err
		}
		out = make([]im.FollowResult, len(to))
		var ended []string
		for i, t := range to {
			out[i] = im.FollowResult{To: t}
			if !exists[t] {
				out[i] = noUser(t)
				continue
			}
			res, err := tx.ExecContext(ctx, "DELETE FROM follows WHERE app_id = $1 AND user_id = $2 AND follow_id = $3", int64(app), from, t)
			if err != nil {
				return err
			}
			if k, err := res.RowsAffected(); err != nil {
				return err
			} else if k == 1 {
				ended = append(ended, t)
			}
		}
		if len(ended) == 0 {
			return nil
		}
		return recordEvent(ctx, tx, op, im.AfterFollowDeleteBody{From: from, To: ended})
	})
	return out, err
}

// FollowCheck tells how from and each of to follow each other.
func (db *DB) FollowCheck(ctx context.Context, app uint64, from string, to []string) ([]im.FollowRelation, error) {
	var out []im.FollowRelation
	err := db.read(ctx, func(tx *Tx) error {
		exists, err := followAccounts(ctx, tx, app, from, to, false)
		if err != nil {
			return err
		}
		out = make([]im.FollowRelation, len(to))
		for i, t := range to {
			if !exists[t] {
				out[i].FollowResult = noUser(t)
				continue
			}
			fan, err := following(ctx, tx, app, t, from)
			if err != nil {
				return err
			}
			follows, err := following(ctx, tx, app, from, t)
			if err != nil {
				return err
			}
			out[i].To, out[i].Type = t, im.FollowNone
			if fan {
				out[i].Type = im.FollowFollower
			}
			if follows {
				out[i].Type += im.FollowFollowing
			}
		}
		return nil
	})
	return out, err
}

// followListSQL reads a page of a list, newest first, after a cursor
// (time $3, user $4; $3 < 0 for the first page). The followers of $2 are
// the rows naming $2; its follows the rows of $2; a mutual follow both,
// at the later of the two times.
var followListSQL = map[int]string{
	im.FollowListFollowers: `SELECT user_id AS u, follow_time AS t FROM follows WHERE app_id = $1 AND follow_id = $2`,
	im.FollowListFollowing: `SELECT follow_id AS u, follow_time AS t FROM follows WHERE app_id = $1 AND user_id = $2`,
	im.FollowListMutual: `SELECT f.follow_id AS u, CASE WHEN b.follow_time > f.follow_time THEN b.follow_time ELSE f.follow_time END AS t
		FROM follows f JOIN follows b ON b.app_id = f.app_id AND b.user_id = f.follow_id AND b.follow_id = f.user_id
		WHERE f.app_id = $1 AND f.user_id = $2`,
}

// FollowGet returns a page of from's list.
func (db *DB) FollowGet(ctx context.Context, app uint64, from string, list int, cursor string, n int) ([]im.FollowEntry, string, error) {
	at, after, err := parseFollowCursor(cursor)
	if err != nil {
		return nil, "", err
	}
	var out []im.FollowEntry
	err = db.read(ctx, func(tx *Tx) error {
		if _, err := followAccounts(ctx, tx, app, from, nil, false); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT u, t FROM (`+followListSQL[list]+`) AS l
			WHERE $3 < 0 OR t < $3 OR (t = $3 AND u > $4) ORDER BY t DESC, u LIMIT `+limitParam(5),
			int64(app), from, at, after, n+1)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e im.FollowEntry
			if err := rows.Scan(&e.User, &e.Time); err != nil {
				rows.Close()
				return err
			}
			out = append(out, e)
		}
		return closeRows(rows)
	})
	if err != nil || len(out) <= n {
		return out, "", err
	}
	last := out[n-1]
	return out[:n], strconv.FormatInt(last.Time, 10) + "_" + last.User, nil
}

// parseFollowCursor reads a NextCursor, "time_user"; "" is the first page
// (time -1). Anything else is 30001.
func parseFollowCursor(c string) (int64, string, error) {
	if c == "" {
		return -1, "", nil
	}
	t, user, ok := strings.Cut(c, "_")
	at, err := strconv.ParseInt(t, 10, 64)
	if !ok || err != nil || at < 0 || user == "" {
		return 0, "", im.Errorf(im.CodeFollowInvalid, "StartCursor %q is not a NextCursor of follow_get", c)
	}
	return at, user, nil
}

// FollowInfo counts each of to's followers, follows and mutual follows.
func (db *DB) FollowInfo(ctx context.Context, app uint64, from string, to []string) ([]im.FollowCounts, error) {
	var out []im.FollowCounts
	err := db.read(ctx, func(tx *Tx) error {
		exists, err := followAccounts(ctx, tx, app, from, to, false)
		if err != nil {
			return err
		}
		out = make([]im.FollowCounts, len(to))
		for i, t := range to {
			if !exists[t] {
				out[i].FollowResult = noUser(t)
				continue
			}
			out[i].To = t
			err := tx.QueryRowContext(ctx, `SELECT
				(SELECT COUNT(*) FROM follows WHERE app_id = $1 AND follow_id = $2),
				(SELECT COUNT(*) FROM follows WHERE app_id = $1 AND user_id = $2),
				(SELECT COUNT(*) FROM follows f JOIN follows b ON b.app_id = f.app_id AND b.user_id = f.follow_id AND b.follow_id = f.user_id
					WHERE f.app_id = $1 AND f.user_id = $2)`, int64(app), t).Scan(&out[i].Followers, &out[i].Following, &out[i].Mutual)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

// deleteFollows is account_delete's follow step: the user's follows and
// those of the user. A cascade records no events.
func deleteFollows(ctx context.Context, tx *Tx, app uint64, userID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM follows WHERE app_id = $1 AND (user_id = $2 OR follow_id = $2)", int64(app), userID)
	return err
}
