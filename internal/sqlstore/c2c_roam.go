package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"math"

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

// roamState is what a history page needs besides its rows: whether the
// operator and the peer are accounts, and both sides' conversation rows (a
// deleted peer can still be named by the operator who has a conversation
// with it, see knownPeer).
type roamState struct {
	operator, peer bool
	mine, theirs   convState
}

// readRoamState reads a roamState in one statement, where separate queries
// cost a page four more round trips through the driver.
func readRoamState(ctx context.Context, tx *Tx, app uint64, operator, peer string) (roamState, error) {
	var st roamState
	if !im.ValidUserID(operator) || !im.ValidUserID(peer) {
		// No account and no conversation can have such an id (and
		// PostgreSQL could not compare a NUL).
		st.operator = im.ValidUserID(operator)
		return st, nil
	}
	const conv = "FROM conversations WHERE app_id = $1 AND owner = $2 AND type = $4 AND peer = $3"
	const back = "FROM conversations WHERE app_id = $1 AND owner = $3 AND type = $4 AND peer = $2"
	var nOp, nPeer, nMine int
	err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $2),
			(SELECT COUNT(*) FROM accounts WHERE app_id = $1 AND user_id = $3),
			(SELECT COUNT(*) `+conv+`),
			COALESCE((SELECT read_time `+conv+`), 0),
			COALESCE((SELECT clear_id `+conv+`), 0),
			COALESCE((SELECT read_time `+back+`), 0)`,
		int64(app), operator, peer, convC2C).Scan(&nOp, &nPeer, &nMine, &st.mine.readTime, &st.mine.clearID, &st.theirs.readTime)
	st.operator, st.peer, st.mine.exists = nOp > 0, nPeer > 0, nMine > 0
	return st, err
}

// roamCols are the columns a history page reads. Whether the operator
// sent a message ($8 is the operator) says who its sender and recipient
// are, since both are the conversation's two accounts: reading the two
// names instead cost two strings per row.
const roamCols = "SELECT CASE WHEN from_user = $8 THEN 1 ELSE 0 END, msg_seq, msg_random, msg_time, flag_bits, body, cloud_data, expires_at, receipt FROM c2c_msgs"

// RoamC2C reads one admin_getroammsg page, newest first: up to MaxCnt+1
// messages, the last telling the caller whether more are left. The page is
// one range of c2c_msgs_conv walked backwards and stopped by LIMIT, however
// long the conversation; only the rows hidden from the operator (its
// cleared history, its own SyncOtherMachine 2 messages, those it deleted
// one way) are skipped on the way.
func (db *DB) RoamC2C(ctx context.Context, app uint64, q im.RoamQuery) (im.RoamPage, error) {
	var out im.RoamPage
	err := db.read(ctx, func(tx *Tx) error {
		out = im.RoamPage{At: tx.now.UnixMilli(), Until: math.MaxInt64}
		st, err := readRoamState(ctx, tx, app, q.Operator, q.Peer)
		if err != nil {
			return err
		}
		if !st.operator {
			return im.Errorf(im.CodeMsgFromAccount, "Operator_Account %s is not imported", q.Operator)
		}
		if !st.peer && !st.mine.exists {
			return im.Errorf(im.CodeMsgToAccount, "Peer_Account %s is not imported", q.Peer)
		}
		mine, theirs := st.mine, st.theirs
		rows, err := roamRows(ctx, tx, app, q, mine.clearID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m im.RoamMsg
			var sentByOperator int
			var seq, rnd int64
			var body string
			var expires, receipt int64
			if err := rows.Scan(&sentByOperator, &seq, &rnd, &m.Time, &m.FlagBits, &body, &m.CloudData, &expires, &receipt); err != nil {
				return err
			}
			out.Until = min(out.Until, expires)
			m.From, m.To = q.Peer, q.Operator
			if sentByOperator == 1 {
				m.From, m.To = q.Operator, q.Peer
			}
			m.Seq, m.Random, m.Body = uint32(seq), uint32(rnd), im.MsgBody(body)
			reader := theirs
			if m.To == q.Operator {
				reader = mine
			}
			// Read up to its time, or a read receipt sent for it.
			m.PeerRead = reader.readTime >= m.Time || receipt == 1
			out.Msgs = append(out.Msgs, m)
		}
		return rows.Err()
	})
	return out, err
}

// roamRows runs the page's query. A continuation starts strictly below
// the message LastMsgKey names, in (msg_time, msg_seq, id) order; when
// that message is gone, below every message of its time and seq.
func roamRows(ctx context.Context, tx *Tx, app uint64, q im.RoamQuery, clearID int64) (*sql.Rows, error) {
	lo, hi := peerPair(q.Operator, q.Peer)
	args := []any{int64(app), lo, hi, q.MinTime, q.MaxTime, tx.now.UnixMilli(), clearID, q.Operator}
	query := roamCols + `
		WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3 AND msg_time >= $4 AND msg_time <= $5
			AND expires_at > $6 AND id > $7 AND NOT (from_user = $8 AND hide_from = 1) AND NOT (to_user = $8 AND hide_to = 1)`
	if q.After {
		var id int64
		err := tx.QueryRowContext(ctx, `
			SELECT COALESCE(MAX(id), 0) FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3
				AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6`,
			int64(app), lo, hi, q.AfterTime, int64(q.AfterSeq), int64(q.AfterRnd)).Scan(&id)
		if err != nil {
			return nil, err
		}
		args = append(args, q.AfterTime, int64(q.AfterSeq), id)
		query += ` AND msg_time <= $9 AND (msg_time < $9 OR msg_seq < $10 OR (msg_seq = $10 AND id < $11))`
	}
	args = append(args, q.MaxCnt+1)
	query += " ORDER BY msg_time DESC, msg_seq DESC, id DESC LIMIT " + limitParam(len(args))
	return tx.QueryContext(ctx, query, args...)
}
