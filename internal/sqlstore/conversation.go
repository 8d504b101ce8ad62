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
func touchC2C(ctx context.Context, tx *Tx, m c2cTouch) error {
	unread := 0
	if m.unread {
		unread = 1
	}
	if err := touchConversation(ctx, tx, m.app, m.to, m.from, m.at, m.lastMsg, unread); err != nil {
		return err
	}
	if m.sender && m.from != m.to {
		return touchConversation(ctx, tx, m.app, m.from, m.to, m.at, m.lastMsg, 0)
	}
	return nil
}

// touchConversation upserts owner's one-to-one conversation with peer.
func touchConversation(ctx context.Context, tx *Tx, app uint64, owner, peer string, at int64, lastMsg bool, unread int) error {
	msgTime := at
	if !lastMsg {
		msgTime = 0 // a new row still needs a time; an existing one keeps its own
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO conversations (app_id, owner, type, peer, msg_time, unread)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (app_id, owner, type, peer) DO UPDATE SET
			msg_time = CASE WHEN excluded.msg_time > conversations.msg_time THEN excluded.msg_time ELSE conversations.msg_time END,
			unread = conversations.unread + excluded.unread,
			deleted = CASE WHEN $7 = 1 THEN 0 ELSE conversations.deleted END`,
		int64(app), owner, convC2C, peer, msgTime, unread, b2i(lastMsg))
	return err
}
