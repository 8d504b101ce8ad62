package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/timd/timd/internal/im"
)

// requireContactUser fails with 50001 unless user is imported.
func requireContactUser(ctx context.Context, tx *Tx, app uint64, user string) error {
	ok, err := accountExists(ctx, tx, app, user)
	if err == nil && !ok {
		err = errContactUser(user)
	}
	return err
}

// contactGroupRefs lists the user's conversation groups by id.
func contactGroupRefs(ctx context.Context, tx *Tx, app uint64, user string) ([]im.ContactGroupRef, error) {
	rows, err := tx.QueryContext(ctx, "SELECT group_id, name FROM contact_groups WHERE app_id = $1 AND user_id = $2 ORDER BY group_id",
		int64(app), user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []im.ContactGroupRef{}
	for rows.Next() {
		var g im.ContactGroupRef
		if err := rows.Scan(&g.ID, &g.Name); err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

const contactCols = "type, peer, standard_mark, custom_mark, updated_at"

func scanContact(row scanner) (im.ContactState, error) {
	var (
		s             im.ContactState
		mark, updated int64
	)
	err := row.Scan(&s.Type, &s.Peer, &mark, &s.CustomMark, &updated)
	s.StandardMark, s.Updated = uint64(mark), msTime(updated)
	return s, err
}

// ContactGroups reads one page of the user's conversations in the order of
// contact_items' primary key, with the conversation groups holding each.
func (db *DB) ContactGroups(ctx context.Context, app uint64, user string, start, limit int) (im.ContactPage, error) {
	var page im.ContactPage
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireContactUser(ctx, tx, app, user); err != nil {
			return err
		}
		page = im.ContactPage{Contacts: []im.ContactState{}}
		// One row more than the page tells whether another page follows.
		rows, err := tx.QueryContext(ctx, "SELECT "+contactCols+` FROM contact_items
			WHERE app_id = $1 AND user_id = $2 ORDER BY type, peer LIMIT CAST($3 AS BIGINT) OFFSET $4`,
			int64(app), user, limit+1, start)
		if err != nil {
			return err
		}
		defer rows.Close()
		index := map[im.Contact]int{}
		for rows.Next() {
			s, err := scanContact(rows)
			if err != nil {
				return err
			}
			index[s.Contact] = len(page.Contacts)
			page.Contacts = append(page.Contacts, s)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		page.Complete = len(page.Contacts) <= limit
		if !page.Complete {
			delete(index, page.Contacts[limit].Contact)
			page.Contacts, page.Next = page.Contacts[:limit], start+limit
		}
		if err := pageGroupIDs(ctx, tx, app, user, page.Contacts, index); err != nil {
			return err
		}
		page.Groups, err = contactGroupRefs(ctx, tx, app, user)
		return err
	})
	return page, err
}

// pageGroupIDs fills in the conversation groups of a page's conversations.
// A page is a range of contact_items' key, so one range scan of
// contact_group_items' key finds them all (a join with the page would do
// too, but PostgreSQL may plan it as a nested loop over the page query).
func pageGroupIDs(ctx context.Context, tx *Tx, app uint64, user string, page []im.ContactState, index map[im.Contact]int) error {
	if len(page) == 0 {
		return nil
	}
	first, last := page[0].Contact, page[len(page)-1].Contact
	rows, err := tx.QueryContext(ctx, `
		SELECT type, peer, group_id FROM contact_group_items
		WHERE app_id = $1 AND user_id = $2
			AND (type > $3 OR (type = $3 AND peer >= $4)) AND (type < $5 OR (type = $5 AND peer <= $6))
		ORDER BY type, peer, group_id`,
		int64(app), user, first.Type, first.Peer, last.Type, last.Peer)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			k  im.Contact
			id int
		)
		if err := rows.Scan(&k.Type, &k.Peer, &id); err != nil {
			return err
		}
		if i, ok := index[k]; ok {
			page[i].GroupIDs = append(page[i].GroupIDs, id)
		}
	}
	return rows.Err()
}

// SearchContacts reads the named conversations the user has.
func (db *DB) SearchContacts(ctx context.Context, app uint64, user string, contacts []im.Contact) ([]im.ContactState, []im.ContactGroupRef, error) {
	var (
		found  []im.ContactState
		groups []im.ContactGroupRef
	)
	err := db.read(ctx, func(tx *Tx) error {
		if err := requireContactUser(ctx, tx, app, user); err != nil {
			return err
		}
		found = []im.ContactState{}
		seen := map[im.Contact]bool{}
		for _, k := range contacts {
			if seen[k] || !storablePeer(k) {
				continue
			}
			seen[k] = true
			s, err := scanContact(tx.QueryRowContext(ctx, "SELECT "+contactCols+` FROM contact_items
				WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4`, int64(app), user, k.Type, k.Peer))
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if s.GroupIDs, err = groupIDsOf(ctx, tx, app, user, k); err != nil {
				return err
			}
			found = append(found, s)
		}
		var err error
		groups, err = contactGroupRefs(ctx, tx, app, user)
		return err
	})
	return found, groups, err
}

// groupIDsOf lists the conversation groups holding one conversation.
func groupIDsOf(ctx context.Context, tx *Tx, app uint64, user string, k im.Contact) ([]int, error) {
	rows, err := tx.QueryContext(ctx, `
		SELECT group_id FROM contact_group_items WHERE app_id = $1 AND user_id = $2 AND type = $3 AND peer = $4
		ORDER BY group_id`, int64(app), user, k.Type, k.Peer)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int
	for rows.Next() {
		var id int
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
