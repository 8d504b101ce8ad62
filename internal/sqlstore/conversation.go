package sqlstore

import "context"

// Conversation types as stored in conversations.type (SessionItem.Type).
const (
	convC2C   = 1
	convGroup = 2
)

// c2cTouch is a one-to-one message's effect on its two conversations.
type c2cTouch struct {
	app      uint64
	from, to string
	at       int64 // MsgTime, unix s
	// sender: the message is in the sender's conversation too (not
	// SyncOtherMachine 2).
	sender bool
	// lastMsg: the message becomes its conversations' last (not
	// SendMsgControl NoLastMsg), which moves them in get_list.
	lastMsg bool
	// unread: the message counts as unread for the recipient (not NoUnread).
	unread bool
}

// touchC2C records a one-to-one message in its conversations: the
// recipient's with the sender and, when m.sender, the sender's with the
// recipient. A conversation the account deleted comes back with the message.
// Both rows are written by one statement, the recipient's first: two cost
// sendmsg's single SQLite writer a round trip through the driver more.
func touchC2C(ctx context.Context, tx *Tx, m c2cTouch) error {
	unread := 0
	if m.unread {
		unread = 1
	}
	msgTime := m.at
	if !m.lastMsg {
		msgTime = 0 // a new row still needs a time; an existing one keeps its own
	}
	rows := "($1, $2, $3, $4, $5, $6)"
	args := []any{int64(m.app), m.to, convC2C, m.from, msgTime, unread, b2i(m.lastMsg)}
	if m.sender && m.from != m.to {
		rows += ", ($1, $4, $3, $2, $5, 0)"
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO conversations (app_id, owner, type, peer, msg_time, unread)
		VALUES `+rows+`
		ON CONFLICT (app_id, owner, type, peer) DO UPDATE SET
			msg_time = CASE WHEN excluded.msg_time > conversations.msg_time THEN excluded.msg_time ELSE conversations.msg_time END,
			unread = conversations.unread + excluded.unread,
			deleted = CASE WHEN $7 = 1 THEN 0 ELSE conversations.deleted END`, args...)
	return err
}
