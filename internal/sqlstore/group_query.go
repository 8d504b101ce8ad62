package sqlstore

import (
	"context"
	"encoding/json"
	"math"

	"github.com/timd/timd/internal/im"
)

// noLimit is a LIMIT that lets every row through, for an OFFSET without a
// LIMIT: SQLite takes a negative LIMIT for that, PostgreSQL refuses one, and
// both take the largest bigint.
const noLimit = int64(math.MaxInt64)

// FindGroups reads groups by id, and their members when asked.
func (db *DB) FindGroups(ctx context.Context, app uint64, ids []string, withMembers bool) ([]*im.Group, [][]im.Member, error) {
	var (
		groups  []*im.Group
		members [][]im.Member
		gen     uint64
	)
	if db.groups != nil {
		var ok bool
		if groups, members, gen, ok = db.groups.cachedGroups(app, ids, withMembers); ok {
			return groups, members, nil
		}
	}
	err := db.read(ctx, func(tx *Tx) error {
		groups, members = make([]*im.Group, len(ids)), make([][]im.Member, len(ids))
		for i, id := range ids {
			g, err := findGroup(ctx, tx, app, id, false)
			if im.ErrorCode(err) == im.CodeGroupNotFound {
				continue
			}
			if err != nil {
				return err
			}
			groups[i] = g
			if withMembers && g.Type != im.GroupAVChatRoom {
				if members[i], err = allMembers(ctx, tx, app, g.Seq); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err == nil && db.groups != nil {
		db.groups.fill(app, ids, withMembers, gen, groups, members)
	}
	return groups, members, err
}

// allMembers lists every member of a group in joining order.
func allMembers(ctx context.Context, tx *Tx, app uint64, groupSeq int64) ([]im.Member, error) {
	rows, err := tx.QueryContext(ctx, "SELECT "+memberCols+
		" FROM group_members WHERE app_id = $1 AND group_seq = $2 ORDER BY join_seq", int64(app), groupSeq)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []im.Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AppGroups pages through an app's groups in creation order. Next is the
// seq of the page's last group while more follow, 0 at the end.
func (db *DB) AppGroups(ctx context.Context, app uint64, f im.GroupListFilter) (int, []string, int64, error) {
	var (
		total int
		ids   []string
		next  int64
	)
	err := db.read(ctx, func(tx *Tx) error {
		where, args := "app_id = $1", []any{int64(app)}
		if f.Type != "" {
			where, args = where+" AND type = $2", append(args, f.Type)
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM im_groups WHERE "+where, args...).Scan(&total); err != nil {
			return err
		}
		args = append(args, f.After, f.Limit+1)
		rows, err := tx.QueryContext(ctx, "SELECT seq, group_id FROM im_groups WHERE "+where+
			" AND seq > $"+itoa(len(args)-1)+" ORDER BY seq LIMIT "+limitParam(len(args)), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		ids, next = []string{}, 0
		var seqs []int64
		for rows.Next() {
			var seq int64
			var id string
			if err := rows.Scan(&seq, &id); err != nil {
				return err
			}
			seqs, ids = append(seqs, seq), append(ids, id)
		}
		if len(ids) > f.Limit {
			ids, next = ids[:f.Limit], seqs[f.Limit-1]
		}
		return rows.Err()
	})
	return total, ids, next, err
}

// JoinedGroups lists the groups a user belongs to, in creation order.
func (db *DB) JoinedGroups(ctx context.Context, app uint64, userID string, f im.JoinedFilter) (int, []im.Joined, error) {
	var (
		total  int
		joined []im.Joined
	)
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireAccounts(ctx, tx, app, []string{userID}); err != nil {
			return err
		}
		from := ` FROM group_members m JOIN im_groups g ON g.seq = m.group_seq
			WHERE m.app_id = $1 AND m.user_id = $2`
		args := []any{int64(app), userID}
		if f.Type != "" {
			args = append(args, f.Type)
			from += " AND g.type = $" + itoa(len(args))
		}
		if !f.WithHugeGroups {
			from += " AND g.type <> 'AVChatRoom'"
		}
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*)"+from, args...).Scan(&total); err != nil {
			return err
		}
		q := "SELECT g.seq, g.group_id, g.type, g.name, g.introduction, g.notification, g.face_url, g.owner, g.created_at, " +
			"g.info_seq, g.info_time, g.member_num, g.max_members, g.apply_join, g.invite_join, g.mute_all, g.app_defined, " +
			"g.next_msg_seq, g.last_msg_time, " +
			"m.join_seq, m.user_id, m.role, m.join_time, m.msg_flag, m.name_card, m.mute_until, m.unread_msg_num, m.app_defined" + from + " ORDER BY g.seq"
		if f.Limit > 0 || f.Offset > 0 {
			limit := int64(f.Limit)
			if limit == 0 {
				limit = noLimit
			}
			args = append(args, limit, f.Offset)
			q += " LIMIT " + limitParam(len(args)-1) + " OFFSET $" + itoa(len(args))
		}
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		joined = []im.Joined{}
		for rows.Next() {
			j, err := scanJoined(rows)
			if err != nil {
				return err
			}
			joined = append(joined, j)
		}
		return rows.Err()
	})
	return total, joined, err
}

// scanJoined reads a group's columns followed by a membership's.
func scanJoined(rows scanner) (im.Joined, error) {
	var (
		j                         im.Joined
		created, infoTime, joinMs int64
		muteAll                   int
		gDefined, mDefined        string
	)
	g, m := &j.Group, &j.Self
	err := rows.Scan(&g.Seq, &g.GroupID, &g.Type, &g.Name, &g.Introduction, &g.Notification, &g.FaceURL, &g.Owner,
		&created, &g.InfoSeq, &infoTime, &g.MemberNum, &g.MaxMemberNum, &g.ApplyJoin, &g.InviteJoin, &muteAll, &gDefined,
		&g.NextMsgSeq, &g.LastMsgTime, &m.Seq, &m.UserID, &m.Role, &joinMs, &m.MsgFlag, &m.NameCard, &m.MuteUntil, &m.Unread, &mDefined)
	if err != nil {
		return j, err
	}
	g.CreateTime, g.LastInfoTime, g.MuteAll, m.JoinTime = msTime(created), msTime(infoTime), muteAll != 0, msTime(joinMs)
	if err := json.Unmarshal([]byte(gDefined), &g.AppDefined); err != nil {
		return j, err
	}
	return j, json.Unmarshal([]byte(mDefined), &m.AppDefined)
}

// UpdateGroup applies a modify_group_base_info.
func (db *DB) UpdateGroup(ctx context.Context, op im.Op, groupID string, upd im.GroupUpdate) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		deref(&g.Name, upd.Name)
		deref(&g.Introduction, upd.Introduction)
		deref(&g.Notification, upd.Notification)
		deref(&g.FaceURL, upd.FaceURL)
		deref(&g.ApplyJoin, upd.ApplyJoin)
		deref(&g.InviteJoin, upd.InviteJoin)
		deref(&g.MuteAll, upd.MuteAll)
		if upd.MaxMemberNum != nil {
			if cap := im.MemberCap(g.Type); *upd.MaxMemberNum > cap && cap > 0 || *upd.MaxMemberNum < max(g.MemberNum, 1) {
				return im.Errorf(im.CodeGroupInvalid, "MaxMemberNum %d must lie between the member count %d and the type's limit %d",
					*upd.MaxMemberNum, g.MemberNum, im.MemberCap(g.Type))
			}
			g.MaxMemberNum = *upd.MaxMemberNum
		}
		defined, err := mergeKVs(g.AppDefined, upd.AppDefined)
		if err != nil {
			return err
		}
		mute := 0
		if g.MuteAll {
			mute = 1
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE im_groups SET name = $3, introduction = $4, notification = $5, face_url = $6, max_members = $7,
				apply_join = $8, invite_join = $9, mute_all = $10, app_defined = $11, info_seq = info_seq + 1, info_time = $12
			WHERE app_id = $1 AND group_id = $2`,
			int64(app), groupID, g.Name, g.Introduction, g.Notification, g.FaceURL, g.MaxMemberNum,
			g.ApplyJoin, g.InviteJoin, mute, defined, tx.now.UnixMilli())
		if err != nil || upd.Name == nil && upd.Introduction == nil && upd.Notification == nil && upd.FaceURL == nil {
			return err
		}
		// Tencent sends it for these four fields only, each when given.
		return recordEvent(ctx, tx, op, im.AfterGroupInfoChangedBody{
			GroupID: groupID, Type: g.Type, Operator: op.Operator,
			Name: upd.Name, Introduction: upd.Introduction, Notification: upd.Notification, FaceURL: upd.FaceURL,
		})
	})
}

// mergeKVs applies changes to custom fields (an empty Value deletes the key)
// and returns the result as JSON; more than 20 keys is 10004.
func mergeKVs(cur, changes []im.KV) (string, error) {
	out := append([]im.KV{}, cur...)
	for _, c := range changes {
		i := 0
		for i < len(out) && out[i].Key != c.Key {
			i++
		}
		switch {
		case c.Value == "" && i < len(out):
			out = append(out[:i], out[i+1:]...)
		case c.Value == "":
		case i < len(out):
			out[i].Value = c.Value
		default:
			out = append(out, c)
		}
	}
	if len(out) > im.MaxAppDefinedKeys {
		return "", im.Errorf(im.CodeGroupInvalid, "at most %d AppDefinedData keys", im.MaxAppDefinedKeys)
	}
	b, err := json.Marshal(out)
	return string(b), err
}

// CountOwnedGroups counts the live groups of the type that owner owns in the
// app (CreateGroupNum of Group.CallbackBeforeCreateGroup); 0 for no owner.
// An owner that is not a valid UserID owns nothing, and the database is not
// asked (nor could it be about a NUL byte: see storableText).
func (db *DB) CountOwnedGroups(ctx context.Context, app uint64, owner, groupType string) (int, error) {
	if !im.ValidUserID(owner) {
		return 0, nil
	}
	var n int
	err := db.read(ctx, func(tx *Tx) error {
		return tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM im_groups WHERE app_id = $1 AND owner = $2 AND type = $3",
			int64(app), owner, groupType).Scan(&n)
	})
	return n, err
}
