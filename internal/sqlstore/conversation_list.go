package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// get_list. An account's conversations come from two places: its
// one-to-one conversations are rows of conversations (type 1), written with
// each message; its group conversations are its memberships of groups that
// have messages, less those it deleted since their last message (a type 2
// row holds what the account changed). Each is read newest first with a
// LIMIT from an index and the two are merged, so a page costs the same
// however many conversations the account has (groups are bounded by the
// account's memberships).
//
// The order is MsgTime descending, then one-to-one before group, then by
// peer: total, so the cursor (Time, Index) "after the first Index
// conversations of MsgTime Time" names one place in it, however many
// conversations share one MsgTime.

var _ im.ConversationService = (*DB)(nil)

// pinFilter selects a section: pinned conversations, the others, or all.
type pinFilter int

const (
	pinAny pinFilter = iota
	pinYes
	pinNo
)

// convLister reads one account's conversations in one transaction.
type convLister struct {
	ctx   context.Context
	tx    *Tx
	app   int64
	owner string
	empty bool // conversations without messages too
}

// timeCond is a section's condition on MsgTime: none, = $3 or < $3.
type timeCond string

const (
	timeAll   timeCond = ""
	timeEqual timeCond = " = $3"
	timeOlder timeCond = " < $3"
)

// c2cQuery selects one-to-one conversations (peer, msg_time, pinned).
func (l *convLister) c2cQuery(pin pinFilter, tc timeCond, cols, tail string) string {
	q := "SELECT " + cols + " FROM conversations WHERE app_id = $1 AND owner = $2 AND type = 1 AND deleted = 0"
	switch pin {
	case pinYes:
		q += " AND pinned > 0"
	case pinNo:
		q += " AND pinned = 0"
	}
	if tc != timeAll {
		q += " AND msg_time" + string(tc)
	}
	if !l.empty {
		q += " AND msg_time > 0"
	}
	return q + tail
}

// groupQuery selects group conversations (group_id, last_msg_time, pinned):
// memberships of live groups, less AVChatRoom (no roaming, no cloud
// conversation) and less those deleted since their last message.
func (l *convLister) groupQuery(pin pinFilter, tc timeCond, cols, tail string) string {
	q := "SELECT " + cols + ` FROM group_members m JOIN im_groups g ON g.seq = m.group_seq
		LEFT JOIN conversations c ON c.app_id = m.app_id AND c.owner = m.user_id AND c.type = 2 AND c.peer = g.group_id
		WHERE m.app_id = $1 AND m.user_id = $2 AND g.type <> 'AVChatRoom'
			AND (c.deleted IS NULL OR c.deleted = 0 OR c.deleted < g.last_msg_time)`
	switch pin {
	case pinYes:
		q += " AND c.pinned > 0"
	case pinNo:
		q += " AND COALESCE(c.pinned, 0) = 0"
	}
	if tc != timeAll {
		q += " AND g.last_msg_time" + string(tc)
	}
	if !l.empty {
		q += " AND g.last_msg_time > 0"
	}
	return q + tail
}

const (
	c2cConvCols   = "peer, msg_time, pinned"
	groupConvCols = "g.group_id, g.last_msg_time, COALESCE(c.pinned, 0)"
)

// rows runs a conversation query of one type.
func (l *convLister) rows(typ int, q string, args ...any) ([]im.Conversation, error) {
	rows, err := l.tx.QueryContext(l.ctx, q, append([]any{l.app, l.owner}, args...)...)
	if err != nil {
		return nil, err
	}
	var out []im.Conversation
	for rows.Next() {
		c := im.Conversation{Contact: im.Contact{Type: typ}}
		var pinned int64
		if err := rows.Scan(&c.Peer, &c.MsgTime, &pinned); err != nil {
			rows.Close()
			return nil, err
		}
		c.Pinned = pinned > 0
		out = append(out, c)
	}
	return out, closeRows(rows)
}

// ties lists up to n conversations of MsgTime t from index k on: the
// one-to-one ones by peer, then the group ones by GroupId.
func (l *convLister) ties(pin pinFilter, t int64, k, n int) ([]im.Conversation, error) {
	var c2c int
	if err := l.tx.QueryRowContext(l.ctx, l.c2cQuery(pin, timeEqual, "COUNT(*)", ""), l.app, l.owner, t).Scan(&c2c); err != nil {
		return nil, err
	}
	var out []im.Conversation
	if k < c2c {
		var err error
		out, err = l.rows(convC2C, l.c2cQuery(pin, timeEqual, c2cConvCols, " ORDER BY peer LIMIT CAST($4 AS BIGINT) OFFSET $5"), t, n, k)
		if err != nil {
			return nil, err
		}
	}
	if len(out) == n {
		return out, nil
	}
	groups, err := l.rows(convGroup, l.groupQuery(pin, timeEqual, groupConvCols, " ORDER BY g.group_id LIMIT CAST($4 AS BIGINT) OFFSET $5"),
		t, n-len(out), max(0, k-c2c))
	return append(out, groups...), err
}

// older lists the n newest conversations older than t (all if first).
func (l *convLister) older(pin pinFilter, t int64, first bool, n int) ([]im.Conversation, error) {
	tc, args := timeOlder, []any{t, n}
	limit := " ORDER BY msg_time DESC, peer LIMIT CAST($4 AS BIGINT)"
	glimit := " ORDER BY g.last_msg_time DESC, g.group_id LIMIT CAST($4 AS BIGINT)"
	if first {
		tc, args = timeAll, []any{n}
		limit, glimit = " ORDER BY msg_time DESC, peer LIMIT CAST($3 AS BIGINT)", " ORDER BY g.last_msg_time DESC, g.group_id LIMIT CAST($3 AS BIGINT)"
	}
	c2c, err := l.rows(convC2C, l.c2cQuery(pin, tc, c2cConvCols, limit), args...)
	if err != nil {
		return nil, err
	}
	groups, err := l.rows(convGroup, l.groupQuery(pin, tc, groupConvCols, glimit), args...)
	if err != nil {
		return nil, err
	}
	return mergeNewest(c2c, groups, n), nil
}

// mergeNewest merges two lists, each newest first, into the first n of
// both: by MsgTime, one-to-one first on a tie; each list keeps its order.
func mergeNewest(c2c, groups []im.Conversation, n int) []im.Conversation {
	out := make([]im.Conversation, 0, min(n, len(c2c)+len(groups)))
	for len(out) < n && (len(c2c) > 0 || len(groups) > 0) {
		if len(groups) == 0 || (len(c2c) > 0 && c2c[0].MsgTime >= groups[0].MsgTime) {
			out, c2c = append(out, c2c[0]), c2c[1:]
		} else {
			out, groups = append(out, groups[0]), groups[1:]
		}
	}
	return out
}

// section reads up to n conversations of one section from cursor c on, and
// whether more follow.
func (l *convLister) section(pin pinFilter, c im.ConversationCursor, n int) ([]im.Conversation, bool, error) {
	want := n + 1 // one more tells whether another page follows
	first := c == im.ConversationCursor{}
	var out []im.Conversation
	if !first {
		var err error
		if out, err = l.ties(pin, c.Time, c.Index, want); err != nil {
			return nil, false, err
		}
	}
	if len(out) < want {
		older, err := l.older(pin, c.Time, first, want-len(out))
		if err != nil {
			return nil, false, err
		}
		out = append(out, older...)
	}
	if len(out) > n {
		return out[:n], true, nil
	}
	return out, false, nil
}

// nextCursor is the cursor after page, which a section read from c.
func nextCursor(c im.ConversationCursor, page []im.Conversation) im.ConversationCursor {
	if len(page) == 0 {
		return c
	}
	last := page[len(page)-1].MsgTime
	next := im.ConversationCursor{Time: last}
	if c != (im.ConversationCursor{}) && c.Time == last {
		next.Index = c.Index
	}
	for i := len(page) - 1; i >= 0 && page[i].MsgTime == last; i-- {
		next.Index++
	}
	return next
}
