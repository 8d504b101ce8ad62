package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"github.com/timd/timd/internal/im"
)

// Reads of the relationship chain: friend_check, friend_get, group_get.

// requireSNSUser fails with 30003 unless user is imported.
func requireSNSUser(ctx context.Context, tx *Tx, app uint64, user string) error {
	ok, err := accountExists(ctx, tx, app, user)
	if err == nil && !ok {
		err = errSNSUser(user)
	}
	return err
}

// CheckFriends answers friend_check's relations.
func (db *DB) CheckFriends(ctx context.Context, app uint64, from string, to []string, both bool) ([]string, error) {
	var out []string
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireSNSUser(ctx, tx, app, from); err != nil {
			return err
		}
		out = make([]string, len(to))
		for i, peer := range to {
			aHasB, err := hasFriend(ctx, tx, int64(app), from, peer)
			if err != nil {
				return err
			}
			bHasA := false
			if both {
				if bHasA, err = hasFriend(ctx, tx, int64(app), peer, from); err != nil {
					return err
				}
			}
			switch {
			case aHasB && bHasA:
				out[i] = im.RelationBoth
			case aHasB:
				out[i] = im.RelationAWithB
			case bHasA:
				out[i] = im.RelationBWithA
			default:
				out[i] = im.RelationNone
			}
		}
		return nil
	})
	return out, err
}

// Friends reads one page of friend_get. Here and in FriendLists the
// sequences are read before the rows: under concurrent writes a reply may
// carry rows newer than its sequences, never older, so a client that caches
// by sequence pulls again rather than missing a change.
func (db *DB) Friends(ctx context.Context, app uint64, from string, start, limit int) (im.FriendPage, error) {
	var page im.FriendPage
	err := db.read(ctx, func(tx *Tx) error {
		page = im.FriendPage{Friends: []im.Friend{}}
		if err := requireSNSUser(ctx, tx, app, from); err != nil {
			return err
		}
		var err error
		if _, page.Standard, page.Custom, err = snsSeqs(ctx, tx, int64(app), from); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM friends WHERE app_id = $1 AND user_id = $2",
			int64(app), from).Scan(&page.Total); err != nil {
			return err
		}
		if page.Friends, err = friendRows(ctx, tx, int64(app), from, start, limit); err != nil || len(page.Friends) == 0 {
			return err
		}
		return fillLists(ctx, tx, int64(app), from, page.Friends)
	})
	return page, err
}

// friendRows reads friends from index start on, in friend_id order.
func friendRows(ctx context.Context, tx *Tx, app int64, user string, start, limit int) ([]im.Friend, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT friend_id, remark, remark_time, add_source, add_wording, add_time, custom
		FROM friends WHERE app_id = $1 AND user_id = $2 ORDER BY friend_id LIMIT CAST($3 AS BIGINT) OFFSET $4`, app, user, limit, start)
	if err != nil {
		return nil, err
	}
	return scanFriends(rows)
}

// scanFriends reads friend rows (the columns of friendRows) and closes rows.
func scanFriends(rows *sql.Rows) ([]im.Friend, error) {
	defer rows.Close()
	out := []im.Friend{}
	for rows.Next() {
		var (
			f       im.Friend
			addTime int64
			custom  string
		)
		if err := rows.Scan(&f.UserID, &f.Remark, &f.RemarkTime, &f.AddSource, &f.AddWording, &addTime, &custom); err != nil {
			return nil, err
		}
		f.AddTime = time.Unix(addTime, 0)
		if err := json.Unmarshal([]byte(custom), &f.Custom); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// fillLists sets the Lists of friends (a page in friend_id order) from the
// user's list memberships, in list order.
func fillLists(ctx context.Context, tx *Tx, app int64, user string, friends []im.Friend) error {
	rows, err := tx.QueryContext(ctx, `
		SELECT m.friend_id, m.name FROM friend_list_members m
		JOIN friend_lists l ON l.app_id = m.app_id AND l.user_id = m.user_id AND l.name = m.name
		WHERE m.app_id = $1 AND m.user_id = $2 AND m.friend_id >= $3 AND m.friend_id <= $4
		ORDER BY l.pos`, app, user, friends[0].UserID, friends[len(friends)-1].UserID)
	if err != nil {
		return err
	}
	defer rows.Close()
	index := make(map[string]int, len(friends))
	for i, f := range friends {
		index[f.UserID] = i
	}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			friends[i].Lists = append(friends[i].Lists, name)
		}
	}
	return rows.Err()
}

// FriendLists reads a user's lists for group_get.
func (db *DB) FriendLists(ctx context.Context, app uint64, from string, names []string, members bool) (int64, []im.FriendList, error) {
	var (
		seq   int64
		lists []im.FriendList
	)
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireSNSUser(ctx, tx, app, from); err != nil {
			return err
		}
		var err error
		if seq, _, _, err = snsSeqs(ctx, tx, int64(app), from); err != nil {
			return err
		}
		lists, err = readLists(ctx, tx, int64(app), from, names, members)
		return err
	})
	return seq, lists, err
}

// readLists reads the user's lists in creation order with their counts,
// keeping only those named when names is not nil.
func readLists(ctx context.Context, tx *Tx, app int64, user string, names []string, members bool) ([]im.FriendList, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT l.name, (SELECT COUNT(*) FROM friend_list_members m
			WHERE m.app_id = l.app_id AND m.user_id = l.user_id AND m.name = l.name)
		FROM friend_lists l WHERE l.app_id = $1 AND l.user_id = $2 ORDER BY l.pos`, app, user)
	if err != nil {
		return nil, err
	}
	lists := []im.FriendList{}
	for rows.Next() {
		var l im.FriendList
		if err := rows.Scan(&l.Name, &l.Count); err != nil {
			rows.Close()
			return nil, err
		}
		if names == nil || slices.Contains(names, l.Name) {
			lists = append(lists, l)
		}
	}
	if err := closeRows(rows); err != nil || !members {
		return lists, err
	}
	for i := range lists {
		if lists[i].Members, err = listMembers(ctx, tx, app, user, lists[i].Name); err != nil {
			return nil, err
		}
	}
	return lists, nil
}

// listMembers lists the friends in one list, in UserID order.
func listMembers(ctx context.Context, tx *Tx, app int64, user, name string) ([]string, error) {
	return queryStrings(ctx, tx, `SELECT friend_id FROM friend_list_members
		WHERE app_id = $1 AND user_id = $2 AND name = $3 ORDER BY friend_id`, app, user, name)
}
