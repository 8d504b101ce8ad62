package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// MarkContacts applies mark_contact's items in request order.
func (db *DB) MarkContacts(ctx context.Context, app uint64, user string, marks []im.Mark) ([]*im.Error, error) {
	var results []*im.Error
	err := db.write(ctx, func(tx *Tx) error {
		c, err := lockContactUser(ctx, tx, app, user)
		if err != nil {
			return err
		}
		results = make([]*im.Error, len(marks))
		for i, m := range marks {
			if results[i], err = c.mark(m); err != nil {
				return err
			}
		}
		return nil
	})
	return results, err
}

// mark sets and clears one conversation's marks.
func (c *contactTx) mark(m im.Mark) (*im.Error, error) {
	k := m.Contact
	if perr, err := c.checkPeer(k); perr != nil || err != nil {
		return perr, err
	}
	e, err := c.entry(k)
	if err != nil {
		return nil, err
	}
	after := e
	if m.Standard {
		after.mark = e.mark&^m.Clear | m.Set
	}
	if m.Custom {
		after.custom = m.CustomMark
	}
	switch {
	case !e.exists && !after.marked():
		// Clearing the marks of a conversation timd keeps nothing of:
		// there is nothing to change, and nothing is stored for it.
		return nil, nil
	case !e.marked() && after.marked() && c.marked >= im.MaxMarkedContacts:
		return im.Errorf(im.CodeContactTooMany, "the user already has %d marked conversations", im.MaxMarkedContacts), nil
	}
	if !e.exists {
		if err := c.insertEntry(k); err != nil {
			return nil, err
		}
	}
	if _, err := c.tx.ExecContext(c.ctx, `
		UPDATE contact_items SET standard_mark = $5, custom_mark = $6, updated_at = $7
		WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4`,
		c.app, c.user, k.Type, k.Peer, int64(after.mark), after.custom, c.tx.now.UnixMilli()); err != nil {
		return nil, err
	}
	switch {
	case !e.marked() && after.marked():
		c.marked++
	case e.marked() && !after.marked():
		c.marked--
	}
	return nil, nil
}
