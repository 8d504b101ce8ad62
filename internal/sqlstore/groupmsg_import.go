package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// ImportGroupMsgs stores a page of history, each message in order: a
// SendTime must lie after the group's creation and its latest message
// (the page's earlier ones included) and before now.
func (db *DB) ImportGroupMsgs(ctx context.Context, op im.Op, groupID string, msgs []im.ImportGroupMsg) ([]im.ImportResult, error) {
	var results []im.ImportResult
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		froms := make([]string, len(msgs))
		for i, m := range msgs {
			froms[i] = m.From
		}
		exists, err := lockAccounts(ctx, tx, app, froms)
		if err != nil {
			return err
		}
		g, err := findGroup(ctx, tx, app, groupID, true)
		if err != nil {
			return err
		}
		if g.Type == im.GroupAVChatRoom {
			return im.Errorf(im.CodeGroupForbidden, "an AVChatRoom keeps no message history")
		}
		if err := missingAccount(froms, exists); err != nil {
			return err
		}
		results = make([]im.ImportResult, len(msgs))
		last, created, now := g.LastMsgTime, g.CreateTime.Unix(), tx.now.Unix()
		for i, m := range msgs {
			r := &results[i]
			r.Time = m.SendTime
			switch {
			case m.TooLong:
				r.Result = im.CodeGroupMsgTooLong
				continue
			case m.SendTime >= now || m.SendTime <= created || m.SendTime <= last:
				r.Result = im.CodeGroupInvalid
				continue
			}
			dup, err := findDup(ctx, tx, app, g.Seq, m.Random, m.SendTime)
			if err != nil {
				return err
			}
			if dup != nil {
				r.Seq, r.Time = dup.Seq, dup.Time
				continue
			}
			if r.Seq, err = takeSeq(ctx, tx, app, g.Seq, m.SendTime); err != nil {
				return err
			}
			if err := insertGroupMsg(ctx, tx, app, g.Seq, r.Seq, m.From, m.Random, m.SendTime, im.PriorityNormal, m.Body, m.CloudData, ""); err != nil {
				return err
			}
			last = m.SendTime
		}
		return nil
	})
	return results, err
}
