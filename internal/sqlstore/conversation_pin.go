package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// recentcontact/top: pinning and unpinning conversations
// (docs/fidelity/conversations.md#recentcontacttop). Its reply has no
// per-item results, so a call is one transaction: it pins or unpins every
// conversation it names, or fails with the first item's code and changes
// nothing.

// SetPinned pins (pinned) or unpins owner's conversations ks, in order, in
// one transaction. pinned holds the time a conversation was pinned (unix
// ms). Pinning a one-to-one conversation without a row makes one, an empty
// conversation until its first message; pinning a deleted conversation
// brings it back to the list (a pinned conversation is always listed, so
// the 50 counted are the 50 get_list shows); pinning a group conversation that
// is not in owner's list (owner is not a member, or the group is an
// AVChatRoom, which has no cloud conversation) changes nothing, as
// DeleteConversation does. Pinning a pinned conversation, or unpinning one
// that is not, changes nothing. Codes: 50002 (a Type other than 1 or 2),
// 50001 (owner, or a one-to-one peer that is neither imported nor in a
// conversation with owner), 51007 (no such group), 51012 (past 50 pinned).
func (db *DB) SetPinned(ctx context.Context, app uint64, owner string, ks []im.Contact, pinned bool) error {
	for _, k := range ks {
		if k.Type != im.ContactC2C && k.Type != im.ContactGroup {
			return im.Errorf(im.CodeContactInvalid, "Type %d is neither 1 (C2C) nor 2 (group)", k.Type)
		}
	}
	return db.write(ctx, func(tx *Tx) error {
		if err := lockOwner(ctx, tx, app, owner); err != nil {
			return err
		}
		for _, k := range ks {
			if _, err := target(ctx, tx, app, owner, k); err != nil {
				return err
			}
			var err error
			if pinned {
				err = pin(ctx, tx, app, owner, k)
			} else {
				_, err = tx.ExecContext(ctx, "UPDATE conversations SET pinned = 0 WHERE app_id = $1 AND owner = $2 AND type = $3 AND peer = $4",
					int64(app), owner, k.Type, k.Peer)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// pin pins one checked conversation of owner, and undeletes it, unless it
// is pinned already or is a group conversation owner's list does not show. The count includes
// the conversations this transaction pinned before, so a call cannot pass
// the limit however many items it has.
func pin(ctx context.Context, tx *Tx, app uint64, owner string, k im.Contact) error {
	if k.Type == im.ContactGroup {
		var listed int
		err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_members m JOIN im_groups g ON g.seq = m.group_seq
			WHERE g.app_id = $1 AND g.group_id = $2 AND g.type <> 'AVChatRoom' AND m.app_id = $1 AND m.user_id = $3`,
			int64(app), k.Peer, owner).Scan(&listed)
		if err != nil || listed == 0 {
			return err
		}
	}
	var already, count int
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(SUM(CASE WHEN type = $3 AND peer = $4 THEN 1 ELSE 0 END), 0), COUNT(*)
		FROM conversations WHERE app_id = $1 AND owner = $2 AND pinned > 0`, int64(app), owner, k.Type, k.Peer).Scan(&already, &count)
	if err != nil || already > 0 {
		return err
	}
	if count >= im.MaxPinnedConversations {
		return im.Errorf(im.CodeContactPinLimit, "%s has %d pinned conversations already", owner, count)
	}
	_, err = tx.ExecContext(ctx, `
		INSERT INTO conversations (app_id, owner, type, peer, pinned) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (app_id, owner, type, peer) DO UPDATE SET pinned = excluded.pinned, deleted = 0`,
		int64(app), owner, k.Type, k.Peer, tx.now.UnixMilli())
	return err
}
