package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// One-to-one messages after they are sent: admin_msgwithdraw,
// modify_c2c_msg, admin_set_msg_read and get_c2c_unread_msg_num.

// c2cTarget is the message a MsgKey names between two accounts.
type c2cTarget struct {
	id       int64
	at       int64
	flagBits int
	unread   bool
}

// findByKey finds the message from sent to with key (MsgKey) that has not
// expired: 20022 if there is none. Of several (a key may repeat after the
// de-duplication window) the first not yet recalled is taken, else 20023.
func findByKey(ctx context.Context, tx *Tx, app uint64, from, to, key string) (c2cTarget, error) {
	var t c2cTarget
	seq, rnd, at, ok := im.ParseMsgKey(key)
	if !ok {
		return t, im.Errorf(im.CodeMsgKeyInvalid, "MsgKey %q is invalid", key)
	}
	lo, hi := peerPair(from, to)
	rows, err := tx.QueryContext(ctx, `
		SELECT id, flag_bits, unread FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3
			AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6 AND from_user = $7 AND to_user = $8 AND expires_at > $9
		ORDER BY id`,
		int64(app), lo, hi, at, int64(seq), int64(rnd), from, to, tx.now.UnixMilli())
	if err != nil {
		return t, err
	}
	found := false
	for rows.Next() {
		var c c2cTarget
		var unread int
		if err := rows.Scan(&c.id, &c.flagBits, &unread); err != nil {
			rows.Close()
			return t, err
		}
		c.at, c.unread = at, unread == 1
		if !found || t.flagBits&im.MsgFlagRecalled != 0 {
			t, found = c, true
		}
	}
	if err := closeRows(rows); err != nil {
		return t, err
	}
	switch {
	case !found:
		return t, im.Errorf(im.CodeMsgRecallNotFound, "no message %s from %s to %s", key, from, to)
	case t.flagBits&im.MsgFlagRecalled != 0:
		return t, im.Errorf(im.CodeMsgRecallRecalled, "message %s is already recalled", key)
	}
	return t, nil
}

// lockPair checks a from/to pair of a command that names a message: 90008
// for from, 90003 for to.
func lockPair(ctx context.Context, tx *Tx, app uint64, from, to string) error {
	return lockNamedPair(ctx, tx, app, from, "From_Account", to, "To_Account")
}

// lockNamedPair is lockPair for commands that name the two accounts
// otherwise: 90008 for the first (field a), 90003 for the second (b).
func lockNamedPair(ctx context.Context, tx *Tx, app uint64, first, a, second, b string) error {
	exists, err := lockAccounts(ctx, tx, app, []string{first, second})
	switch {
	case err != nil:
		return err
	case !exists[first]:
		return im.Errorf(im.CodeMsgFromAccount, "%s %s is not imported", a, first)
	case !exists[second]:
		return im.Errorf(im.CodeMsgToAccount, "%s %s is not imported", b, second)
	}
	return nil
}

// WithdrawC2C recalls a message: MsgFlagBits 8, its content emptied (both
// histories keep the flagged message, as admin_getroammsg returns it), no
// longer unread for the recipient.
func (db *DB) WithdrawC2C(ctx context.Context, op im.Op, from, to, key string) error {
	return db.write(ctx, func(tx *Tx) error {
		app := op.App.SDKAppID
		if err := lockPair(ctx, tx, app, from, to); err != nil {
			return err
		}
		t, err := findByKey(ctx, tx, app, from, to, key)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx,
			"UPDATE c2c_msgs SET flag_bits = $1, body = '[]', cloud_data = '', unread = 0 WHERE app_id = $2 AND id = $3",
			t.flagBits|im.MsgFlagRecalled, int64(app), t.id); err != nil {
			return err
		}
		if t.unread {
			if err := forgetUnread(ctx, tx, app, to, from, t.at, t.id); err != nil {
				return err
			}
		}
		if !op.App.Records(im.CallbackC2CAfterMsgWithDraw) {
			return nil
		}
		unread, err := totalUnread(ctx, tx, app, to)
		if err != nil {
			return err
		}
		return recordEvent(ctx, tx, op, im.C2CAfterMsgWithDrawBody{From: from, To: to, MsgKey: key, UnreadMsgNum: unread})
	})
}

// ModifyC2C overwrites a message's MsgBody and/or CloudCustomData. Its
// de-duplication CRC stays the sent content's.
func (db *DB) ModifyC2C(ctx context.Context, app uint64, from, to, key string, body im.MsgBody, cloudData *string) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := lockPair(ctx, tx, app, from, to); err != nil {
			return err
		}
		t, err := findByKey(ctx, tx, app, from, to, key)
		if err != nil {
			return err
		}
		if body != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE c2c_msgs SET body = $1 WHERE app_id = $2 AND id = $3",
				string(body), int64(app), t.id); err != nil {
				return err
			}
		}
		if cloudData != nil {
			if _, err := tx.ExecContext(ctx, "UPDATE c2c_msgs SET cloud_data = $1 WHERE app_id = $2 AND id = $3",
				*cloudData, int64(app), t.id); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetC2CRead moves owner's read time with peer to at (never back) and
// counts again what is left unread: the peer's counted, unrecalled,
// uncleared messages after it, a range of c2c_msgs_conv from the read time.
func (db *DB) SetC2CRead(ctx context.Context, app uint64, owner, peer string, at int64) error {
	return db.write(ctx, func(tx *Tx) error {
		if ok, err := accountExists(ctx, tx, app, owner); err != nil || !ok {
			if err == nil {
				err = im.Errorf(im.CodeMsgFromAccount, "Report_Account %s is not imported", owner)
			}
			return err
		}
		if ok, err := knownPeer(ctx, tx, app, owner, peer); err != nil || !ok {
			if err == nil {
				err = im.Errorf(im.CodeMsgToAccount, "Peer_Account %s is not imported", peer)
			}
			return err
		}
		if at == 0 {
			at = tx.now.Unix()
		}
		c, err := readConv(ctx, tx, app, owner, peer)
		if err != nil || !c.exists {
			return err // no conversation: nothing to read
		}
		readTime := max(c.readTime, at)
		lo, hi := peerPair(owner, peer)
		var n int
		err = tx.QueryRowContext(ctx, `
			SELECT COUNT(*) FROM c2c_msgs WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3 AND msg_time > $4
				AND from_user = $5 AND to_user = $6 AND unread = 1 AND flag_bits = 0 AND id > $7 AND expires_at > $8`,
			int64(app), lo, hi, readTime, peer, owner, c.clearID, tx.now.UnixMilli()).Scan(&n)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx,
			"UPDATE conversations SET read_time = $1, unread = $2 WHERE app_id = $3 AND owner = $4 AND type = $5 AND peer = $6",
			readTime, n, int64(app), owner, convC2C, peer)
		return err
	})
}

// C2CUnread reads owner's unread counts: in total, and per peer (-1 for a
// peer that is neither an account nor in a conversation with owner).
func (db *DB) C2CUnread(ctx context.Context, app uint64, owner string, peers []string) (int, []int, error) {
	var total int
	var per []int
	err := db.read(ctx, func(tx *Tx) error {
		per = nil
		ok, err := accountExists(ctx, tx, app, owner)
		if err != nil {
			return err
		}
		if !ok {
			return im.Errorf(im.CodeMsgToAccount, "To_Account %s is not imported", owner)
		}
		if total, err = totalUnread(ctx, tx, app, owner); err != nil {
			return err
		}
		for _, p := range peers {
			n := -1
			if ok, err := knownPeer(ctx, tx, app, owner, p); err != nil {
				return err
			} else if ok {
				if err := tx.QueryRowContext(ctx, `
					SELECT COALESCE(MAX(unread), 0) FROM conversations WHERE app_id = $1 AND owner = $2 AND type = $3 AND peer = $4`,
					int64(app), owner, convC2C, p).Scan(&n); err != nil {
					return err
				}
			}
			per = append(per, n)
		}
		return nil
	})
	return total, per, err
}

// DeleteC2COneWay hides messages of owner's conversation with peer from
// owner's history (delete_c2c_msg_ramble): hide_from when owner sent one,
// hide_to when owner received it. A key names the messages of the pair with
// its MsgTime, MsgSeq and MsgRandom, either way, not expired and not yet
// hidden from owner; a key that names none is returned as invalid. A
// deleted message that owner had not read is no longer counted unread, as
// a recalled one is not.
func (db *DB) DeleteC2COneWay(ctx context.Context, app uint64, owner, peer string, keys []string) ([]string, error) {
	var invalid []string
	err := db.write(ctx, func(tx *Tx) error {
		invalid = invalid[:0]
		if err := lockNamedPair(ctx, tx, app, owner, "Operator_Account", peer, "Peer_Account"); err != nil {
			return err
		}
		for _, key := range keys {
			n, err := hideForOwner(ctx, tx, app, owner, peer, key)
			if err != nil {
				return err
			}
			if n == 0 {
				invalid = append(invalid, key)
			}
		}
		return nil
	})
	return invalid, err
}

// hideForOwner hides the messages key names from owner and reports how
// many it hid.
func hideForOwner(ctx context.Context, tx *Tx, app uint64, owner, peer, key string) (int, error) {
	seq, rnd, at, ok := im.ParseMsgKey(key)
	if !ok {
		return 0, nil
	}
	lo, hi := peerPair(owner, peer)
	rows, err := tx.QueryContext(ctx, `
		SELECT id, CASE WHEN from_user = $7 THEN 1 ELSE 0 END, unread FROM c2c_msgs
		WHERE app_id = $1 AND peer_lo = $2 AND peer_hi = $3 AND msg_time = $4 AND msg_seq = $5 AND msg_random = $6
			AND expires_at > $8 AND NOT (from_user = $7 AND hide_from = 1) AND NOT (to_user = $7 AND hide_to = 1)`,
		int64(app), lo, hi, at, int64(seq), int64(rnd), owner, tx.now.UnixMilli())
	if err != nil {
		return 0, err
	}
	type target struct{ id, sent, unread int64 }
	var ts []target
	for rows.Next() {
		var t target
		if err := rows.Scan(&t.id, &t.sent, &t.unread); err != nil {
			rows.Close()
			return 0, err
		}
		ts = append(ts, t)
	}
	if err := closeRows(rows); err != nil {
		return 0, err
	}
	for _, t := range ts {
		q := "UPDATE c2c_msgs SET hide_to = 1, unread = 0 WHERE app_id = $1 AND id = $2"
		if t.sent == 1 {
			q = "UPDATE c2c_msgs SET hide_from = 1 WHERE app_id = $1 AND id = $2"
		}
		if _, err := tx.ExecContext(ctx, q, int64(app), t.id); err != nil {
			return 0, err
		}
		if t.sent == 0 && t.unread == 1 {
			if err := forgetUnread(ctx, tx, app, owner, peer, at, t.id); err != nil {
				return 0, err
			}
		}
	}
	return len(ts), nil
}

// forgetUnread takes a message owner received and deleted (id, sent at
// at) off owner's unread count, where it was counted: after what owner had
// read and had cleared.
func forgetUnread(ctx context.Context, tx *Tx, app uint64, owner, peer string, at, id int64) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE conversations SET unread = unread - 1
		WHERE app_id = $1 AND owner = $2 AND type = $3 AND peer = $4 AND unread > 0 AND read_time < $5 AND clear_id < $6`,
		int64(app), owner, convC2C, peer, at, id)
	return err
}

// C2CReadReceipt marks the messages keys name, each from sender to reader,
// read by receipt; every key is checked before any is marked.
func (db *DB) C2CReadReceipt(ctx context.Context, app uint64, reader, sender string, keys []string) error {
	return db.write(ctx, func(tx *Tx) error {
		if err := lockNamedPair(ctx, tx, app, reader, "Operator_Account", sender, "Peer_Account"); err != nil {
			return err
		}
		ids := make([]int64, len(keys))
		for i, key := range keys {
			t, err := findByKey(ctx, tx, app, sender, reader, key)
			if err != nil {
				return err
			}
			ids[i] = t.id
		}
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE c2c_msgs SET receipt = 1 WHERE app_id = $1 AND id = $2", int64(app), id); err != nil {
				return err
			}
		}
		return nil
	})
}
