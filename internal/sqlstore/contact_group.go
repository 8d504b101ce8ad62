package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

// findContactGroup returns the id of the user's conversation group called
// name, or 51009.
func (c *contactTx) findContactGroup(name string) (int, error) {
	var id int
	err := c.tx.QueryRowContext(c.ctx, "SELECT group_id FROM contact_groups WHERE app_id = $1 AND user_id = $2 AND name = $3",
		c.app, c.user, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, im.Errorf(im.CodeContactGroupNotFound, "conversation group %q does not exist", name)
	}
	return id, err
}

// requireFreeName fails with 50002 if the user has a conversation group
// called name: groups are named, not numbered, in every request.
func (c *contactTx) requireFreeName(name string) error {
	_, err := c.findContactGroup(name)
	switch im.ErrorCode(err) {
	case im.CodeContactGroupNotFound:
		return nil
	case 0:
		return im.Errorf(im.CodeContactInvalid, "conversation group %q already exists", name)
	}
	return err
}

// CreateContactGroup creates a conversation group with the user's next id.
func (db *DB) CreateContactGroup(ctx context.Context, app uint64, user, name string, contacts []im.Contact) (im.ContactGroupRef, []*im.Error, error) {
	var (
		ref     im.ContactGroupRef
		results []*im.Error
	)
	err := db.write(ctx, func(tx *Tx) error {
		c, err := lockContactUser(ctx, tx, app, user)
		if err != nil {
			return err
		}
		if err := c.requireFreeName(name); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM contact_groups WHERE app_id = $1 AND user_id = $2",
			c.app, user).Scan(&n); err != nil {
			return err
		}
		if n >= im.MaxContactGroups {
			return im.Errorf(im.CodeContactGroupLimit, "the user already has %d conversation groups", im.MaxContactGroups)
		}
		// The counter row is created on the user's first group and only
		// ever counts up, so a deleted group's id is never drawn again.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO contact_users (app_id, user_id) VALUES ($1, $2) ON CONFLICT (app_id, user_id) DO NOTHING`,
			c.app, user); err != nil {
			return err
		}
		ref = im.ContactGroupRef{Name: name}
		if err := tx.QueryRowContext(ctx, `
			UPDATE contact_users SET next_group_id = next_group_id + 1 WHERE app_id = $1 AND user_id = $2
			RETURNING next_group_id - 1`, c.app, user).Scan(&ref.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO contact_groups (app_id, user_id, group_id, name, created_at) VALUES ($1, $2, $3, $4, $5)`,
			c.app, user, ref.ID, name, tx.now.UnixMilli()); err != nil {
			return err
		}
		results = make([]*im.Error, len(contacts))
		for i, k := range contacts {
			if results[i], err = c.addToGroup(ref.ID, k); err != nil {
				return err
			}
		}
		return nil
	})
	return ref, results, err
}

// RenameContactGroup renames one of the user's conversation groups.
func (db *DB) RenameContactGroup(ctx context.Context, app uint64, user, oldName, newName string) (im.ContactGroupRef, error) {
	var ref im.ContactGroupRef
	err := db.write(ctx, func(tx *Tx) error {
		c, err := lockContactUser(ctx, tx, app, user)
		if err != nil {
			return err
		}
		id, err := c.findContactGroup(oldName)
		if err != nil {
			return err
		}
		ref = im.ContactGroupRef{ID: id, Name: newName}
		if newName == oldName {
			return nil
		}
		if err := c.requireFreeName(newName); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE contact_groups SET name = $4 WHERE app_id = $1 AND user_id = $2 AND group_id = $3",
			c.app, user, id, newName)
		return err
	})
	return ref, err
}

// UpdateContactGroup adds conversations to and removes them from one of the
// user's conversation groups, in request order.
func (db *DB) UpdateContactGroup(ctx context.Context, app uint64, user, name string, changes []im.ContactChange) (im.ContactGroupRef, []*im.Error, error) {
	var (
		ref     im.ContactGroupRef
		results []*im.Error
	)
	err := db.write(ctx, func(tx *Tx) error {
		c, err := lockContactUser(ctx, tx, app, user)
		if err != nil {
			return err
		}
		id, err := c.findContactGroup(name)
		if err != nil {
			return err
		}
		ref = im.ContactGroupRef{ID: id, Name: name}
		results = make([]*im.Error, len(changes))
		for i, ch := range changes {
			if ch.Remove {
				err = c.removeFromGroup(id, ch.Contact)
			} else {
				results[i], err = c.addToGroup(id, ch.Contact)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return ref, results, err
}

// DeleteContactGroup deletes one of the user's conversation groups. Its
// conversations stay, each changed now (it lost a group).
func (db *DB) DeleteContactGroup(ctx context.Context, app uint64, user, name string) (im.ContactGroupRef, error) {
	var ref im.ContactGroupRef
	err := db.write(ctx, func(tx *Tx) error {
		c, err := lockContactUser(ctx, tx, app, user)
		if err != nil {
			return err
		}
		id, err := c.findContactGroup(name)
		if err != nil {
			return err
		}
		ref = im.ContactGroupRef{ID: id, Name: name}
		if _, err := tx.ExecContext(ctx, `
			UPDATE contact_items SET updated_at = $4 WHERE app_id = $1 AND user_id = $2 AND EXISTS (
				SELECT 1 FROM contact_group_items m WHERE m.app_id = $1 AND m.user_id = $2 AND m.group_id = $3
					AND m.type = contact_items.type AND m.peer = contact_items.peer)`,
			c.app, user, id, tx.now.UnixMilli()); err != nil {
			return err
		}
		for _, table := range []string{"contact_group_items", "contact_groups"} {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE app_id = $1 AND user_id = $2 AND group_id = $3",
				c.app, user, id); err != nil {
				return err
			}
		}
		return nil
	})
	return ref, err
}
