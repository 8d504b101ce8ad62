package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/timd/timd/internal/im"
)

var _ im.MsgExtService = (*DB)(nil)

// Message extensions (docs/fidelity/msgext.md): c2c_msg_exts and
// group_msg_exts hold a row for each message sent with
// SupportMessageExtension 1, the *_msg_ext_kvs tables its pairs
// (0035_msg_exts.sql). Rows go with the message's expiry (purge.go).

// extMsg is the message a command names, found: its extension tables and
// the columns and values that key it there.
type extMsg struct {
	msgs, kvs string   // the tables
	keyNames  []string // the key's columns after app_id
	keyArgs   []any    // their values
	from, to  string   // a one-to-one message's accounts
	latest    int64
	cleared   int64
}

// c2cExt keys a one-to-one message by its two accounts and MsgKey.
func c2cExt(from, to, msgKey string) extMsg {
	lo, hi := peerPair(from, to)
	return extMsg{msgs: "c2c_msg_exts", kvs: "c2c_msg_ext_kvs", keyNames: []string{"peer_lo", "peer_hi", "msg_key"},
		keyArgs: []any{lo, hi, msgKey}, from: from, to: to}
}

// groupExt keys a group message by its group's seq and MsgSeq.
func groupExt(groupSeq, msgSeq int64) extMsg {
	return extMsg{msgs: "group_msg_exts", kvs: "group_msg_ext_kvs", keyNames: []string{"group_seq", "msg_seq"},
		keyArgs: []any{groupSeq, msgSeq}}
}

// where is "WHERE app_id = $1 AND" the key's columns, $2 on.
func (m extMsg) where() string {
	var b strings.Builder
	b.WriteString(" WHERE app_id = $1")
	for i, c := range m.keyNames {
		b.WriteString(" AND " + c + " = $" + strconv.Itoa(i+2))
	}
	return b.String()
}

// param is the number of the i-th parameter after the key's, from 0.
func (m extMsg) param(i int) string { return "$" + strconv.Itoa(len(m.keyArgs)+2+i) }

// args is app and the message's key values, then more, as where and param
// number them.
func (m extMsg) args(app uint64, more ...any) []any {
	return append(append([]any{int64(app)}, m.keyArgs...), more...)
}

// insert adds a row keyed by m to table, with more columns after the key's.
func (m extMsg) insert(ctx context.Context, tx *Tx, app uint64, table string, cols []string, more ...any) error {
	names := append(append([]string{"app_id"}, m.keyNames...), cols...)
	marks := make([]string, len(names))
	for i := range marks {
		marks[i] = "$" + strconv.Itoa(i+1)
	}
	_, err := tx.ExecContext(ctx, "INSERT INTO "+table+" ("+strings.Join(names, ", ")+") VALUES ("+strings.Join(marks, ", ")+") ON CONFLICT DO NOTHING",
		m.args(app, more...)...)
	return err
}

// markExtensible records that a message just stored takes extensions.
func markExtensible(ctx context.Context, tx *Tx, app uint64, m extMsg, expiresAt int64) error {
	return m.insert(ctx, tx, app, m.msgs, []string{"expires_at"}, expiresAt)
}

// findExtMsg finds the message ref names and its extension row: for a
// one-to-one message 90008/90003 for an unknown account, 90054 for a
// malformed key, 20022 for no such message; for a group message 10010,
// 10007 (an AVChatRoom or a Community keeps none), 10030; then 90010 for a
// message sent without SupportMessageExtension.
// With lock, the extension row is locked for the write that follows.
func findExtMsg(ctx context.Context, tx *Tx, app uint64, ref im.MsgExtRef, lock bool) (extMsg, error) {
	var m extMsg
	var err error
	if ref.Group() {
		m, err = findGroupExtMsg(ctx, tx, app, ref)
	} else {
		m, err = findC2CExtMsg(ctx, tx, app, ref, lock)
	}
	if err != nil {
		return m, err
	}
	q := "SELECT latest_seq, clear_seq FROM " + m.msgs + m.where()
	if lock {
		q += tx.forUpdate()
	}
	err = tx.QueryRowContext(ctx, q, m.args(app)...).Scan(&m.latest, &m.cleared)
	if errors.Is(err, sql.ErrNoRows) {
		return m, im.Errorf(im.CodeMsgInvalid, "the message was not sent with SupportMessageExtension 1")
	}
	return m, err
}

// findC2CExtMsg finds a one-to-one message by its accounts and MsgKey, or
// by To_Account and MsgKey when From_Account is not given; a write locks
// the accounts first, as every write naming accounts does.
func findC2CExtMsg(ctx context.Context, tx *Tx, app uint64, ref im.MsgExtRef, lock bool) (extMsg, error) {
	var m extMsg
	ids := []string{ref.To}
	if ref.From != "" {
		ids = append(ids, ref.From)
	}
	exists, err := knownAccounts(ctx, tx, app, ids, lock)
	switch {
	case err != nil:
		return m, err
	case ref.From != "" && !exists[ref.From]:
		return m, im.Errorf(im.CodeMsgFromAccount, "From_Account %s is not imported", ref.From)
	case !exists[ref.To]:
		return m, im.Errorf(im.CodeMsgToAccount, "To_Account %s is not imported", ref.To)
	}
	seq, rnd, at, ok := im.ParseMsgKey(ref.MsgKey)
	if !ok {
		return m, im.Errorf(im.CodeMsgKeyInvalid, "MsgKey %q is invalid", ref.MsgKey)
	}
	from := ref.From
	if from == "" {
		from, err = c2cSenderOf(ctx, tx, app, ref.To, seq, rnd, at)
	} else {
		var ok bool
		ok, err = c2cMsgFrom(ctx, tx, app, from, ref.To, seq, rnd, at)
		if !ok {
			from = ""
		}
	}
	if err == nil && from == "" {
		err = im.Errorf(im.CodeMsgRecallNotFound, "no message %s to %s", ref.MsgKey, ref.To)
	}
	return c2cExt(from, ref.To, ref.MsgKey), err
}

// c2cMsgFrom reports whether from sent to a message, not expired, with
// the key's parts: one range of c2c_msgs_conv.
func c2cMsgFrom(ctx context.Context, tx *Tx, app uint64, from, to string, seq, rnd uint32, at int64) (bool, error) {
	lo, hi := peerPair(from, to)
	var n int
	err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM c2c_msgs
		WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3 AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6
			AND from_user = $7 AND to_user = $8 AND expires_at > $9`,
		int64(app), lo, hi, at, int64(seq), int64(rnd), from, to, tx.now.UnixMilli()).Scan(&n)
	return n > 0, err
}

// c2cSenderOf finds who sent to the message with the key's parts, among
// the peers of to's one-to-one conversations (a message makes one on each
// side), so that no query walks every stored message; "" if none did.
func c2cSenderOf(ctx context.Context, tx *Tx, app uint64, to string, seq, rnd uint32, at int64) (string, error) {
	rows, err := tx.QueryContext(ctx, "SELECT peer FROM conversations WHERE app_id = $1 AND owner = $2 AND type = $3 ORDER BY peer",
		int64(app), to, convC2C)
	if err != nil {
		return "", err
	}
	var peers []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			rows.Close()
			return "", err
		}
		peers = append(peers, p)
	}
	if err := closeRows(rows); err != nil {
		return "", err
	}
	for _, p := range peers {
		ok, err := c2cMsgFrom(ctx, tx, app, p, to, seq, rnd, at)
		if err != nil {
			return "", err
		}
		if ok {
			return p, nil
		}
	}
	return "", nil
}

// findGroupExtMsg finds a group message by GroupId and MsgSeq.
func findGroupExtMsg(ctx context.Context, tx *Tx, app uint64, ref im.MsgExtRef) (extMsg, error) {
	var m extMsg
	g, err := findGroup(ctx, tx, app, ref.GroupID, false)
	if err != nil {
		return m, err
	}
	if g.Type == im.GroupAVChatRoom || g.Type == im.GroupCommunity {
		return m, im.Errorf(im.CodeGroupForbidden, "the messages of a group of type %s take no extensions", g.Type)
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM group_msgs
		WHERE app_id = $1 AND group_seq = $2 AND msg_seq = $3 AND deleted = 0 AND expires_at > $4`,
		int64(app), g.Seq, ref.MsgSeq, tx.now.UnixMilli()).Scan(&n); err != nil {
		return m, err
	}
	if n == 0 {
		return m, im.Errorf(im.CodeGroupRecallMissing, "group %s has no message %d", ref.GroupID, ref.MsgSeq)
	}
	return groupExt(g.Seq, ref.MsgSeq), nil
}

// MsgExts reads a page of a message's pairs from startSeq, in Seq order.
func (db *DB) MsgExts(ctx context.Context, app uint64, ref im.MsgExtRef, startSeq int64) (im.MsgExtPage, error) {
	var page im.MsgExtPage
	err := db.read(ctx, func(tx *Tx) error {
		m, err := findExtMsg(ctx, tx, app, ref, false)
		if err != nil {
			return err
		}
		page = im.MsgExtPage{Latest: m.latest, Cleared: m.cleared, Exts: []im.MsgExt{}}
		rows, err := tx.QueryContext(ctx, "SELECT ext_key, value, seq FROM "+m.kvs+m.where()+
			" AND seq >= "+m.param(0)+" ORDER BY seq, ext_key LIMIT CAST("+m.param(1)+" AS BIGINT)",
			m.args(app, startSeq, im.MaxExtPerPull+1)...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var e im.MsgExt
			if err := rows.Scan(&e.Key, &e.Value, &e.Seq); err != nil {
				rows.Close()
				return err
			}
			page.Exts = append(page.Exts, e)
		}
		page.Complete = len(page.Exts) <= im.MaxExtPerPull
		page.Exts = page.Exts[:min(len(page.Exts), im.MaxExtPerPull)]
		return closeRows(rows)
	})
	return page, err
}

// SetMsgExts applies one set_key_values under the message's extension row
// lock: the message's version moves on by one and every pair written
// carries it. The caller is the app's admin, whose Seq Tencent does not
// check, so the Seq given with a pair is not compared.
func (db *DB) SetMsgExts(ctx context.Context, op im.Op, ref im.MsgExtRef, operation int, exts []im.MsgExt) ([]im.MsgExt, int64, error) {
	var (
		written []im.MsgExt
		seq     int64
	)
	err := db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		m, err := findExtMsg(ctx, tx, app, ref, true)
		if err != nil {
			return err
		}
		if operation == im.ExtSet {
			if err := checkExtRoom(ctx, tx, app, m, exts); err != nil {
				return err
			}
		}
		seq = m.latest + 1
		written, err = writeExts(ctx, tx, app, m, operation, exts, seq)
		if err != nil {
			return err
		}
		return recordExtEvent(ctx, tx, op, ref, m, operation, written, seq)
	})
	return written, seq, err
}

// checkExtRoom refuses a set that would leave the message more than
// MaxExtKeysPerMsg pairs with a value.
func checkExtRoom(ctx context.Context, tx *Tx, app uint64, m extMsg, exts []im.MsgExt) error {
	keys := map[string]bool{}
	for _, e := range exts {
		keys[e.Key] = e.Value != ""
	}
	rows, err := tx.QueryContext(ctx, "SELECT ext_key FROM "+m.kvs+m.where()+" AND value <> ''", m.args(app)...)
	if err != nil {
		return err
	}
	n := 0
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		if _, named := keys[k]; !named {
			n++
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	for _, set := range keys {
		if set {
			n++
		}
	}
	if n <= im.MaxExtKeysPerMsg {
		return nil
	}
	return im.Errorf(im.CodeMsgInvalid, "a message holds at most %d extension pairs", im.MaxExtKeysPerMsg)
}

// writeExts writes the pairs of one operation with version seq and moves
// the message's version to it.
func writeExts(ctx context.Context, tx *Tx, app uint64, m extMsg, operation int, exts []im.MsgExt, seq int64) ([]im.MsgExt, error) {
	clearSeq := m.cleared
	written := []im.MsgExt{}
	if operation == im.ExtClear {
		clearSeq = seq
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+m.kvs+m.where(), m.args(app)...); err != nil {
			return nil, err
		}
	}
	for _, e := range exts {
		if operation == im.ExtDelete {
			e.Value = ""
		}
		e.Seq = seq
		q := "UPDATE " + m.kvs + " SET value = " + m.param(1) + ", seq = " + m.param(2) + m.where() + " AND ext_key = " + m.param(0)
		res, err := tx.ExecContext(ctx, q, m.args(app, e.Key, e.Value, seq)...)
		if err != nil {
			return nil, err
		}
		if updated, err := res.RowsAffected(); err != nil || updated == 0 {
			if err == nil { // a key the message did not have
				err = m.insert(ctx, tx, app, m.kvs, []string{"ext_key", "value", "seq"}, e.Key, e.Value, e.Seq)
			}
			if err != nil {
				return nil, err
			}
		}
		written = append(written, e)
	}
	_, err := tx.ExecContext(ctx, "UPDATE "+m.msgs+" SET latest_seq = "+m.param(0)+", clear_seq = "+m.param(1)+m.where(), m.args(app, seq, clearSeq)...)
	return written, err
}

// recordExtEvent records the extension callback of one operation.
func recordExtEvent(ctx context.Context, tx *Tx, op im.Op, ref im.MsgExtRef, m extMsg, operation int, exts []im.MsgExt, seq int64) error {
	if ref.Group() {
		if !op.App.Records(im.CallbackGroupMsgExtension) {
			return nil
		}
		return recordEvent(ctx, tx, op, im.GroupMsgExtBody{GroupID: ref.GroupID, MsgSeq: ref.MsgSeq, OperateType: operation, Exts: exts, Seq: seq})
	}
	if !op.App.Records(im.CallbackC2CMsgExtension) {
		return nil
	}
	return recordEvent(ctx, tx, op, im.C2CMsgExtBody{From: m.from, To: m.to, MsgKey: ref.MsgKey, OperateType: operation, Exts: exts, Seq: seq})
}

// knownAccounts reports which of ids are imported: under their locks for a
// write (lockAccounts), by plain reads for a read, which may not lock.
func knownAccounts(ctx context.Context, tx *Tx, app uint64, ids []string, lock bool) (map[string]bool, error) {
	if lock {
		return lockAccounts(ctx, tx, app, ids)
	}
	exists := map[string]bool{}
	for _, id := range ids {
		ok, err := accountExists(ctx, tx, app, id)
		if err != nil {
			return nil, err
		}
		exists[id] = ok
	}
	return exists, nil
}
