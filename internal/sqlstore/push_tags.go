package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// all_member_push tags (docs/fidelity/push.md): each account holds up to
// 100, listed in the order they were added.

// UserTagsOf returns the tags of the imported ones of userIDs, in request
// order, and the others as missing.
func (db *DB) UserTagsOf(ctx context.Context, app uint64, userIDs []string) ([]im.UserTags, []string, error) {
	var found []im.UserTags
	var missing []string
	err := db.read(ctx, func(tx *Tx) error {
		found, missing = nil, nil
		for _, id := range userIDs {
			ok, err := accountExists(ctx, tx, app, id)
			if err != nil {
				return err
			}
			if !ok {
				missing = append(missing, id)
				continue
			}
			tags, err := userTags(ctx, tx, app, id)
			if err != nil {
				return err
			}
			found = append(found, im.UserTags{UserID: id, Tags: tags})
		}
		return nil
	})
	return found, missing, err
}

func userTags(ctx context.Context, tx *Tx, app uint64, userID string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT tag FROM push_user_tags WHERE app_id = $1 AND user_id = $2
		ORDER BY added_at, pos, tag`, int64(app), userID)
	if err != nil {
		return nil, err
	}
	tags := []string{}
	for rows.Next() {
		var tag string
		if err := rows.Scan(&tag); err != nil {
			rows.Close()
			return nil, err
		}
		tags = append(tags, tag)
	}
	return tags, closeRows(rows)
}

// AddUserTags adds tags to the imported accounts (a tag held already stays
// where it was); the others are returned as missing. An account that would
// hold more than 100 tags fails the whole request (90032), nothing added.
func (db *DB) AddUserTags(ctx context.Context, app uint64, tags []im.UserTags) ([]string, error) {
	return db.changeTags(ctx, app, tags, func(tx *Tx, ut im.UserTags) error {
		for i, tag := range ut.Tags {
			if _, err := tx.ExecContext(ctx, `INSERT INTO push_user_tags (app_id, user_id, tag, added_at, pos)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (app_id, user_id, tag) DO NOTHING`,
				int64(app), ut.UserID, tag, tx.now.UnixMilli(), i); err != nil {
				return err
			}
		}
		var n int
		err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM push_user_tags WHERE app_id = $1 AND user_id = $2",
			int64(app), ut.UserID).Scan(&n)
		if err == nil && n > im.MaxPushTagsPerUser {
			err = im.Errorf(im.CodePushUserTagsLimit, "%s would hold %d tags, more than %d", ut.UserID, n, im.MaxPushTagsPerUser)
		}
		return err
	})
}

// RemoveUserTags removes tags from the imported accounts (a tag not held
// is no error); the others are returned as missing.
func (db *DB) RemoveUserTags(ctx context.Context, app uint64, tags []im.UserTags) ([]string, error) {
	return db.changeTags(ctx, app, tags, func(tx *Tx, ut im.UserTags) error {
		for _, tag := range ut.Tags {
			if _, err := tx.ExecContext(ctx, "DELETE FROM push_user_tags WHERE app_id = $1 AND user_id = $2 AND tag = $3",
				int64(app), ut.UserID, tag); err != nil {
				return err
			}
		}
		return nil
	})
}

// RemoveAllUserTags removes every tag of the imported ones of userIDs; the
// others are returned as missing.
func (db *DB) RemoveAllUserTags(ctx context.Context, app uint64, userIDs []string) ([]string, error) {
	tags := make([]im.UserTags, len(userIDs))
	for i, id := range userIDs {
		tags[i] = im.UserTags{UserID: id}
	}
	return db.changeTags(ctx, app, tags, func(tx *Tx, ut im.UserTags) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM push_user_tags WHERE app_id = $1 AND user_id = $2", int64(app), ut.UserID)
		return err
	})
}

// changeTags runs change for each imported account of tags, in one
// transaction, and returns the accounts that are not imported.
func (db *DB) changeTags(ctx context.Context, app uint64, tags []im.UserTags, change func(*Tx, im.UserTags) error) ([]string, error) {
	var missing []string
	err := db.write(ctx, func(tx *Tx) error {
		ids := make([]string, len(tags))
		for i, ut := range tags {
			ids[i] = ut.UserID
		}
		exists, err := lockAccounts(ctx, tx, app, ids)
		if err != nil {
			return err
		}
		missing = nil
		for _, ut := range tags {
			if !exists[ut.UserID] {
				missing = append(missing, ut.UserID)
				continue
			}
			if err := change(tx, ut); err != nil {
				return err
			}
		}
		return nil
	})
	return missing, err
}
