package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

// recentcontact/delete, and the account and group cascades of
// conversations (recentcontact/top is in conversation_pin.go). Each write
// holds the owner's accounts row (forKeyShare), so that what it stores
// cannot outlive a concurrent account_delete, and then a group's row, in
// the order every write takes them (accounts first).

// convTarget is the conversation a write is about, once checked.
type convTarget struct {
	k      im.Contact
	exists bool  // a conversations row (one-to-one), or the group's row (group)
	clear  int64 // clear_id for ClearRamble: the last c2c_msgs.id or group MsgSeq
}

// lockOwner fails with 50001 unless owner is imported, and keeps the row.
func lockOwner(ctx context.Context, tx *Tx, app uint64, owner string) error {
	exists, err := lockAccounts(ctx, tx, app, []string{owner})
	if err == nil && !exists[owner] {
		err = errContactUser(owner)
	}
	return err
}

// target checks a conversation's peer: a one-to-one peer must be imported
// or already in a conversation with owner (an account deleted since keeps
// its conversations on the other side), else 50001; a group must exist,
// else 51007.
func target(ctx context.Context, tx *Tx, app uint64, owner string, k im.Contact) (convTarget, error) {
	t := convTarget{k: k}
	if !storablePeer(k) {
		return t, errPeer(k)
	}
	if k.Type == im.ContactGroup {
		err := tx.QueryRowContext(ctx, "SELECT next_msg_seq - 1 FROM im_groups WHERE app_id = $1 AND group_id = $2"+tx.forKeyShare(),
			int64(app), k.Peer).Scan(&t.clear)
		if errors.Is(err, sql.ErrNoRows) {
			return t, errPeer(k)
		}
		t.exists = err == nil
		return t, err
	}
	var one int
	err := tx.QueryRowContext(ctx, "SELECT 1 FROM conversations WHERE app_id = $1 AND owner = $2 AND type = 1 AND peer = $3",
		int64(app), owner, k.Peer).Scan(&one)
	if err == nil {
		t.exists = true
		lo, hi := min(owner, k.Peer), max(owner, k.Peer)
		err = tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(id), 0) FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3",
			int64(app), lo, hi).Scan(&t.clear)
		return t, err
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return t, err
	}
	ok, err := accountExists(ctx, tx, app, k.Peer)
	if err == nil && !ok {
		err = errPeer(k)
	}
	return t, err
}

func errPeer(k im.Contact) error {
	if k.Type == im.ContactGroup {
		return im.Errorf(im.CodeContactGroupGone, "group %s does not exist or has been dismissed", k.Peer)
	}
	return im.Errorf(im.CodeContactAccountNotFound, "To_Account %s is not imported", k.Peer)
}

// DeleteConversation deletes one of owner's conversations: it leaves
// get_list until a later message (deleted holds the time), unpinned. With clear,
// owner's history of it is cleared up to its last message (clear_id;
// admin_getroammsg honours it for owner). A one-to-one conversation owner
// does not have, or a group owner is not in, is left alone: nothing to do.
func (db *DB) DeleteConversation(ctx context.Context, app uint64, owner string, k im.Contact, clear bool) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := lockOwner(ctx, tx, app, owner); err != nil {
			return err
		}
		t, err := target(ctx, tx, app, owner, k)
		if err != nil || !t.exists {
			return err
		}
		if k.Type == im.ContactGroup {
			var member int
			err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members m JOIN im_groups g ON g.seq = m.group_seq
				WHERE g.app_id = $1 AND g.group_id = $2 AND m.app_id = $1 AND m.user_id = $3`, int64(app), k.Peer, owner).Scan(&member)
			if err != nil || member == 0 {
				return err
			}
		}
		// Deleting a conversation also reads it: its unread count goes to
		// 0 and stays there for the messages before the deletion.
		var clearID int64 // a new row clears nothing unless asked
		if clear {
			clearID = t.clear
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO conversations (app_id, owner, type, peer, deleted, read_time, clear_id) VALUES ($1, $2, $3, $4, $5, $5, $6)
			ON CONFLICT (app_id, owner, type, peer) DO UPDATE SET deleted = excluded.deleted, pinned = 0, unread = 0,
				read_time = CASE WHEN conversations.read_time > excluded.read_time THEN conversations.read_time ELSE excluded.read_time END,
				clear_id = CASE WHEN $7 = 1 THEN excluded.clear_id ELSE conversations.clear_id END`,
			int64(app), owner, k.Type, k.Peer, tx.now.Unix(), clearID, b2i(clear))
		return err
	})
}

// deleteConversationState is account_delete's step: the account's own
// conversations go; its messages stay, in the history and the
// conversations of the other side (docs/fidelity/conversations.md).
func deleteConversationState(ctx context.Context, tx *Tx, app uint64, userID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM conversations WHERE app_id = $1 AND owner = $2", int64(app), userID)
	return err
}

// deleteGroupConversationRows is destroy_group's step: what accounts
// changed about the group's conversation (pinned, deleted) goes with the
// group, so that a new group with the same id starts clean.
func deleteGroupConversationRows(ctx context.Context, tx *Tx, app uint64, groupID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM conversations WHERE app_id = $1 AND type = 2 AND peer = $2", int64(app), groupID)
	return err
}
