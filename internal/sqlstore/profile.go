package sqlstore

import (
	"context"
	"encoding/json"
	"maps"

	"github.com/timd/timd/internal/im"
)

// Profiles (profile/portrait_set, portrait_get): Nick and Image are the
// accounts row's nick and face_url; every other field set is a row of the
// profiles table holding its JSON value (migration 0014).

// SetProfile sets userID's fields and records Profile.CallbackPortraitSet,
// in one transaction. The accounts row is updated first (with Nick and
// Image, or unchanged), which tells whether the account exists and holds
// it against a concurrent account_delete until commit.
func (db *DB) SetProfile(ctx context.Context, op im.Op, userID string, items []im.ProfileItem) error {
	var nick, image *string
	for _, it := range items {
		switch it.Tag {
		case im.TagNick:
			nick = new(string)
			if err := json.Unmarshal(it.Value, nick); err != nil {
				return err
			}
		case im.TagImage:
			image = new(string)
			if err := json.Unmarshal(it.Value, image); err != nil {
				return err
			}
		}
	}
	return db.write(ctx, func(tx *Tx) error {
		if !im.ValidUserID(userID) {
			return profileAccountNotFound(userID)
		}
		res, err := tx.ExecContext(ctx, `
			UPDATE accounts SET nick = COALESCE($3, nick), face_url = COALESCE($4, face_url)
			WHERE app_id = $1 AND user_id = $2`, int64(op.App.SDKAppID), userID, nick, image)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return profileAccountNotFound(userID)
		}
		for _, it := range items {
			if it.Tag == im.TagNick || it.Tag == im.TagImage {
				continue
			}
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO profiles (app_id, user_id, tag, value, updated_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (app_id, user_id, tag) DO UPDATE SET value = $4, updated_at = $5`,
				int64(op.App.SDKAppID), userID, it.Tag, string(it.Value), tx.now.UnixMilli()); err != nil {
				return err
			}
		}
		return recordEvent(ctx, tx, op, im.PortraitSetBody{Operator: op.Operator, From: userID, ProfileItem: items})
	})
}

func profileAccountNotFound(userID string) error {
	return im.Errorf(im.CodeProfileAccountNotFound, "Err_Profile_Account_Not_Exist: %s is not imported", userID)
}

// GetProfiles reads the profiles of userIDs in one read transaction.
func (db *DB) GetProfiles(ctx context.Context, app uint64, userIDs []string) ([]im.Profile, error) {
	var out []im.Profile
	err := db.read(ctx, func(tx *Tx) error {
		out = make([]im.Profile, len(userIDs))
		cache := make(map[string]im.Profile, len(userIDs))
		for i, id := range userIDs {
			p, ok := cache[id]
			if !ok {
				var err error
				if p, err = readProfile(ctx, tx, app, id); err != nil {
					return err
				}
				cache[id] = p
			}
			out[i] = im.Profile{Found: p.Found, Fields: maps.Clone(p.Fields)}
		}
		return nil
	})
	return out, err
}

// readProfile reads one account's profile: its accounts row, then its
// profiles rows.
func readProfile(ctx context.Context, tx *Tx, app uint64, userID string) (im.Profile, error) {
	if !im.ValidUserID(userID) {
		return im.Profile{}, nil // never imported (see accountExists)
	}
	rows, err := tx.QueryContext(ctx, "SELECT nick, face_url FROM accounts WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	if err != nil {
		return im.Profile{}, err
	}
	var nick, image string
	found := rows.Next()
	if found {
		if err := rows.Scan(&nick, &image); err != nil {
			rows.Close()
			return im.Profile{}, err
		}
	}
	if err := closeRows(rows); err != nil || !found {
		return im.Profile{}, err
	}
	p := im.Profile{Found: true, Fields: map[string]json.RawMessage{}}
	if p.Fields[im.TagNick], err = json.Marshal(nick); err != nil {
		return im.Profile{}, err
	}
	if p.Fields[im.TagImage], err = json.Marshal(image); err != nil {
		return im.Profile{}, err
	}
	rows, err = tx.QueryContext(ctx, "SELECT tag, value FROM profiles WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	if err != nil {
		return im.Profile{}, err
	}
	for rows.Next() {
		var tag, value string
		if err := rows.Scan(&tag, &value); err != nil {
			rows.Close()
			return im.Profile{}, err
		}
		p.Fields[tag] = json.RawMessage(value)
	}
	return p, closeRows(rows)
}

// deleteProfileState is account_delete's step: the account's profile rows
// go with it (Nick and Image go with its accounts row).
func deleteProfileState(ctx context.Context, tx *Tx, app uint64, userID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM profiles WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	return err
}
