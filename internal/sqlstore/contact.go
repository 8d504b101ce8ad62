package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

// Conversation groups and marks. Every write locks the From_Account's
// accounts row first (forNoKeyUpdate), so that writes to one user run one at
// a time (on PostgreSQL across instances too): two concurrent creates cannot
// both see 19 groups, nor draw one id twice, and account_delete, which
// deletes that row, waits for them or they for it. A C2C peer's row is held
// forKeyShare, which that lock does not block, so two users marking their
// conversations with each other do not wait for each other.

var _ im.ContactService = (*DB)(nil)

// contactTx is one write to a user's conversation groups and marks. The
// counts the limits need are read once, under the user's lock, and kept up
// to date by every change the transaction makes.
type contactTx struct {
	ctx  context.Context
	tx   *Tx
	app  int64
	user string

	grouped int // conversations in at least one conversation group
	marked  int // conversations with a standard or custom mark
	entries int // conversations kept, marked or grouped or neither
}

// errContactUser is the answer for a From_Account that is not imported.
func errContactUser(user string) error {
	return im.Errorf(im.CodeContactAccountNotFound, "From_Account %s is not imported", user)
}

// lockContactUser locks user's accounts row (50001 if there is none) and
// reads the user's counts.
func lockContactUser(ctx context.Context, tx *Tx, app uint64, user string) (*contactTx, error) {
	if !im.ValidUserID(user) {
		return nil, errContactUser(user)
	}
	var id string
	err := tx.QueryRowContext(ctx, "SELECT user_id FROM accounts WHERE app_id = $1 AND user_id = $2"+tx.forNoKeyUpdate(),
		int64(app), user).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errContactUser(user)
	}
	if err != nil {
		return nil, err
	}
	c := &contactTx{ctx: ctx, tx: tx, app: int64(app), user: user}
	err = tx.QueryRowContext(ctx, `
		SELECT COUNT(*), COALESCE(SUM(CASE WHEN standard_mark <> 0 OR custom_mark <> '' THEN 1 ELSE 0 END), 0)
		FROM contact_items WHERE app_id = $1 AND user_id = $2`, c.app, user).Scan(&c.entries, &c.marked)
	if err != nil {
		return nil, err
	}
	err = tx.QueryRowContext(ctx, `
		SELECT COUNT(*) FROM (SELECT DISTINCT type, peer FROM contact_group_items WHERE app_id = $1 AND user_id = $2) g`,
		c.app, user).Scan(&c.grouped)
	return c, err
}

// storablePeer reports whether k's peer could be stored at all: a valid
// UserID or a well-formed GroupId. Anything else is known to be absent, and
// is kept away from the database (which could not even be asked about a NUL
// byte: see storableText).
func storablePeer(k im.Contact) bool {
	if k.Type == im.ContactC2C {
		return im.ValidUserID(k.Peer)
	}
	return im.WellFormedGroupID(k.Peer)
}

// checkPeer is the per-item check of a conversation being added or marked:
// a C2C peer must be imported (50001), a group must exist (51007). The
// peer's accounts row or the group's row stays locked against deletion
// until the transaction ends (see forKeyShare), so a deletion or dismissal
// cannot slip in between.
func (c *contactTx) checkPeer(k im.Contact) (*im.Error, error) {
	ok := storablePeer(k)
	if k.Type == im.ContactC2C {
		if ok {
			exists, err := lockAccounts(c.ctx, c.tx, uint64(c.app), []string{k.Peer})
			if err != nil {
				return nil, err
			}
			ok = exists[k.Peer]
		}
		if !ok {
			return im.Errorf(im.CodeContactAccountNotFound, "To_Account %s is not imported", k.Peer), nil
		}
		return nil, nil
	}
	if ok {
		var one int
		err := c.tx.QueryRowContext(c.ctx, "SELECT 1 FROM im_groups WHERE app_id = $1 AND group_id = $2"+c.tx.forKeyShare(),
			c.app, k.Peer).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			ok = false
		} else if err != nil {
			return nil, err
		}
	}
	if !ok {
		return im.Errorf(im.CodeContactGroupGone, "group %s does not exist or has been dismissed", k.Peer), nil
	}
	return nil, nil
}

// entry is what a transaction knows of one stored conversation.
type entry struct {
	exists bool
	mark   uint64
	custom string
	groups int // conversation groups holding it
}

func (e entry) marked() bool { return e.mark != 0 || e.custom != "" }

// entry reads a conversation of the user and counts its groups.
func (c *contactTx) entry(k im.Contact) (entry, error) {
	var (
		e    entry
		mark int64
	)
	err := c.tx.QueryRowContext(c.ctx, `
		SELECT standard_mark, custom_mark, (SELECT COUNT(*) FROM contact_group_items m
			WHERE m.app_id = $1 AND m.user_id = $2 AND m.type = $3 AND m.peer = $4)
		FROM contact_items WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4`,
		c.app, c.user, k.Type, k.Peer).Scan(&mark, &e.custom, &e.groups)
	if errors.Is(err, sql.ErrNoRows) {
		return entry{}, nil
	}
	e.exists, e.mark = err == nil, uint64(mark)
	return e, err
}

// insertEntry stores a new conversation of the user, first dropping the
// least recently changed conversation that is neither grouped nor marked if
// the user has MaxContactEntries already.
func (c *contactTx) insertEntry(k im.Contact) error {
	if c.entries >= im.MaxContactEntries {
		var (
			typ  int
			peer string
		)
		err := c.tx.QueryRowContext(c.ctx, `
			SELECT type, peer FROM contact_items c WHERE app_id = $1 AND user_id = $2
				AND standard_mark = 0 AND custom_mark = '' AND NOT EXISTS (
					SELECT 1 FROM contact_group_items m
					WHERE m.app_id = $1 AND m.user_id = $2 AND m.type = c.type AND m.peer = c.peer)
			ORDER BY updated_at, type, peer LIMIT 1`, c.app, c.user).Scan(&typ, &peer)
		if errors.Is(err, sql.ErrNoRows) {
			// Unreachable while the grouped and marked limits hold.
			return im.Errorf(im.CodeContactTooMany, "too many conversations with groups or marks")
		}
		if err != nil {
			return err
		}
		if _, err := c.tx.ExecContext(c.ctx, "DELETE FROM contact_items WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4",
			c.app, c.user, typ, peer); err != nil {
			return err
		}
		c.entries--
	}
	_, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO contact_items (app_id, user_id, type, peer, updated_at) VALUES ($1, $2, $3, $4, $5)`,
		c.app, c.user, k.Type, k.Peer, c.tx.now.UnixMilli())
	if err == nil {
		c.entries++
	}
	return err
}

// touch records that a conversation changed now (its Timestamp).
func (c *contactTx) touch(k im.Contact) error {
	_, err := c.tx.ExecContext(c.ctx, `
		UPDATE contact_items SET updated_at = $5 WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4`,
		c.app, c.user, k.Type, k.Peer, c.tx.now.UnixMilli())
	return err
}

// addToGroup puts a conversation in conversation group gid. Adding one
// the group already holds succeeds and changes nothing.
func (c *contactTx) addToGroup(gid int, k im.Contact) (*im.Error, error) {
	if perr, err := c.checkPeer(k); perr != nil || err != nil {
		return perr, err
	}
	e, err := c.entry(k)
	if err != nil {
		return nil, err
	}
	if e.groups > 0 {
		var n int
		if err := c.tx.QueryRowContext(c.ctx, `
			SELECT COUNT(*) FROM contact_group_items
			WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4 AND group_id = $5`,
			c.app, c.user, k.Type, k.Peer, gid).Scan(&n); err != nil || n > 0 {
			return nil, err
		}
	} else if c.grouped >= im.MaxGroupedContacts {
		return im.Errorf(im.CodeContactTooMany, "the user already has %d conversations in conversation groups", im.MaxGroupedContacts), nil
	}
	if _, err := c.tx.ExecContext(c.ctx, `
		INSERT INTO contact_group_items (app_id, user_id, type, peer, group_id) VALUES ($1, $2, $3, $4, $5)`,
		c.app, c.user, k.Type, k.Peer, gid); err != nil {
		return nil, err
	}
	if e.groups == 0 {
		c.grouped++
	}
	if !e.exists {
		return nil, c.insertEntry(k) // stamped now
	}
	return nil, c.touch(k)
}

// removeFromGroup takes a conversation out of conversation group gid; the
// conversation itself stays. Removing one the group does not hold succeeds.
func (c *contactTx) removeFromGroup(gid int, k im.Contact) error {
	if !storablePeer(k) {
		return nil
	}
	res, err := c.tx.ExecContext(c.ctx, `
		DELETE FROM contact_group_items WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4 AND group_id = $5`,
		c.app, c.user, k.Type, k.Peer, gid)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return err
	}
	e, err := c.entry(k)
	if err != nil {
		return err
	}
	if e.groups == 0 {
		c.grouped--
	}
	return c.touch(k)
}

// removeGroupConversations is destroy_group's step: the dismissed group's
// conversation leaves every user's conversation groups and loses its marks, in
// the dismissal's transaction (docs/decisions.md §3.8).
func removeGroupConversations(ctx context.Context, tx *Tx, app uint64, groupID string) error {
	for _, q := range []string{
		"DELETE FROM contact_group_items WHERE app_id = $1 AND type = $2 AND peer = $3",
		"DELETE FROM contact_items WHERE app_id = $1 AND type = $2 AND peer = $3",
	} {
		if _, err := tx.ExecContext(ctx, q, int64(app), im.ContactGroup, groupID); err != nil {
			return err
		}
	}
	return deleteGroupConversationRows(ctx, tx, app, groupID)
}

// deleteContactState is account_delete's step: the user's conversation groups,
// conversations and marks, and the id counter (docs/decisions.md §2.4). Other
// users' conversations with the user stay, as their own data.
func deleteContactState(ctx context.Context, tx *Tx, app uint64, userID string) error {
	for _, table := range []string{"contact_group_items", "contact_items", "contact_groups", "contact_users"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE app_id = $1 AND user_id = $2", int64(app), userID); err != nil {
			return err
		}
	}
	return nil
}
