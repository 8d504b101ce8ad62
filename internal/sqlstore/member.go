package sqlstore

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/timd/timd/internal/im"
)

// AddMembers adds accounts to a group in one transaction.
func (db *DB) AddMembers(ctx context.Context, op im.Op, groupID string, userIDs []string) ([]im.AddResult, error) {
	var results []im.AddResult
	err := db.write(ctx, func(tx *Tx) error {
		members := make([]im.Member, len(userIDs))
		for i, id := range userIDs {
			members[i] = im.Member{UserID: id, Role: im.RoleMember}
		}
		var (
			g     *im.Group
			added []string
			err   error
		)
		results, added, g, err = addMembers(ctx, tx, op.App.SDKAppID, groupID, members)
		if err != nil || len(added) == 0 {
			return err
		}
		return recordEvent(ctx, tx, op, im.AfterNewMemberJoinBody{
			GroupID: groupID, Type: g.Type, JoinType: "Invited", Operator: op.Operator, NewMemberList: im.MemberAccounts(added),
		})
	})
	return results, err
}

// addMembers adds members to a group (add_group_member,
// import_group_member): 10010, 10007 (AVChatRoom), 10019, 10014. A member
// already in the group, or named twice, is AddAlreadyMember.
func addMembers(ctx context.Context, tx *Tx, app uint64, groupID string, members []im.Member) ([]im.AddResult, []string, *im.Group, error) {
	userIDs := make([]string, len(members))
	for i, m := range members {
		userIDs[i] = m.UserID
	}
	// Accounts are locked before the group (see DeleteAccounts); a
	// missing one is reported after the group's own checks.
	exists, err := lockAccounts(ctx, tx, app, userIDs)
	if err != nil {
		return nil, nil, nil, err
	}
	g, err := findGroup(ctx, tx, app, groupID, true)
	if err != nil {
		return nil, nil, nil, err
	}
	if g.Type == im.GroupAVChatRoom {
		return nil, nil, nil, im.Errorf(im.CodeGroupForbidden, "members cannot be added to an AVChatRoom")
	}
	if err := missingAccount(userIDs, exists); err != nil {
		return nil, nil, nil, err
	}
	results := make([]im.AddResult, len(members))
	var add []im.Member
	var added []string
	seen := map[string]bool{}
	for i, m := range members {
		member, err := isMember(ctx, tx, app, g.Seq, m.UserID)
		if err != nil {
			return nil, nil, nil, err
		}
		if member || seen[m.UserID] {
			results[i] = im.AddAlreadyMember
			continue
		}
		seen[m.UserID] = true
		results[i] = im.AddAdded
		add, added = append(add, m), append(added, m.UserID)
	}
	if len(add) == 0 {
		return results, nil, g, nil
	}
	if g.MemberNum+len(add) > g.MaxMemberNum {
		return nil, nil, nil, im.Errorf(im.CodeGroupFull, "adding %d members would exceed the group's limit of %d", len(add), g.MaxMemberNum)
	}
	var counter int64
	if err := tx.QueryRowContext(ctx, `
		UPDATE im_groups SET member_num = member_num + $3, join_counter = join_counter + $3
		WHERE app_id = $1 AND group_id = $2 RETURNING join_counter`,
		int64(app), groupID, len(add)).Scan(&counter); err != nil {
		return nil, nil, nil, err
	}
	if err := insertMembers(ctx, tx, app, g.Seq, add, counter-int64(len(add))+1); err != nil {
		return nil, nil, nil, err
	}
	if err := restoreLeftMutes(ctx, tx, app, g.Seq, added); err != nil {
		return nil, nil, nil, err
	}
	return results, added, g, nil
}

// isMember reports whether userID belongs to the group.
func isMember(ctx context.Context, tx *Tx, app uint64, groupSeq int64, userID string) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
		int64(app), groupSeq, userID).Scan(&n)
	return n > 0, err
}

// DeleteMembers removes members from a group in one transaction.
func (db *DB) DeleteMembers(ctx context.Context, op im.Op, groupID string, userIDs []string) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom has no member list")
		}
		for _, id := range userIDs {
			if g.Owner != "" && id == g.Owner {
				return im.Errorf(im.CodeGroupInvalid, "the group owner %s cannot be removed", id)
			}
		}
		var removed []im.MemberAccount
		for _, id := range userIDs {
			if !im.ValidUserID(id) {
				continue // never an account, so never a member
			}
			ok, err := removeMember(ctx, tx, app, g.Seq, id)
			if err != nil {
				return err
			}
			if ok {
				removed = append(removed, im.MemberAccount{Account: id})
			}
		}
		if len(removed) == 0 {
			return nil
		}
		if _, err := tx.ExecContext(ctx, "UPDATE im_groups SET member_num = member_num - $3 WHERE app_id = $1 AND group_id = $2",
			int64(app), groupID, len(removed)); err != nil {
			return err
		}
		return recordEvent(ctx, tx, op, im.AfterMemberExitBody{
			GroupID: groupID, Type: g.Type, ExitType: "Kicked", Operator: op.Operator, ExitMemberList: removed,
		})
	})
}

// memberCols are the columns scanMember reads.
const memberCols = "join_seq, user_id, role, join_time, msg_flag, name_card, mute_until, unread_msg_num, app_defined"

func scanMember(row scanner) (im.Member, error) {
	var (
		m          im.Member
		joined     int64
		appDefined string
	)
	if err := row.Scan(&m.Seq, &m.UserID, &m.Role, &joined, &m.MsgFlag, &m.NameCard, &m.MuteUntil, &m.Unread, &appDefined); err != nil {
		return m, err
	}
	m.JoinTime = msTime(joined)
	return m, json.Unmarshal([]byte(appDefined), &m.AppDefined)
}

// Members lists a group's members in joining order.
func (db *DB) Members(ctx context.Context, app uint64, groupID string, f im.MemberFilter) (*im.Group, []im.Member, int64, error) {
	var (
		g       *im.Group
		members []im.Member
		next    int64
	)
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		if g, err = findGroup(ctx, tx, app, groupID, false); err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom has no member list")
		}
		q := "SELECT " + memberCols + " FROM group_members WHERE app_id = $1 AND group_seq = $2 AND join_seq > $3"
		args := []any{int64(app), g.Seq, f.After}
		q, args = inList(q, "role", f.Roles, args)
		q, args = inList(q, "user_id", f.Users, args)
		q += " ORDER BY join_seq"
		limit := f.Limit
		if limit > 0 {
			args = append(args, limit+1, f.Offset)
			q += " LIMIT " + limitParam(len(args)-1) + " OFFSET $" + itoa(len(args))
		} else if f.Offset > 0 {
			args = append(args, noLimit, f.Offset)
			q += " LIMIT " + limitParam(len(args)-1) + " OFFSET $" + itoa(len(args))
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		members = members[:0]
		for rows.Next() {
			m, err := scanMember(rows)
			if err != nil {
				return err
			}
			members = append(members, m)
		}
		if limit > 0 && len(members) > limit {
			members = members[:limit]
			next = members[limit-1].Seq
		}
		return rows.Err()
	})
	return g, members, next, err
}

// ChangeOwner makes a member the group's owner; the old owner stays a member.
func (db *DB) ChangeOwner(ctx context.Context, op im.Op, groupID, newOwner string) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		// The new owner's account is locked before the group (see
		// DeleteAccounts); if missing, it is reported after the group's
		// own checks.
		exists, err := lockAccounts(ctx, tx, app, []string{newOwner})
		if err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom's owner cannot be changed")
		}
		if err := missingAccount([]string{newOwner}, exists); err != nil {
			return err
		}
		member, err := isMember(ctx, tx, app, g.Seq, newOwner)
		if err != nil {
			return err
		}
		if !member {
			return im.Errorf(im.CodeGroupInvalid, "%s is not a member of group %s", newOwner, groupID)
		}
		if newOwner == g.Owner {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = 'Member'
			WHERE app_id = $1 AND group_seq = $2 AND role = 'Owner'`, int64(app), g.Seq); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE group_members SET role = 'Owner'
			WHERE app_id = $1 AND group_seq = $2 AND user_id = $3`, int64(app), g.Seq, newOwner); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE im_groups SET owner = $3, info_seq = info_seq + 1, info_time = $4
			WHERE app_id = $1 AND group_id = $2`, int64(app), groupID, newOwner, tx.now.UnixMilli())
		return err
	})
}

// inList adds "AND col IN (...)" with vals as parameters to q, or nothing
// for no vals.
func inList(q, col string, vals []string, args []any) (string, []any) {
	if len(vals) == 0 {
		return q, args
	}
	ph := make([]string, len(vals))
	for i, v := range vals {
		args = append(args, v)
		ph[i] = "$" + itoa(len(args))
	}
	return q + " AND " + col + " IN (" + strings.Join(ph, ", ") + ")", args
}
