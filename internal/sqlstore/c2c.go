package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/timd/timd/internal/im"
)

// One-to-one messages (openim): sendmsg, batchsendmsg and importmsg. A
// message is one c2c_msgs row that both of its accounts read, found by
// c2c_msgs_conv (app_id, peer_lo, peer_hi, msg_time, msg_seq, id).

// peerPair returns a conversation's two accounts in byte order, as
// c2c_msgs.peer_lo and peer_hi hold them.
func peerPair(a, b string) (lo, hi string) {
	if a <= b {
		return a, b
	}
	return b, a
}

// c2cRow is a message about to be inserted.
type c2cRow struct {
	from, to  string
	seq, rnd  uint32
	at        int64 // msg_time, unix s
	body      im.MsgBody
	cloud     string
	push      string
	hideFrom  bool
	unread    bool
	crc       uint32
	expiresAt int64 // unix ms
}

// insertC2CSQL stores one message row: with seedC2CSQL, the statements
// that add c2c_msgs rows the writer's memo knows of (sendmemo.go).
const insertC2CSQL = `
		INSERT INTO c2c_msgs (app_id, peer_lo, peer_hi, from_user, to_user, msg_seq, msg_random, msg_time,
			body, cloud_data, push_info, hide_from, unread, content_crc, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`

// insertC2C stores one message row.
func insertC2C(ctx context.Context, tx *Tx, app uint64, r c2cRow) error {
	lo, hi := peerPair(r.from, r.to)
	tx.memo.add(app, r.from, r.rnd, tx.now.UnixMilli())
	_, err := tx.ExecContext(ctx, insertC2CSQL,
		int64(app), lo, hi, r.from, r.to, int64(r.seq), int64(r.rnd), r.at,
		string(r.body), r.cloud, r.push, b2i(r.hideFrom), b2i(r.unread), int64(r.crc), tx.now.UnixMilli(), r.expiresAt)
	return err
}

// FindC2CDup returns the message m repeats: one from m.From with its MsgSeq,
// MsgRandom and content CRC stored within the last DedupWindowMs.
func (db *DB) FindC2CDup(ctx context.Context, app uint64, m im.C2CMsg) (*im.C2CSent, error) {
	var dup *im.C2CSent
	err := db.read(ctx, func(tx *Tx) error {
		var err error
		dup, err = findC2CDup(ctx, tx, app, m)
		return err
	})
	return dup, err
}

// findC2CDup is FindC2CDup in tx. The lookup is c2c_msgs_dedup's range of
// one sender and MsgRandom.
func findC2CDup(ctx context.Context, tx *Tx, app uint64, m im.C2CMsg) (*im.C2CSent, error) {
	var seq, rnd, at int64
	err := tx.QueryRowContext(ctx, `
		SELECT msg_seq, msg_random, msg_time FROM c2c_msgs
		WHERE app_id = $1 AND from_user = $2 AND msg_random = $3 AND msg_seq = $4 AND content_crc = $5 AND created_at >= $6
		ORDER BY id LIMIT 1`,
		int64(app), m.From, int64(m.Random), int64(m.Seq), int64(m.CRC), tx.now.UnixMilli()-im.DedupWindowMs).Scan(&seq, &rnd, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &im.C2CSent{Time: at, Key: im.MsgKey(uint32(seq), uint32(rnd), at), Dup: true}, nil
}

// sendDup is the message m repeats, if any, for sendmsg and batchsendmsg:
// the check takes its turn (takeTurns), and reads the table unless the
// writer's memo knows no message of m's sender and MsgRandom is recent.
func sendDup(ctx context.Context, tx *Tx, app uint64, m im.C2CMsg) (*im.C2CSent, error) {
	if err := takeTurns(ctx, tx, sendTurnKey(app, m)); err != nil {
		return nil, err
	}
	if !tx.memo.mayHave(app, m.From, m.Random, tx.now.UnixMilli()-im.DedupWindowMs) {
		return nil, nil
	}
	return findC2CDup(ctx, tx, app, m)
}

// sendTurnKey is what sends of one message take turns on (takeTurns)
// before their duplicate check: the sender and MsgRandom, which every
// duplicate shares.
func sendTurnKey(app uint64, m im.C2CMsg) string {
	return fmt.Sprintf("c2c send %d %s %d", app, m.From, m.Random)
}

// totalUnread is owner's unread count over its one-to-one conversations
// (UnreadMsgNum, AllC2CUnreadMsgNum): a range of the conversations key.
func totalUnread(ctx context.Context, tx *Tx, app uint64, owner string) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx,
		"SELECT COALESCE(SUM(unread), 0) FROM conversations WHERE app_id = $1 AND owner = $2 AND type = $3",
		int64(app), owner, convC2C).Scan(&n)
	return n, err
}

// storeC2C stores m for recipient to at msgTime and records it in both
// conversations.
func storeC2C(ctx context.Context, tx *Tx, app uint64, m im.C2CMsg, to string, msgTime int64) error {
	expiresAt := tx.now.UnixMilli() + int64(m.LifeTime)*1000
	err := insertC2C(ctx, tx, app, c2cRow{
		from: m.From, to: to, seq: m.Seq, rnd: m.Random, at: msgTime, body: m.Body, cloud: m.CloudData,
		push: m.PushInfo, hideFrom: m.HideFrom, unread: !m.NoUnread, crc: m.CRC, expiresAt: expiresAt,
	})
	if err != nil {
		return err
	}
	if m.Ext {
		if err := markExtensible(ctx, tx, app, c2cExt(m.From, to, im.MsgKey(m.Seq, m.Random, msgTime)), expiresAt); err != nil {
			return err
		}
	}
	return touchC2C(ctx, tx, c2cTouch{app: app, from: m.From, to: to, at: msgTime,
		sender: !m.HideFrom, lastMsg: !m.NoLastMsg, unread: !m.NoUnread})
}

// SendC2C stores a sendmsg message and records its after-callback.
func (db *DB) SendC2C(ctx context.Context, op im.Op, m im.C2CMsg) (im.C2CSent, error) {
	var sent im.C2CSent
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		sent = im.C2CSent{}
		exists, err := lockAccounts(ctx, tx, app, []string{m.From, m.To})
		switch {
		case err != nil:
			return err
		case !exists[m.From]:
			return im.Errorf(im.CodeMsgFromNotFound, "From_Account %s is not imported", m.From)
		case !exists[m.To]:
			return im.Errorf(im.CodeMsgToNotFound, "To_Account %s is not imported", m.To)
		}
		if err := c2cSenderMuted(ctx, tx, app, m.From); err != nil {
			return err
		}
		if m.LifeTime > 0 {
			dup, err := sendDup(ctx, tx, app, m)
			if err != nil || dup != nil {
				sent = deref0(dup)
				return err
			}
		}
		at := m.Time
		if at == 0 {
			at = tx.now.Unix()
		}
		sent = im.C2CSent{Time: at, Key: im.MsgKey(m.Seq, m.Random, at)}
		if m.LifeTime > 0 {
			if err := storeC2C(ctx, tx, app, m, m.To, at); err != nil {
				return err
			}
		}
		if !m.After {
			return nil
		}
		return recordAfterSend(ctx, tx, op, m, sent)
	})
	return sent, err
}

// c2cSenderMuted is 20012 while from may not send one-to-one messages
// (setnospeaking).
func c2cSenderMuted(ctx context.Context, tx *Tx, app uint64, from string) error {
	muted, err := globallyMuted(ctx, tx, app, from, false)
	if err == nil && muted {
		err = im.Errorf(im.CodeNoSpeakingC2C, "%s may not send one-to-one messages (setnospeaking)", from)
	}
	return err
}

// deref0 is *p, or the zero value for nil.
func deref0[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// recordAfterSend records C2C.CallbackAfterSendMsg for a message just sent.
func recordAfterSend(ctx context.Context, tx *Tx, op im.Op, m im.C2CMsg, sent im.C2CSent) error {
	if !op.App.Records(im.CallbackC2CAfterSendMsg) {
		return nil
	}
	unread, err := totalUnread(ctx, tx, op.App.SDKAppID, m.To)
	if err != nil {
		return err
	}
	return recordEvent(ctx, tx, op, im.C2CAfterSendMsgBody{
		From: m.From, To: m.To, MsgSeq: m.Seq, MsgRandom: m.Random, MsgTime: sent.Time, MsgKey: sent.Key,
		OnlineOnlyFlag: b2i(m.LifeTime == 0), SendMsgResult: 0, ErrorInfo: im.SendMsgSucceed,
		UnreadMsgNum: unread, MsgBody: m.Body, CloudData: m.CloudData,
	})
}

// SendC2CBatch stores a batchsendmsg message for each imported recipient.
// Recipients named twice get it once.
func (db *DB) SendC2CBatch(ctx context.Context, op im.Op, m im.C2CMsg, to []string) (im.C2CSent, []string, error) {
	var sent im.C2CSent
	var missing []string
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		sent, missing = im.C2CSent{}, nil
		exists, err := lockAccounts(ctx, tx, app, append([]string{m.From}, to...))
		if err != nil {
			return err
		}
		if !exists[m.From] {
			return im.Errorf(im.CodeMsgAccountMissing, "From_Account %s is not imported", m.From)
		}
		if err := c2cSenderMuted(ctx, tx, app, m.From); err != nil {
			return err
		}
		var targets []string
		seen := map[string]bool{}
		for _, id := range to {
			if seen[id] {
				continue
			}
			seen[id] = true
			if exists[id] {
				targets = append(targets, id)
			} else {
				missing = append(missing, id)
			}
		}
		if len(targets) == 0 {
			return im.Errorf(im.CodeMsgToNotFound, "invalid To_Account")
		}
		if m.LifeTime > 0 {
			dup, err := sendDup(ctx, tx, app, m)
			if err != nil || dup != nil {
				sent = deref0(dup)
				return err
			}
		}
		at := tx.now.Unix()
		sent = im.C2CSent{Time: at, Key: im.MsgKey(m.Seq, m.Random, at)}
		// Stored in UserID order, so that two batches from one sender
		// take their conversation rows' locks in the same order on
		// PostgreSQL rather than deadlock (and retry) over them.
		slices.Sort(targets)
		for _, id := range targets {
			if m.LifeTime == 0 {
				break
			}
			if err := storeC2C(ctx, tx, app, m, id, at); err != nil {
				return err
			}
		}
		return nil
	})
	return sent, missing, err
}

// ImportC2C stores an importmsg message. A message of the conversation
// (either direction) with the same MsgSeq, MsgRandom and MsgTimeStamp is
// the same message, whatever its content: the first import stands.
func (db *DB) ImportC2C(ctx context.Context, app uint64, m im.C2CImport) error {
	return db.write(ctx, func(tx *Tx) error {
		exists, err := lockAccounts(ctx, tx, app, []string{m.From, m.To})
		switch {
		case err != nil:
			return err
		case !exists[m.From]:
			return im.Errorf(im.CodeMsgFromAccount, "From_Account %s is not imported", m.From)
		case !exists[m.To]:
			return im.Errorf(im.CodeMsgToAccount, "To_Account %s is not imported", m.To)
		}
		lo, hi := peerPair(m.From, m.To)
		if err := takeTurns(ctx, tx, fmt.Sprintf("c2c import %d %s %s %d %d", app, lo, hi, m.Seq, m.Random)); err != nil {
			return err
		}
		var one int
		err = tx.QueryRowContext(ctx, `
			SELECT 1 FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3
				AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6 LIMIT 1`,
			int64(app), lo, hi, m.Time, int64(m.Seq), int64(m.Random)).Scan(&one)
		if err == nil {
			return nil // already imported
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		err = insertC2C(ctx, tx, app, c2cRow{
			from: m.From, to: m.To, seq: m.Seq, rnd: m.Random, at: m.Time, body: m.Body, cloud: m.CloudData,
			unread: m.Unread, crc: im.ContentCRC(m.Body, m.CloudData),
			expiresAt: tx.now.UnixMilli() + int64(im.ImportLifeTime)*1000,
		})
		if err != nil {
			return err
		}
		return touchC2C(ctx, tx, c2cTouch{app: app, from: m.From, to: m.To, at: m.Time,
			sender: true, lastMsg: true, unread: m.Unread})
	})
}
