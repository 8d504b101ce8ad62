package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

var _ im.GroupMsgService = (*DB)(nil)

// Group messages live in group_msgs, keyed (app_id, group_seq, msg_seq):
// one group's history is one range of the primary key, and a dismissed
// group's rows are unreachable from the dismissal on (a group re-created
// under the same GroupId has a new seq). im_groups.next_msg_seq hands out
// MsgSeq under the group row's lock; last_msg_time is the unix seconds of
// the latest message.

// senderCheck runs send_group_msg's checks on a group already read: the
// sender exists (10019), belongs to the group unless it is an AVChatRoom,
// which keeps no member list (10007), and is not muted (10017).
func senderCheck(ctx context.Context, tx *Tx, app uint64, g *im.Group, m im.NewGroupMsg, exists bool) error {
	if !exists {
		return errMissingAccount(m.From)
	}
	// The global mute (setnospeaking) holds in every group, AVChatRooms too.
	if muted, err := globallyMuted(ctx, tx, app, m.From, true); err != nil || muted {
		if err == nil {
			err = im.Errorf(im.CodeGroupMemberMuted, "%s may not send group messages (setnospeaking)", m.From)
		}
		return err
	}
	if !m.AsMember {
		return nil
	}
	if g.Type == im.GroupAVChatRoom {
		return roomSenderCheck(ctx, tx, app, g, m.From)
	}
	var (
		role      string
		muteUntil int64
	)
	err := tx.QueryRowContext(ctx, "SELECT role, mute_until FROM group_members WHERE app_id = $1 AND group_seq = $2 AND user_id = $3",
		int64(app), g.Seq, m.From).Scan(&role, &muteUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return im.Errorf(im.CodeGroupForbidden, "%s is not a member of group %s", m.From, g.GroupID)
	}
	if err != nil {
		return err
	}
	// MuteUntil is unix seconds, as get_group_member_info shows it.
	if muteUntil > tx.now.Unix() {
		return im.Errorf(im.CodeGroupMemberMuted, "%s is muted in group %s", m.From, g.GroupID)
	}
	if g.MuteAll && role == im.RoleMember {
		return im.Errorf(im.CodeGroupMemberMuted, "group %s mutes all ordinary members", g.GroupID)
	}
	return nil
}

// roomSenderCheck is senderCheck in an AVChatRoom, which keeps no member
// list: a banned account is out of the room (10007), a muted one may not
// speak (10017).
func roomSenderCheck(ctx context.Context, tx *Tx, app uint64, g *im.Group, from string) error {
	if banned, err := roomBanned(ctx, tx, app, g.Seq, from); err != nil || banned {
		if err == nil {
			err = im.Errorf(im.CodeGroupForbidden, "%s is banned from group %s", from, g.GroupID)
		}
		return err
	}
	if muted, err := roomMuted(ctx, tx, app, g.Seq, from); err != nil || !muted {
		return err
	}
	return im.Errorf(im.CodeGroupMemberMuted, "%s is muted in group %s", from, g.GroupID)
}

// findDup finds a message of the group with the same Random sent within
// the de-duplication window before now (unix s).
func findDup(ctx context.Context, tx *Tx, app uint64, groupSeq int64, random uint32, now int64) (*im.SentGroupMsg, error) {
	var d im.SentGroupMsg
	err := tx.QueryRowContext(ctx, `SELECT msg_seq, msg_time FROM group_msgs
		WHERE app_id = $1 AND group_seq = $2 AND random = $3 AND msg_time > $4 AND msg_time <= $5
		ORDER BY msg_seq LIMIT 1`,
		int64(app), groupSeq, int64(random), now-im.GroupMsgDedupSeconds, now).Scan(&d.Seq, &d.Time)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	d.Dup = true
	return &d, nil
}

// stores reports whether a message of the group is kept: an AVChatRoom
// keeps no history and an online-only message is not stored.
func stores(g *im.Group, m im.NewGroupMsg) bool {
	return g.Type != im.GroupAVChatRoom && !m.OnlineOnly
}

// CheckGroupSender runs send_group_msg's checks without storing anything.
func (db *DB) CheckGroupSender(ctx context.Context, app uint64, groupID string, m im.NewGroupMsg) (im.GroupSender, error) {
	var out im.GroupSender
	err := db.read(ctx, func(tx *Tx) error {
		exists, err := accountExists(ctx, tx, app, m.From)
		if err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		if err := senderCheck(ctx, tx, app, g, m, exists); err != nil {
			return err
		}
		out.GroupType = g.Type
		if stores(g, m) {
			out.Dup, err = findDup(ctx, tx, app, g.Seq, m.Random, tx.now.Unix())
		}
		return err
	})
	return out, err
}

// SendGroupMsg stores a group message under the group row's lock.
func (db *DB) SendGroupMsg(ctx context.Context, op im.Op, groupID string, m im.NewGroupMsg) (im.SentGroupMsg, error) {
	var sent im.SentGroupMsg
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		exists, err := lockAccounts(ctx, tx, app, []string{m.From})
		if err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if err := senderCheck(ctx, tx, app, g, m, exists[m.From]); err != nil {
			return err
		}
		now := tx.now.Unix()
		sent = im.SentGroupMsg{Time: now}
		if stores(g, m) {
			dup, err := findDup(ctx, tx, app, g.Seq, m.Random, now)
			if err != nil || dup != nil {
				if dup != nil {
					sent = *dup
				}
				return err
			}
		}
		// An online-only message is delivered and announced, but takes no
		// MsgSeq: it is in no history (MsgSeq 0 in reply and callback).
		if !m.OnlineOnly || g.Type == im.GroupAVChatRoom {
			if sent.Seq, err = takeSeq(ctx, tx, app, g.Seq, now); err != nil {
				return err
			}
		}
		if stores(g, m) {
			if err := insertGroupMsg(ctx, tx, app, g.Seq, sent.Seq, m.From, m.Random, now, m.Priority, m.Body, m.CloudData, m.PushInfo); err != nil {
				return err
			}
			if m.Ext && g.Type != im.GroupCommunity {
				expires := tx.now.UnixMilli() + im.GroupMsgLifeTime*1000 // insertGroupMsg's
				if err := markExtensible(ctx, tx, app, groupExt(g.Seq, sent.Seq), expires); err != nil {
					return err
				}
			}
		}
		if !m.After {
			return nil
		}
		return recordEvent(ctx, tx, op, im.AfterSendGroupMsgBody{
			GroupID: groupID, Type: g.Type, From: m.From, Operator: op.Operator, Random: m.Random,
			MsgSeq: sent.Seq, MsgTime: now, OnlineOnly: b2i(m.OnlineOnly && g.Type != im.GroupAVChatRoom),
			MsgBody: m.Body, CloudData: m.CloudData,
		})
	})
	return sent, err
}

// takeSeq hands out the group's next MsgSeq and makes at (unix s) its last
// message time; the caller holds the group row's lock.
func takeSeq(ctx context.Context, tx *Tx, app uint64, groupSeq, at int64) (int64, error) {
	var next int64
	err := tx.QueryRowContext(ctx, `UPDATE im_groups SET next_msg_seq = next_msg_seq + 1,
			last_msg_time = CASE WHEN last_msg_time > $3 THEN last_msg_time ELSE $3 END
		WHERE app_id = $1 AND seq = $2 RETURNING next_msg_seq`, int64(app), groupSeq, at).Scan(&next)
	return next - 1, err
}

// insertGroupMsg stores one message, kept GroupMsgLifeTime from now.
func insertGroupMsg(ctx context.Context, tx *Tx, app uint64, groupSeq, seq int64, from string, random uint32, at int64,
	priority int, body im.MsgBody, cloudData, pushInfo string) error {
	created := tx.now.UnixMilli()
	_, err := tx.ExecContext(ctx, `INSERT INTO group_msgs (app_id, group_seq, msg_seq, from_user, random, msg_time, priority,
			body, cloud_data, push_info, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		int64(app), groupSeq, seq, from, int64(random), at, priority, string(body), cloudData, pushInfo,
		created, created+im.GroupMsgLifeTime*1000)
	return err
}

// CheckGroupNotify checks a system notification's group and recipients.
func (db *DB) CheckGroupNotify(ctx context.Context, app uint64, groupID string, to []string) error {
	return db.read(ctx, func(tx *Tx) error {
		g, err := findGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom && len(to) > 0 {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom's system notifications go to all members")
		}
		return nil
	})
}
