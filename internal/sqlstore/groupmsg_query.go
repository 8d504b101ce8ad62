package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// GroupMsgs reads one page of a group's history: one range scan of the
// primary key, newest first, however long the history is.
func (db *DB) GroupMsgs(ctx context.Context, app uint64, groupID string, upTo int64, n int, withRecalled bool) ([]im.GroupMsg, bool, error) {
	var (
		msgs []im.GroupMsg
		more bool
	)
	err := db.read(ctx, func(tx *Tx) error {
		g, err := findGroup(ctx, tx, app, groupID, false)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom keeps no message history")
		}
		msgs = []im.GroupMsg{}
		hi := g.NextMsgSeq - 1
		if upTo > 0 && upTo < hi {
			hi = upTo
		}
		if hi < 1 || n < 1 {
			return nil
		}
		lo := max(1, hi-int64(n)+1)
		more = lo > 1
		msgs, err = readGroupMsgs(ctx, tx, app, g.Seq, lo, hi, withRecalled)
		return err
	})
	return msgs, more, err
}

// readGroupMsgs reads the seqs lo..hi, newest first: a seq without a live
// row is a place holder, a recalled message is left out unless asked for,
// and then has no body.
func readGroupMsgs(ctx context.Context, tx *Tx, app uint64, groupSeq, lo, hi int64, withRecalled bool) ([]im.GroupMsg, error) {
	rows, err := tx.QueryContext(ctx, `SELECT msg_seq, from_user, random, msg_time, priority, body, cloud_data, flag_bits, deleted, expires_at
		FROM group_msgs WHERE app_id = $1 AND group_seq = $2 AND msg_seq >= $3 AND msg_seq <= $4
		ORDER BY msg_seq DESC`, int64(app), groupSeq, lo, hi)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	nowMs := tx.now.UnixMilli()
	out := make([]im.GroupMsg, 0, hi-lo+1)
	next := hi // the seq expected next, going down
	for rows.Next() {
		var (
			m                  im.GroupMsg
			random             int64
			body               string
			deleted, expiresAt int64
		)
		if err := rows.Scan(&m.Seq, &m.From, &random, &m.Time, &m.Priority, &body, &m.CloudData, &m.FlagBits, &deleted, &expiresAt); err != nil {
			return nil, err
		}
		for ; next > m.Seq; next-- {
			out = append(out, placeHolder(next))
		}
		next = m.Seq - 1
		m.Random = uint32(random)
		switch {
		case deleted != 0 || expiresAt <= nowMs:
			m.Place, m.CloudData, m.FlagBits = true, "", 0
		case m.FlagBits&im.MsgFlagRecalled != 0 && !withRecalled:
			continue
		case m.FlagBits&im.MsgFlagRecalled != 0:
			// A recall takes the content out of the history: what is
			// left says a message was there (MsgFlagBits 8).
			m.CloudData = ""
		default:
			m.Body = im.MsgBody(body)
		}
		out = append(out, m)
	}
	for ; next >= lo; next-- {
		out = append(out, placeHolder(next))
	}
	return out, rows.Err()
}

// placeHolder stands for a seq no stored message answers for: purged after
// its lifetime, or never stored.
func placeHolder(seq int64) im.GroupMsg {
	return im.GroupMsg{Seq: seq, Priority: im.PriorityNormal, Place: true}
}

// RecallGroupMsgs marks messages recalled (MsgFlagBits 8).
func (db *DB) RecallGroupMsgs(ctx context.Context, op im.Op, groupID string, seqs []int64) ([]int, error) {
	var codes []int
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		codes = make([]int, len(seqs))
		var done []im.RecalledSeq
		for i, seq := range seqs {
			if g.Type == im.GroupAVChatRoom {
				codes[i] = im.CodeGroupRecallType
				continue
			}
			res, err := tx.ExecContext(ctx, `UPDATE group_msgs SET flag_bits = flag_bits | $4
				WHERE app_id = $1 AND group_seq = $2 AND msg_seq = $3 AND deleted = 0 AND expires_at > $5
					AND flag_bits & $4 = 0`, int64(app), g.Seq, seq, im.MsgFlagRecalled, tx.now.UnixMilli())
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				codes[i] = im.CodeGroupRecallMissing
				if err != nil {
					return err
				}
				continue
			}
			done = append(done, im.RecalledSeq{MsgSeq: seq})
		}
		if len(done) == 0 {
			return nil
		}
		return recordEvent(ctx, tx, op, im.AfterRecallGroupMsgBody{
			Operator: op.Operator, Type: g.Type, GroupID: groupID, MsgSeqList: done,
		})
	})
	return codes, err
}

// ModifyGroupMsg overwrites a live message's body and/or CloudCustomData.
func (db *DB) ModifyGroupMsg(ctx context.Context, op im.Op, groupID string, seq int64, body im.MsgBody, cloudData *string) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom keeps no message history")
		}
		var cloud string
		if cloudData != nil {
			cloud = *cloudData
		}
		res, err := tx.ExecContext(ctx, `UPDATE group_msgs SET
				body = CASE WHEN $4 = 1 THEN $5 ELSE body END,
				cloud_data = CASE WHEN $6 = 1 THEN $7 ELSE cloud_data END
			WHERE app_id = $1 AND group_seq = $2 AND msg_seq = $3 AND deleted = 0 AND expires_at > $8
				AND flag_bits & $9 = 0`,
			int64(app), g.Seq, seq, b2i(body != nil), string(body), b2i(cloudData != nil), cloud,
			tx.now.UnixMilli(), im.MsgFlagRecalled)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			if err != nil {
				return err
			}
			return im.Errorf(im.CodeGroupRecallMissing, "group %s has no message %d", groupID, seq)
		}
		return nil
	})
}

// DeleteGroupMsgsBySender deletes sender's messages among the group's
// latest DeleteBySenderWindow: they read back as place holders. An
// AVChatRoom keeps none, and answers success.
func (db *DB) DeleteGroupMsgsBySender(ctx context.Context, op im.Op, groupID, sender string) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil || g.Type == im.GroupAVChatRoom {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE group_msgs SET deleted = 1
			WHERE app_id = $1 AND group_seq = $2 AND msg_seq >= $3 AND from_user = $4 AND deleted = 0`,
			int64(app), g.Seq, g.NextMsgSeq-im.DeleteBySenderWindow, sender)
		return err
	})
}
