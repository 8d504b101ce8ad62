package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/timd/timd/internal/im"
)

var _ im.GroupAdminService = (*DB)(nil)

// Group administration (docs/fidelity/group-admin.md): member profiles,
// mutes, roles, imported members and unread counts. A mute is
// group_members.mute_until, unix seconds, which send_group_msg checks.

// adminGroup locks the accounts named, then the group, and checks the
// group may be administered: 10010, then 10007 for an AVChatRoom (it keeps
// no member list), then 10019 for an account not imported.
func adminGroup(ctx context.Context, tx *Tx, app uint64, groupID string, ids []string) (*im.Group, error) {
	exists, err := lockAccounts(ctx, tx, app, ids)
	if err != nil {
		return nil, err
	}
	g, err := findGroup(ctx, tx, app, groupID, true)
	if err != nil {
		return nil, err
	}
	if g.Type == im.GroupAVChatRoom {
		return nil, im.Errorf(im.CodeGroupForbidden, "an AVChatRoom keeps no member profiles")
	}
	return g, missingAccount(ids, exists)
}

// memberRow reads one membership; 10004 if userID is not a member.
func memberRow(ctx context.Context, tx *Tx, app uint64, g *im.Group, userID string) (im.Member, error) {
	m, err := scanMember(tx.QueryRowContext(ctx, "SELECT "+memberCols+
		" FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id = $3", int64(app), g.Seq, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return m, im.Errorf(im.CodeGroupInvalid, "%s is not a member of group %s", userID, g.GroupID)
	}
	return m, err
}

// muteUntil is the mute_until of a mute of secs seconds from now (0 ends
// one).
func muteUntil(now time.Time, secs int64) int64 {
	if secs == 0 {
		return 0
	}
	return now.Unix() + secs
}

// ModifyMember applies a modify_group_member_info.
func (db *DB) ModifyMember(ctx context.Context, op im.Op, groupID string, upd im.MemberUpdate) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := adminGroup(ctx, tx, app, groupID, []string{upd.UserID})
		if err != nil {
			return err
		}
		if upd.MuteFor != nil && g.Type == im.GroupPrivate {
			return im.Errorf(im.CodeGroupForbidden, "members of a Private (Work) group cannot be muted")
		}
		m, err := memberRow(ctx, tx, app, g, upd.UserID)
		if err != nil {
			return err
		}
		if upd.Role != nil && m.Role == im.RoleOwner && *upd.Role != im.RoleOwner {
			return im.Errorf(im.CodeGroupInvalid, "the owner's role cannot be changed: use change_group_owner")
		}
		deref(&m.Role, upd.Role)
		deref(&m.MsgFlag, upd.MsgFlag)
		deref(&m.NameCard, upd.NameCard)
		if upd.MuteFor != nil {
			m.MuteUntil = muteUntil(tx.now, *upd.MuteFor)
		}
		defined, err := mergeKVs(m.AppDefined, upd.AppDefined)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = $4, msg_flag = $5, name_card = $6,
			mute_until = $7, app_defined = $8 WHERE app_id = $1 AND group_seq = $2 AND user_id = $3`,
			int64(app), g.Seq, upd.UserID, m.Role, m.MsgFlag, m.NameCard, m.MuteUntil, defined); err != nil {
			return err
		}
		if upd.Role == nil && upd.NameCard == nil {
			return nil // Tencent's callback reports a role or a name card
		}
		return recordEvent(ctx, tx, op, im.AfterMemberFieldChangedBody{
			GroupID: groupID, Type: g.Type, Operator: op.Operator, Member: upd.UserID, Role: upd.Role, NameCard: upd.NameCard,
		})
	})
}

// deref sets *dst to *v when v is given: a field an update names.
func deref[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// MuteMembers applies a forbid_send_msg: every account must be a member,
// or nothing changes. An AVChatRoom keeps no members: any imported account
// can be muted in it (muteInRoom).
func (db *DB) MuteMembers(ctx context.Context, op im.Op, groupID string, userIDs []string, secs int64) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		exists, err := lockAccounts(ctx, tx, app, userIDs)
		if err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if err := missingAccount(userIDs, exists); err != nil {
			return err
		}
		if g.Type == im.GroupPrivate {
			return im.Errorf(im.CodeGroupForbidden, "members of a Private (Work) group cannot be muted")
		}
		until := muteUntil(tx.now, secs)
		if g.Type == im.GroupAVChatRoom {
			return muteInRoom(ctx, tx, app, g.Seq, userIDs, until)
		}
		for _, id := range userIDs {
			res, err := tx.ExecContext(ctx, "UPDATE group_members SET mute_until = $4 WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
				int64(app), g.Seq, id, until)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 0 {
				return im.Errorf(im.CodeGroupInvalid, "%s is not a member of group %s", id, groupID)
			}
		}
		return nil
	})
}

// MutedMembers lists the members whose mute has not ended, in the order
// they joined; an AVChatRoom's muted accounts in UserID order.
func (db *DB) MutedMembers(ctx context.Context, app uint64, groupID string) ([]im.MutedMember, error) {
	var out []im.MutedMember
	err := db.read(ctx, func(tx *Tx) error {
		g, err := findGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		q := `SELECT user_id, mute_until FROM group_members
			WHERE app_id = $1 AND group_seq = $2 AND mute_until > $3 ORDER BY join_seq`
		if g.Type == im.GroupAVChatRoom {
			q = roomMutesSQL
		}
		rows, err := tx.QueryContext(ctx, q, int64(app), g.Seq, tx.now.Unix())
		if err != nil {
			return err
		}
		out = []im.MutedMember{}
		for rows.Next() {
			var m im.MutedMember
			if err := rows.Scan(&m.UserID, &m.Until); err != nil {
				rows.Close()
				return err
			}
			out = append(out, m)
		}
		return closeRows(rows)
	})
	return out, err
}

// Roles reads each account's role in a group.
func (db *DB) Roles(ctx context.Context, app uint64, groupID string, userIDs []string) ([]string, error) {
	var roles []string
	err := db.read(ctx, func(tx *Tx) error {
		g, err := findGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom does not answer roles: use get_group_member_info")
		}
		roles = make([]string, len(userIDs))
		for i, id := range userIDs {
			roles[i] = im.RoleNotMember
			if !im.ValidUserID(id) {
				continue // never an account, so never a member
			}
			err := tx.QueryRowContext(ctx, "SELECT role FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
				int64(app), g.Seq, id).Scan(&roles[i])
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		return nil
	})
	return roles, err
}

// SetUnread applies a set_unread_msg_num.
func (db *DB) SetUnread(ctx context.Context, app uint64, groupID, userID string, n int) error {
	return db.write(ctx, func(tx *Tx) error {
		g, err := adminGroup(ctx, tx, app, groupID, []string{userID})
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, "UPDATE group_members SET unread_msg_num = $4 WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
			int64(app), g.Seq, userID, n)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if k == 0 {
			return im.Errorf(im.CodeGroupInvalid, "%s is not a member of group %s", userID, groupID)
		}
		return nil
	})
}

// ImportMembers applies an import_group_member: AddMembers with the
// members' roles, join times and unread counts, and no callback.
func (db *DB) ImportMembers(ctx context.Context, op im.Op, groupID string, members []im.ImportMember) ([]im.AddResult, error) {
	list := make([]im.Member, len(members))
	for i, m := range members {
		list[i] = im.Member{UserID: m.UserID, Role: m.Role, Unread: m.Unread}
		if m.JoinTime != 0 {
			list[i].JoinTime = time.Unix(m.JoinTime, 0)
		}
	}
	var results []im.AddResult
	err := db.write(ctx, func(tx *Tx) error {
		var err error
		results, _, _, err = addMembers(ctx, tx, op.App.SDKAppID, groupID, list)
		return err
	})
	return results, err
}
