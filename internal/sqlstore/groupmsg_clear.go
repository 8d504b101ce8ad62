package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// ClearGroupMsgs marks a group's messages up to upTo (0: all) cleared
// (clear_group_msg, docs/fidelity/group-messages.md): a mark, as on
// Tencent, where the admin still reads them. A mark never moves back, and
// never past the group's latest message. A Community is 10007; an
// AVChatRoom keeps no history, so there is nothing to mark.
func (db *DB) ClearGroupMsgs(ctx context.Context, op im.Op, groupID string, upTo int64) error {
	return db.write(ctx, func(tx *Tx) error {
		app := int64(op.App.SDKAppID)
		g, err := findGroup(ctx, tx, op.App.SDKAppID, groupID, true)
		if err != nil {
			return err
		}
		if g.Type == im.GroupCommunity {
			return im.Errorf(im.CodeGroupForbidden, "a Community's history cannot be cleared")
		}
		latest := g.NextMsgSeq - 1
		if upTo == 0 || upTo > latest {
			upTo = latest
		}
		if g.Type == im.GroupAVChatRoom || upTo < 1 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO group_msg_clears (app_id, group_seq, cleared_seq) VALUES ($1, $2, $3)
			ON CONFLICT (app_id, group_seq) DO UPDATE SET cleared_seq = excluded.cleared_seq
			WHERE group_msg_clears.cleared_seq < excluded.cleared_seq`,
			app, g.Seq, upTo)
		return err
	})
}

// deleteGroupMsgClears forgets a dismissed group's mark.
func deleteGroupMsgClears(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_msg_clears WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}
