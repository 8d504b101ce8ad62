package sqlstore

import (
	"context"
	"database/sql"
	"errors"
)

// Mutes no member row holds (group_outside_mutes). A member muted in a
// group stays muted when it leaves and joins again, as Tencent's
// forbid_send_msg page says (docs/fidelity/group-admin.md): a removal that
// ends a membership still muted files the mute here, and a join takes it
// back into the new member row. An AVChatRoom keeps no member rows, so
// every mute in one is kept here, for send_group_msg to check (roomMuted).

// removeMember deletes userID's membership of the group, filing its mute
// if it still runs, and reports whether there was one.
func removeMember(ctx context.Context, tx *Tx, app uint64, groupSeq int64, userID string) (bool, error) {
	var until int64
	err := tx.QueryRowContext(ctx, "DELETE FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id = $3 RETURNING mute_until",
		int64(app), groupSeq, userID).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil || until <= tx.now.Unix() {
		return err == nil, err
	}
	return true, setOutsideMute(ctx, tx, app, groupSeq, userID, until)
}

// setOutsideMute files userID's mute of the group until (unix s), or
// forgets it when until is 0.
func setOutsideMute(ctx context.Context, tx *Tx, app uint64, groupSeq int64, userID string, until int64) error {
	if until == 0 {
		_, err := tx.ExecContext(ctx, "DELETE FROM group_outside_mutes WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
			int64(app), groupSeq, userID)
		return err
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO group_outside_mutes (app_id, group_seq, user_id, mute_until) VALUES ($1, $2, $3, $4)
		ON CONFLICT (app_id, group_seq, user_id) DO UPDATE SET mute_until = excluded.mute_until`,
		int64(app), groupSeq, userID, until)
	return err
}

// restoreLeftMutes gives the members just added to a group the mutes they
// left it with, where those still run, and forgets them.
func restoreLeftMutes(ctx context.Context, tx *Tx, app uint64, groupSeq int64, added []string) error {
	rows, err := tx.QueryContext(ctx, "SELECT user_id, mute_until FROM group_outside_mutes WHERE app_id = $1 AND group_seq = $2",
		int64(app), groupSeq)
	if err != nil {
		return err
	}
	left := map[string]int64{}
	for rows.Next() {
		var id string
		var until int64
		if err := rows.Scan(&id, &until); err != nil {
			rows.Close()
			return err
		}
		left[id] = until
	}
	if err := closeRows(rows); err != nil || len(left) == 0 {
		return err
	}
	for _, id := range added {
		until, ok := left[id]
		if !ok {
			continue
		}
		if until > tx.now.Unix() {
			if _, err := tx.ExecContext(ctx, "UPDATE group_members SET mute_until = $4 WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
				int64(app), groupSeq, id, until); err != nil {
				return err
			}
		}
		if err := setOutsideMute(ctx, tx, app, groupSeq, id, 0); err != nil {
			return err
		}
	}
	return nil
}

// deleteOutsideMutes forgets the outside mutes of a dismissed group.
func deleteOutsideMutes(ctx context.Context, tx *Tx, app, groupSeq int64) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_outside_mutes WHERE app_id = $1 AND group_seq = $2", app, groupSeq)
	return err
}

// forgetAccountMutes forgets the mutes a deleted account left groups with:
// an account imported again under its UserID starts afresh.
func forgetAccountMutes(ctx context.Context, tx *Tx, app uint64, userID string) error {
	_, err := tx.ExecContext(ctx, "DELETE FROM group_outside_mutes WHERE app_id = $1 AND user_id = $2", int64(app), userID)
	return err
}

// muteInRoom sets the AVChatRoom mutes of forbid_send_msg: until (unix s)
// for each account, or none when until is 0.
func muteInRoom(ctx context.Context, tx *Tx, app uint64, groupSeq int64, userIDs []string, until int64) error {
	for _, id := range userIDs {
		if err := setOutsideMute(ctx, tx, app, groupSeq, id, until); err != nil {
			return err
		}
	}
	return nil
}

// roomMutesSQL lists an AVChatRoom's mutes running at $3 (unix s).
const roomMutesSQL = `SELECT user_id, mute_until FROM group_outside_mutes
	WHERE app_id = $1 AND group_seq = $2 AND mute_until > $3 ORDER BY user_id`

// roomMuted reports whether userID is muted in the AVChatRoom now.
func roomMuted(ctx context.Context, tx *Tx, app uint64, groupSeq int64, userID string) (bool, error) {
	var until int64
	err := tx.QueryRowContext(ctx, "SELECT mute_until FROM group_outside_mutes WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
		int64(app), groupSeq, userID).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return until > tx.now.Unix(), err
}
