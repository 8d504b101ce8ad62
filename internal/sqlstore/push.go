package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// all_member_push attributes (docs/fidelity/push.md): an app's attribute
// names, by index "0".."9", and each account's values. Values are kept by
// index, so renaming an attribute keeps them under the new name.

// SetAttrNames names the attributes given, leaving the others as they are.
// Two indexes may not carry one name, since accounts' values are set and
// read by name (90033, nothing changed).
func (db *DB) SetAttrNames(ctx context.Context, app uint64, names map[int]string) error {
	return db.write(ctx, func(tx *Tx) error {
		for idx, name := range names {
			if _, err := tx.ExecContext(ctx, `INSERT INTO push_attr_names (app_id, idx, name) VALUES ($1, $2, $3)
				ON CONFLICT (app_id, idx) DO UPDATE SET name = excluded.name`, int64(app), idx, name); err != nil {
				return err
			}
		}
		var dup string
		err := tx.QueryRowContext(ctx, `SELECT COALESCE(MIN(name), '') FROM (SELECT name FROM push_attr_names
			WHERE app_id = $1 GROUP BY name HAVING COUNT(*) > 1) d`, int64(app)).Scan(&dup)
		if err == nil && dup != "" {
			err = im.Errorf(im.CodePushAttrInvalid, "attribute name %q would name two attributes", dup)
		}
		return err
	})
}

// AttrNames returns the app's attribute names by index.
func (db *DB) AttrNames(ctx context.Context, app uint64) (map[int]string, error) {
	var names map[int]string
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		names, err = attrNames(ctx, tx, app)
		return err
	})
	return names, err
}

func attrNames(ctx context.Context, tx *Tx, app uint64) (map[int]string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT idx, name FROM push_attr_names WHERE app_id = $1", int64(app))
	if err != nil {
		return nil, err
	}
	names := make(map[int]string)
	for rows.Next() {
		var idx int
		var name string
		if err := rows.Scan(&idx, &name); err != nil {
			rows.Close()
			return nil, err
		}
		names[idx] = name
	}
	return names, closeRows(rows)
}

// attrIndexes maps each attribute name of the app to its index.
func attrIndexes(ctx context.Context, tx *Tx, app uint64) (map[string]int, error) {
	names, err := attrNames(ctx, tx, app)
	byName := make(map[string]int, len(names))
	for idx, name := range names {
		byName[name] = idx
	}
	return byName, err
}

// attrIndex returns the index of the attribute named name, or 90033.
func attrIndex(byName map[string]int, name string) (int, error) {
	idx, ok := byName[name]
	if !ok {
		return 0, im.Errorf(im.CodePushAttrInvalid, "%q is not an attribute name of the app", name)
	}
	return idx, nil
}

// UserAttrs returns the attribute values of the imported ones of userIDs,
// in request order, and the others as missing.
func (db *DB) UserAttrs(ctx context.Context, app uint64, userIDs []string) ([]im.UserAttrs, []string, error) {
	var found []im.UserAttrs
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
			ua := im.UserAttrs{UserID: id, Attrs: map[string]string{}}
			rows, err := tx.QueryContext(ctx, `SELECT n.name, a.value FROM push_user_attrs a
				JOIN push_attr_names n ON n.app_id = a.app_id AND n.idx = a.idx
				WHERE a.app_id = $1 AND a.user_id = $2`, int64(app), id)
			if err != nil {
				return err
			}
			for rows.Next() {
				var name, value string
				if err := rows.Scan(&name, &value); err != nil {
					rows.Close()
					return err
				}
				ua.Attrs[name] = value
			}
			if err := closeRows(rows); err != nil {
				return err
			}
			found = append(found, ua)
		}
		return nil
	})
	return found, missing, err
}

// SetUserAttrs sets the values given of the imported accounts; the others
// are returned as missing. A name that is not an attribute of the app is
// 90033 for the whole request.
func (db *DB) SetUserAttrs(ctx context.Context, app uint64, attrs []im.UserAttrs) ([]string, error) {
	var missing []string
	err := db.write(ctx, func(tx *Tx) error {
		byName, err := attrIndexes(ctx, tx, app)
		if err != nil {
			return err
		}
		ids := make([]string, len(attrs))
		for i, ua := range attrs {
			ids[i] = ua.UserID
			for name := range ua.Attrs {
				if _, err := attrIndex(byName, name); err != nil {
					return err
				}
			}
		}
		exists, err := lockAccounts(ctx, tx, app, ids)
		if err != nil {
			return err
		}
		missing = nil
		for _, ua := range attrs {
			if !exists[ua.UserID] {
				missing = append(missing, ua.UserID)
				continue
			}
			for name, value := range ua.Attrs {
				if _, err := tx.ExecContext(ctx, `INSERT INTO push_user_attrs (app_id, user_id, idx, value) VALUES ($1, $2, $3, $4)
					ON CONFLICT (app_id, user_id, idx) DO UPDATE SET value = excluded.value`,
					int64(app), ua.UserID, byName[name], value); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return missing, err
}

// RemoveUserAttrs removes the values named of the imported accounts; the
// others are returned as missing. An unknown name is 90033 for all.
func (db *DB) RemoveUserAttrs(ctx context.Context, app uint64, attrs []im.UserAttrNames) ([]string, error) {
	var missing []string
	err := db.write(ctx, func(tx *Tx) error {
		byName, err := attrIndexes(ctx, tx, app)
		if err != nil {
			return err
		}
		ids := make([]string, len(attrs))
		for i, ua := range attrs {
			ids[i] = ua.UserID
			for _, name := range ua.Names {
				if _, err := attrIndex(byName, name); err != nil {
					return err
				}
			}
		}
		exists, err := lockAccounts(ctx, tx, app, ids)
		if err != nil {
			return err
		}
		missing = nil
		for _, ua := range attrs {
			if !exists[ua.UserID] {
				missing = append(missing, ua.UserID)
				continue
			}
			for _, name := range ua.Names {
				if _, err := tx.ExecContext(ctx, "DELETE FROM push_user_attrs WHERE app_id = $1 AND user_id = $2 AND idx = $3",
					int64(app), ua.UserID, byName[name]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return missing, err
}

// deletePushState is account_delete's all-member push step: the account's
// attribute values and tags go with it.
func deletePushState(ctx context.Context, tx *Tx, app uint64, userID string) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM push_user_attrs WHERE app_id = $1 AND user_id = $2", int64(app), userID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, "DELETE FROM push_user_tags WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	return err
}
