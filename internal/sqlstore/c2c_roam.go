package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

// knownPeer reports whether peer is an account, or was one that owner has
// a conversation with: a deleted account's messages stay in its peers'
// histories (fidelity/openim.md), so they can still be read by naming it.
func knownPeer(ctx context.Context, tx *Tx, app uint64, owner, peer string) (bool, error) {
	ok, err := accountExists(ctx, tx, app, peer)
	if err != nil || ok {
		return ok, err
	}
	c, err := readConv(ctx, tx, app, owner, peer)
	return c.exists, err
}

// convState is what a one-to-one conversation row says about its history.
type convState struct {
	exists   bool
	readTime int64 // the peer's messages up to it are read
	clearID  int64 // messages up to this id are cleared for the owner
}

// readConv reads owner's one-to-one conversation with peer.
func readConv(ctx context.Context, tx *Tx, app uint64, owner, peer string) (convState, error) {
	var c convState
	err := tx.QueryRowContext(ctx,
		"SELECT read_time, clear_id FROM conversations WHERE app_id = $1 AND owner = $2 AND type = $3 AND peer = $4",
		int64(app), owner, convC2C, peer).Scan(&c.readTime, &c.clearID)
	if errors.Is(err, sql.ErrNoRows) {
		return c, nil
	}
	c.exists = err == nil
	return c, err
}

// roamCols are the columns a history page reads, NULL-free so that the
// state row without messages scans like any other (ids start at 1).
const roamCols = `COALESCE(m.id, 0), COALESCE(m.from_user, ''), COALESCE(m.to_user, ''), COALESCE(m.msg_seq, 0),
	COALESCE(m.msg_random, 0), COALESCE(m.msg_time, 0), COALESCE(m.flag_bits, 0), COALESCE(m.body, ''),
	COALESCE(m.cloud_data, '')`

// roamMine is the operator's conversation with the peer, roamBack the
// peer's with the operator.
const (
	roamMine = "FROM conversations WHERE app_id = $1 AND owner = $2 AND type = $4 AND peer = $3"
	roamBack = "FROM conversations WHERE app_id = $1 AND owner = $3 AND type = $4 AND peer = $2"
)

// RoamC2C reads one admin_getroammsg page, newest first: up to MaxCnt+1
// messages, the last telling the caller whether more are left.
//
// The page is one statement, outside a transaction: a single SELECT sees one
// snapshot on both databases, and BEGIN and COMMIT around two statements
// cost a tenth of the command's CPU. Its first columns are the state the
// page needs besides its rows (whether the operator and the peer are
// accounts, and both sides' conversation rows: a deleted peer can still be
// named by the operator who has a conversation with it, see knownPeer),
// joined to each row and present once when there is none. The rows are one
// range of c2c_msgs_conv walked backwards and stopped by LIMIT, however
// long the conversation; only the rows hidden from the operator (its
// cleared history, its own SyncOtherMachine 2 messages) are skipped on the
// way.
func (db *DB) RoamC2C(ctx context.Context, app uint64, q im.RoamQuery) ([]im.RoamMsg, error) {
	if !im.ValidUserID(q.Operator) {
		// No account and no conversation can have such an id (and
		// PostgreSQL could not compare a NUL).
		return nil, im.Errorf(im.CodeMsgFromAccount, "Operator_Account %s is not imported", q.Operator)
	}
	if !im.ValidUserID(q.Peer) {
		return nil, im.Errorf(im.CodeMsgToAccount, "Peer_Account %s is not imported", q.Peer)
	}
	query, args := roamQuery(app, q, db.now().Add(im.ClockOffset(ctx)).UnixMilli())
	var out []im.RoamMsg
	err := db.queryAlone(ctx, query, args, func(rows *sql.Rows) error {
		out = nil
		var nOp, nPeer, nMine int
		var mineRead, theirsRead int64
		for rows.Next() {
			var m im.RoamMsg
			var id, seq, rnd int64
			var body string
			if err := rows.Scan(&nOp, &nPeer, &nMine, &mineRead, &theirsRead,
				&id, &m.From, &m.To, &seq, &rnd, &m.Time, &m.FlagBits, &body, &m.CloudData); err != nil {
				return err
			}
			if id == 0 {
				break // the state alone: no message
			}
			m.Seq, m.Random, m.Body = uint32(seq), uint32(rnd), im.MsgBody(body)
			readTime := theirsRead
			if m.To == q.Operator {
				readTime = mineRead
			}
			m.PeerRead = readTime >= m.Time
			out = append(out, m)
		}
		switch {
		case nOp == 0:
			return im.Errorf(im.CodeMsgFromAccount, "Operator_Account %s is not imported", q.Operator)
		case nPeer == 0 && nMine == 0:
			return im.Errorf(im.CodeMsgToAccount, "Peer_Account %s is not imported", q.Peer)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// roamQuery is the page's statement. A continuation starts strictly below
// the message LastMsgKey names, in (msg_time, msg_seq, id) order; when
// that message is gone, below every message of its time and seq.
func roamQuery(app uint64, q im.RoamQuery, nowMs int64) (string, []any) {
	lo, hi := peerPair(q.Operator, q.Peer)
	args := []any{int64(app), q.Operator, q.Peer, convC2C, lo, hi, q.MinTime, q.MaxTime, nowMs}
	page := `SELECT id, from_user, to_user, msg_seq, msg_random, msg_time, flag_bits, body, cloud_data FROM c2c_msgs
		WHERE app_id = $1 AND peer_lo = $5 AND peer_hi = $6 AND msg_time >= $7 AND msg_time <= $8
			AND expires_at > $9 AND id > COALESCE((SELECT clear_id ` + roamMine + `), 0)
			AND NOT (from_user = $2 AND hide_from = 1)`
	if q.After {
		args = append(args, q.AfterTime, int64(q.AfterSeq), int64(q.AfterRnd))
		page += ` AND msg_time <= $10 AND (msg_time < $10 OR msg_seq < $11 OR (msg_seq = $11 AND id < (
			SELECT COALESCE(MAX(id), 0) FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $5 AND peer_hi = $6
				AND msg_time = $10 AND msg_seq = $11 AND msg_random = $12)))`
	}
	args = append(args, q.MaxCnt+1)
	page += " ORDER BY msg_time DESC, msg_seq DESC, id DESC LIMIT $" + itoa(len(args))
	return `SELECT st.n_op, st.n_peer, st.n_mine, st.mine_read, st.theirs_read, ` + roamCols + `
		FROM (SELECT
			(SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $2) AS n_op,
			(SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $3) AS n_peer,
			(SELECT COUNT(*) ` + roamMine + `) AS n_mine,
			COALESCE((SELECT read_time ` + roamMine + `), 0) AS mine_read,
			COALESCE((SELECT read_time ` + roamBack + `), 0) AS theirs_read) st
		LEFT JOIN (` + page + `) m ON TRUE
		ORDER BY m.msg_time DESC, m.msg_seq DESC, m.id DESC`, args
}
