package sqlstore

import (
	"context"
	"time"

	"github.com/timd/timd/internal/im"
)

var _ im.HistoryService = (*DB)(nil)

// HistoryMessages reads the messages of one hour for get_history
// (docs/fidelity/history.md). Neither table is indexed by message time, so
// this reads every stored message of the app's kind once: an hourly export,
// not a path a backend calls per request. A withdrawn one-to-one message
// (flag_bits set), a recalled or deleted group message and an expired
// message are left out.
func (db *DB) HistoryMessages(ctx context.Context, app uint64, group bool, from, to, now time.Time) ([]im.HistoryMsg, error) {
	var out []im.HistoryMsg
	err := db.read(ctx, func(tx *Tx) error {
		q := `SELECT from_user, to_user, '', msg_time, msg_seq, msg_random, body FROM c2c_msgs
			WHERE app_id = $1 AND msg_time >= $2 AND msg_time < $3 AND flag_bits = 0 AND expires_at > $4
			ORDER BY msg_time, id`
		if group {
			q = `SELECT m.from_user, '', g.group_id, m.msg_time, m.msg_seq, 0, m.body
				FROM group_msgs m JOIN im_groups g ON g.app_id = m.app_id AND g.seq = m.group_seq
				WHERE m.app_id = $1 AND m.msg_time >= $2 AND m.msg_time < $3 AND m.flag_bits = 0 AND m.deleted = 0 AND m.expires_at > $4
				ORDER BY m.msg_time, m.created_at, g.group_id, m.msg_seq`
		}
		rows, err := tx.QueryContext(ctx, q, int64(app), from.Unix(), to.Unix(), now.UnixMilli())
		if err != nil {
			return err
		}
		for rows.Next() {
			var m im.HistoryMsg
			var seq, random int64
			var body string
			if err := rows.Scan(&m.From, &m.To, &m.GroupID, &m.Time, &seq, &random, &body); err != nil {
				rows.Close()
				return err
			}
			m.Seq, m.Random, m.Body = uint64(seq), uint64(random), []byte(body)
			out = append(out, m)
		}
		return closeRows(rows)
	})
	return out, err
}
