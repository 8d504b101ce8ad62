package sqlstore

import (
	"context"
	"time"
)

// Seeding messages: a message's rows written as the send commands write
// them (the message, its conversations, the group's counters), without
// validation or callbacks, for tests and `timd bench` data. The message is
// stored at the store's clock, MsgTime at, and kept 7 days from then.

// seedLifetime is how long a seeded message is kept.
const seedLifetime = 7 * 24 * time.Hour

// seedC2CSQL stores a seeded message, with MsgSeq 1 and MsgRandom
// seedC2CRandom.
const seedC2CSQL = `
			INSERT INTO c2c_msgs (app_id, peer_lo, peer_hi, from_user, to_user, msg_seq, msg_random, msg_time, body,
				content_crc, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, 1, 1, $6, '[]', 0, $7, $8) RETURNING id`

const seedC2CRandom = 1

// SeedC2CMessage stores a one-to-one message from → to with MsgTime at
// (unix s), in both accounts' conversations, and returns its storage id.
func (db *DB) SeedC2CMessage(ctx context.Context, app uint64, from, to string, at int64) (int64, error) {
	var id int64
	err := db.write(ctx, func(tx *Tx) error {
		now := tx.now.UnixMilli()
		tx.memo.add(app, from, seedC2CRandom, now)
		err := tx.QueryRowContext(ctx, seedC2CSQL,
			int64(app), min(from, to), max(from, to), from, to, at, now, now+seedLifetime.Milliseconds()).Scan(&id)
		if err != nil {
			return err
		}
		return touchC2C(ctx, tx, c2cTouch{app: app, from: from, to: to, at: at, sender: true, lastMsg: true, unread: true})
	})
	return id, err
}

// SeedGroupMessage stores a message of group groupID from from with
// MsgTime at (unix s): the group's next MsgSeq, and its LastMsgTime.
func (db *DB) SeedGroupMessage(ctx context.Context, app uint64, groupID, from string, at int64) error {
	return db.write(ctx, func(tx *Tx) error {
		var seq, msgSeq int64
		err := tx.QueryRowContext(ctx, "SELECT seq, next_msg_seq FROM im_groups WHERE app_id = $1 AND group_id = $2"+tx.forUpdate(),
			int64(app), groupID).Scan(&seq, &msgSeq)
		if err != nil {
			return err
		}
		now := tx.now.UnixMilli()
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO group_msgs (app_id, group_seq, msg_seq, from_user, random, msg_time, priority, body, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $3, $5, 2, '[]', $6, $7)`,
			int64(app), seq, msgSeq, from, at, now, now+seedLifetime.Milliseconds()); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE im_groups SET next_msg_seq = next_msg_seq + 1,
			last_msg_time = CASE WHEN $2 > last_msg_time THEN $2 ELSE last_msg_time END WHERE seq = $1`, seq, at)
		return err
	})
}
