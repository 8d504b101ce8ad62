package sqlstore

import (
	"context"

	"github.com/timd/timd/internal/im"
)

// Conversations reads one get_list page of owner's conversations
// (docs/fidelity/conversations.md). With AssistPinned the pinned ones come
// first, in a section of their own: paged by q.Pinned with
// AssistPinnedPage, else all of them (at most 50) on the first page. The
// other conversations follow, paged by q.Normal; a page holds q.Limit of
// them and of the pinned ones together when the pinned section is paged.
// The last page (Complete) returns cursors of the read's time and 0, as
// Tencent's sample does.
func (db *DB) Conversations(ctx context.Context, app uint64, owner string, q im.ConversationQuery) (im.ConversationPage, error) {
	var page im.ConversationPage
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireContactUser(ctx, tx, app, owner); err != nil {
			return err
		}
		l := &convLister{ctx: ctx, tx: tx, app: int64(app), owner: owner, empty: q.Flags&im.AssistEmpty != 0}
		var err error
		if page, err = l.page(q); err != nil {
			return err
		}
		if page.Complete {
			done := im.ConversationCursor{Time: tx.now.Unix()}
			page.Normal, page.Pinned = done, done
		}
		if q.Flags&im.AssistMarks != 0 {
			return l.marks(page.Items)
		}
		return nil
	})
	return page, err
}

// page reads the sections a query asks for.
func (l *convLister) page(q im.ConversationQuery) (im.ConversationPage, error) {
	page := im.ConversationPage{Items: []im.Conversation{}, Normal: q.Normal, Pinned: q.Pinned}
	normal, limit := pinAny, q.Limit
	if q.Flags&im.AssistPinned != 0 {
		normal = pinNo
		switch {
		case q.Flags&im.AssistPinnedPage != 0:
			items, more, err := l.section(pinYes, q.Pinned, limit)
			if err != nil {
				return page, err
			}
			page.Items, page.Pinned = items, nextCursor(q.Pinned, items)
			if more {
				return page, nil // the other conversations wait for the pinned ones
			}
			limit -= len(items)
		case q.Normal == im.ConversationCursor{}:
			items, _, err := l.section(pinYes, im.ConversationCursor{}, im.MaxPinnedConversations)
			if err != nil {
				return page, err
			}
			page.Items = items
		}
	}
	items, more, err := l.section(normal, q.Normal, limit)
	if err != nil {
		return page, err
	}
	page.Items, page.Normal = append(page.Items, items...), nextCursor(q.Normal, items)
	page.Complete = !more
	return page, nil
}

// marks fills in the standard and custom marks and conversation groups of
// a page's conversations. An account keeps at most MaxContactEntries
// conversations with marks or groups, so reading all of them is bounded.
func (l *convLister) marks(items []im.Conversation) error {
	if len(items) == 0 {
		return nil
	}
	index := make(map[im.Contact]int, len(items))
	for i, it := range items {
		index[it.Contact] = i
	}
	rows, err := l.tx.QueryContext(l.ctx, "SELECT type, peer, standard_mark, custom_mark FROM contact_items WHERE app_id = $1 AND user_id = $2",
		l.app, l.owner)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			k    im.Contact
			mark int64
			cust string
		)
		if err := rows.Scan(&k.Type, &k.Peer, &mark, &cust); err != nil {
			rows.Close()
			return err
		}
		if i, ok := index[k]; ok {
			items[i].StandardMark, items[i].CustomMark = uint64(mark), cust
		}
	}
	if err := closeRows(rows); err != nil {
		return err
	}
	rows, err = l.tx.QueryContext(l.ctx, `
		SELECT type, peer, group_id FROM contact_group_items WHERE app_id = $1 AND user_id = $2 ORDER BY type, peer, group_id`,
		l.app, l.owner)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			k  im.Contact
			id int
		)
		if err := rows.Scan(&k.Type, &k.Peer, &id); err != nil {
			rows.Close()
			return err
		}
		if i, ok := index[k]; ok {
			items[i].GroupIDs = append(items[i].GroupIDs, id)
		}
	}
	return closeRows(rows)
}
