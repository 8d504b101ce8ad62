package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// ListObjects answers one page of an app's stored objects
// (timd_control/list_objects), in key order after q.Cursor. A group that
// does not exist is 10010; the member and friend lists of an account that
// has none are empty.
func (db *DB) ListObjects(ctx context.Context, app uint64, q im.ObjectQuery) (*im.ObjectPage, error) {
	page := &im.ObjectPage{Objects: []im.Object{}}
	err := db.read(ctx, func(tx *Tx) error {
		page.Objects, page.NextCursor = page.Objects[:0], ""
		query, args, err := objectQuery(ctx, tx, app, q)
		if err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, query, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var o im.Object
			if err := rows.Scan(&o.ID, &o.GroupType, &o.Name, &o.Owner, &o.Role); err != nil {
				return err
			}
			page.Objects = append(page.Objects, o)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	// One row more than the page was read: it tells a next page exists.
	if len(page.Objects) > q.Limit {
		page.Objects = page.Objects[:q.Limit]
		page.NextCursor = page.Objects[q.Limit-1].ID
	}
	return page, nil
}

// objectQuery is the statement, and its arguments, of one page of q's
// objects: five columns (ID, GroupType, Name, Owner, Role), Limit+1 rows.
func objectQuery(ctx context.Context, tx *Tx, app uint64, q im.ObjectQuery) (string, []any, error) {
	n := q.Limit + 1
	switch q.Type {
	case im.ObjectAccount:
		return `SELECT user_id, '', nick, '', '' FROM accounts
			WHERE app_id = $1 AND user_id > $2 ORDER BY user_id LIMIT CAST($3 AS BIGINT)`, []any{int64(app), q.Cursor, n}, nil
	case im.ObjectGroup:
		return `SELECT group_id, type, name, owner, '' FROM im_groups
			WHERE app_id = $1 AND group_id > $2 ORDER BY group_id LIMIT CAST($3 AS BIGINT)`, []any{int64(app), q.Cursor, n}, nil
	case im.ObjectGroupMember:
		g, err := findGroup(ctx, tx, app, q.GroupID, false)
		if err != nil {
			return "", nil, err
		}
		return `SELECT user_id, '', '', '', role FROM group_members
			WHERE app_id = $1 AND group_seq = $2 AND user_id > $3 ORDER BY user_id LIMIT CAST($4 AS BIGINT)`,
			[]any{int64(app), g.Seq, q.Cursor, n}, nil
	case im.ObjectFriend:
		return `SELECT friend_id, '', '', '', '' FROM friends
			WHERE app_id = $1 AND user_id = $2 AND friend_id > $3 ORDER BY friend_id LIMIT CAST($4 AS BIGINT)`,
			[]any{int64(app), q.From, q.Cursor, n}, nil
	}
	return "", nil, im.Errorf(im.CodeMgmtInvalid, "Type %q is not one of Account, Group, GroupMember, Friend", q.Type)
}
